"""The optional components: the seed's `services`, `memory_cache` and `orm_db`, and `metrics`
and `channels`.

Each class is resolved on first access, so aiohttp, SQLAlchemy, redis and prometheus-client are
imported only by a project that configures the component using them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .channels import ChannelsComponent
    from .memory_cache import MemoryCacheComponent
    from .metrics import MetricsComponent
    from .orm_db import OrmDBComponent
    from .services import ServicesComponent

__all__ = [
    "ChannelsComponent",
    "MemoryCacheComponent",
    "MetricsComponent",
    "OrmDBComponent",
    "ServicesComponent",
]

_LAZY = {
    "ServicesComponent": ".services",
    "MemoryCacheComponent": ".memory_cache",
    "OrmDBComponent": ".orm_db",
    "MetricsComponent": ".metrics",
    "ChannelsComponent": ".channels",
}


def __getattr__(name: str) -> Any:
    """Import the module of an optional component the first time its class is asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
