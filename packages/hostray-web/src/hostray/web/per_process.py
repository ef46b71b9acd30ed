"""What a project keeps in each process: state that `--processes N` would silently split.

Sessions of `memory_cache` with `backend: memory` live in the process that made them: behind N
processes a client's next request finds its session only one time in N, and every process
overwrites the same `save_file`. Such a project refuses to start in several processes unless its
config says it is intended (`memory_cache.allow_per_process: true`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hostray.config import location_of

from .component.optional_component.schema import DEFAULT_SESSION_BACKEND

__all__ = ["per_process_problems"]


def per_process_problems(config: Mapping[str, Any], processes: int) -> list[str]:
    """One line per block of `config` whose state each of `processes` processes would keep its
    own copy of; empty when the project may run in several processes."""
    components = config.get("component")
    if not isinstance(components, Mapping):
        return []
    cache = components.get("memory_cache")
    if not isinstance(cache, Mapping):
        return []
    if (
        cache.get("backend", DEFAULT_SESSION_BACKEND) != "memory"
        or cache.get("allow_per_process") is True
    ):
        return []
    where = location_of(components, "memory_cache") or location_of(config) or "server_config.yaml"
    return [
        f"{where}: component.memory_cache: backend memory keeps the sessions in each process, "
        f"so {processes} processes would lose them; set backend: redis (or allow_per_process: "
        "true if per-process sessions are intended)"
    ]
