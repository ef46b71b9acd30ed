"""`TaskQueueComponent`: fire-and-forget functions, none silently lost, on a chosen backend.

`backend: thread` (the default) runs them on `worker_count` threads of this process (a
`hostray.workers.WorkerPool`); `backend: celery` sends them to `hostray worker` processes through a
Redis or RabbitMQ broker (`task_celery.py`). Either way `run_method_in_queue` returns at once.
When the server stops, queued tasks get up to the server's `shutdown_timeout` to start (thread) or
to be published (celery); every task that could not is logged by name on the
`hostray.web.task_queue` logger and given `TaskDroppedError` through its `on_exception`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import TaskDroppedError, TaskQueueClosedError
from ..messages import message
from .base import Component, ComponentManager
from .task_queue_settings import TaskQueueSettings

__all__ = [
    "TaskDroppedError",
    "TaskQueueBackend",
    "TaskQueueClosedError",
    "TaskQueueComponent",
    "task_component_manager",
]

log = logging.getLogger("hostray.web.task_queue")

# backend name → (module of this package, class): imported only when configured.
BACKEND_CLASSES = {
    "thread": (".task_thread", "ThreadTaskBackend"),
    "celery": (".task_celery", "CeleryTaskBackend"),
}

_manager: ComponentManager | None = None


class TaskQueueBackend(Protocol):
    """Where `TaskQueueComponent` sends its tasks; one class per `backend:` value."""

    def submit(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_finish: Callable[[Any], None] | None,
        on_exception: Callable[[Exception], None] | None,
    ) -> None:
        """Queue the call and return at once; raise TypeError/TaskQueueClosedError at the call."""

    def counts(self) -> dict[str, int]:
        """Tasks `queued` and `running` now, `done` and `failed` since start."""

    def info(self) -> dict[str, Any]:
        """What `components_info` shows (no secrets)."""

    async def ready(self) -> str | None:
        """None when tasks can be queued, else why not (one line)."""

    async def close(self, component_manager: ComponentManager) -> list[tuple[int, str]]:
        """Refuse new tasks, give queued ones up to `shutdown_timeout`; `(message code, task
        name)` of each task left over (105: dropped before it started, 106: still running)."""


def task_component_manager() -> ComponentManager:
    """The `ComponentManager` of the process running a task: the server's for `backend: thread`,
    the `hostray worker` process's for `backend: celery` (so a task can use `orm_db`)."""
    if _manager is None:
        raise RuntimeError("task_queue: no component manager in this process (not a server/worker)")
    return _manager


class TaskQueueComponent(Component):
    """Runs functions on the configured backend without blocking the caller."""

    settings: TaskQueueSettings
    _backend: TaskQueueBackend

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Build the backend of the validated `task_queue` block (thread workers start on use)."""
        global _manager
        self.settings = TaskQueueSettings.from_config(config)
        self.worker_count = self.settings.worker_count
        module, name = BACKEND_CLASSES[self.settings.backend]
        backend_class = getattr(importlib.import_module(module, __package__), name)
        self._backend = backend_class(self.settings)
        _manager = component_manager

    @property
    def backend(self) -> TaskQueueBackend:
        """The backend the tasks go to."""
        return self._backend

    def run_method_in_queue(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_finish: Callable[[Any], None] | None = None,
        on_exception: Callable[[Exception], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue `func(*args, **kwargs)` and return at once.

        `on_finish(result)` or `on_exception(exc)` runs afterwards on a thread of this process
        (with `backend: celery`, when the remote task ended).
        """
        if not callable(func):
            raise TypeError(f"task_queue: expected a callable, got {func!r}")
        self._backend.submit(func, args, kwargs, on_finish, on_exception)

    def metrics_state(self) -> dict[str, int]:
        """Tasks queued and running now, done and failed since start (the `metrics` gauges)."""
        return self._backend.counts()

    def info(self) -> dict[str, Any]:
        """Backend and its queue state."""
        return {**super().info(), "info": self._backend.info()}

    async def ready(self) -> str | None:
        """None when tasks can be queued (the Celery broker answers), else why not."""
        return await self._backend.ready()

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Refuse new tasks, wait up to `shutdown_timeout` for queued ones, log those left over."""
        global _manager
        for code, name in await self._backend.close(component_manager):
            log.error("task_queue: %s", message(component_manager, code, name))
        if _manager is component_manager:
            _manager = None


def name_of(func: Callable[..., Any]) -> str:
    """`module.qualname` of a function, for logs."""
    module = getattr(func, "__module__", None)
    name = getattr(func, "__qualname__", None) or repr(func)
    return f"{module}.{name}" if module else name
