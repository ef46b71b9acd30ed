"""One declarative base per key, so that separate modules can declare entities of one schema."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import declarative_base

__all__ = ["get_declarative_base"]

_bases: dict[str, Any] = {}
_lock = threading.Lock()


def get_declarative_base(key: str = "default") -> Any:
    """The declarative base class registered under `key`: the same class on every call.

    Entity classes inherit from it; its `metadata` holds their tables.
    """
    with _lock:
        base = _bases.get(key)
        if base is None:
            base = _bases[key] = declarative_base()
        return base
