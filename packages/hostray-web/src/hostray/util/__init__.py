"""Documented `hostray.util` import path (see ARCHITECTURE.md §2)."""

__all__: list[str] = []
