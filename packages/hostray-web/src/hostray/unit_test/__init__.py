"""Documented `hostray.unit_test` import path (see ARCHITECTURE.md §2)."""

__all__: list[str] = []
