"""One declarative base per key, so that separate modules can declare entities of one schema.

`declarative_scope(bases)` gives a block its own registry: a hostray project load runs its imports
in one, so that loading the project again declares its tables on fresh bases (a base's `MetaData`
refuses a table defined twice).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.orm import declarative_base

__all__ = ["declarative_scope", "declared_bases", "get_declarative_base"]

_bases: dict[str, Any] = {}
_lock = threading.Lock()
_scoped: ContextVar[dict[str, Any] | None] = ContextVar("hostray_declarative_scope", default=None)


def get_declarative_base(key: str = "default") -> Any:
    """The declarative base class registered under `key`: the same class on every call (within
    one `declarative_scope`, that scope's class).

    Entity classes inherit from it; its `metadata` holds their tables.
    """
    registry = _scoped.get()
    with _lock:
        if registry is None:
            registry = _bases
        base = registry.get(key)
        if base is None:
            base = registry[key] = declarative_base()
        return base


def declared_bases() -> dict[str, Any]:
    """A copy of the registry `get_declarative_base` uses here (the scope's, or the process's)."""
    registry = _scoped.get()
    with _lock:
        return dict(_bases if registry is None else registry)


@contextmanager
def declarative_scope(bases: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Within the block, `get_declarative_base(key)` finds and registers its bases in `bases`."""
    token = _scoped.set(bases)
    try:
        yield bases
    finally:
        _scoped.reset(token)
