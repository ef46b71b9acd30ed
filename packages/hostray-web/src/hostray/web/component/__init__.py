"""Components: configurable services of a hostray server, loaded Default → Optional → project.

`DefaultComponentTypes` are always loaded; `OptionalComponentTypes` and a project's own
`ComponentTypes` subclasses (reserved `component/` package) when `server_config.yaml` names them.
"""

from __future__ import annotations

from .base import Component, ComponentManager, ComponentTypes

__all__ = [
    "Component",
    "ComponentManager",
    "ComponentTypes",
    "DefaultComponentTypes",
    "OptionalComponentTypes",
]


class DefaultComponentTypes(ComponentTypes):
    """Components every server loads, configured or not."""

    Localization = ("localization", "default_component", "LocalizationComponent")
    Logger = ("logger", "default_component", "LoggerComponent")
    Callback = ("callback", "default_component", "CallbackComponent")
    WorkerPool = ("worker_pool", "default_component", "WorkerPoolComponent")
    TaskQueue = ("task_queue", "default_component", "TaskQueueComponent")


class OptionalComponentTypes(ComponentTypes):
    """Components loaded when the `component` block of the config names them."""

    Service = ("services", "optional_component", "ServicesComponent")
    MemoryCache = ("memory_cache", "optional_component", "MemoryCacheComponent")
    OrmDB = ("orm_db", "optional_component", "OrmDBComponent")
    Metrics = ("metrics", "optional_component", "MetricsComponent")
    Channels = ("channels", "optional_component", "ChannelsComponent")
