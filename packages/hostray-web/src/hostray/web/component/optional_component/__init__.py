"""The optional components: the seed's `services`, `memory_cache` and `orm_db`, and `metrics`
and `channels`.

Each class is resolved on first access, so aiohttp, SQLAlchemy, redis and prometheus-client are
imported only by a project that configures the component using them. Each component is a
subpackage (`services/`, `memory_cache/`, `orm_db/`, `metrics/`, `channels/`, its class in
`component.py`); what several of them use is here: `errors`, `schema` (config validators),
`settings`, `outages`, `per_loop`, `loop_thread`, `urls`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .channels.component import ChannelsComponent
    from .memory_cache.component import MemoryCacheComponent
    from .metrics.component import MetricsComponent
    from .orm_db.component import OrmDBComponent
    from .services.component import ServicesComponent

__all__ = [
    "ChannelsComponent",
    "MemoryCacheComponent",
    "MetricsComponent",
    "OrmDBComponent",
    "ServicesComponent",
]

_LAZY = {
    "ServicesComponent": ".services.component",
    "MemoryCacheComponent": ".memory_cache.component",
    "OrmDBComponent": ".orm_db.component",
    "MetricsComponent": ".metrics.component",
    "ChannelsComponent": ".channels.component",
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
