"""What a project keeps in each process: state that `--processes N` would silently split.

Sessions of `memory_cache` with `backend: memory` live in the process that made them: behind N
processes a client's next request finds its session only one time in N, and every process
overwrites the same `save_file`. Broadcasts of `channels` with `backend: memory` reach only the
sockets of the sending process. Such a project refuses to start in several processes unless its
config says it is intended (`allow_per_process: true` in the block).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hostray.config import location_of

from .component.optional_component.schema import DEFAULT_CHANNEL_BACKEND, DEFAULT_SESSION_BACKEND

__all__ = ["PER_PROCESS_BLOCKS", "per_process_problems"]

PER_PROCESS_BLOCKS: Mapping[str, tuple[str, str]] = {
    "memory_cache": (
        DEFAULT_SESSION_BACKEND,
        "keeps the sessions in each process, so {processes} processes would lose them",
    ),
    "channels": (
        DEFAULT_CHANNEL_BACKEND,
        "reaches only the sockets of the sending process, so each of {processes} processes "
        "would see part of every channel",
    ),
}
"""Component blocks whose `backend: memory` state is per process: their default backend, and
what is lost."""


def per_process_problems(config: Mapping[str, Any], processes: int) -> list[str]:
    """One line per block of `config` whose state each of `processes` processes would keep its
    own copy of; empty when the project may run in several processes."""
    components = config.get("component")
    if not isinstance(components, Mapping):
        return []
    problems = []
    for key, (default, lost) in PER_PROCESS_BLOCKS.items():
        block = components.get(key)
        if not isinstance(block, Mapping):
            continue
        if block.get("backend", default) != "memory" or block.get("allow_per_process") is True:
            continue
        where = location_of(components, key) or location_of(config) or "server_config.yaml"
        problems.append(
            f"{where}: component.{key}: backend memory {lost.format(processes=processes)}; set "
            "backend: redis (or allow_per_process: true if per-process state is intended)"
        )
    return problems
