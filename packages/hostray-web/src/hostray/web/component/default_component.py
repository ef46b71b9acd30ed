"""The default components every server loads: localization, logger, callback, worker_pool,
task_queue (the last in `task_queue.py`). The seed documents `Component` and `ComponentManager`
at this path too, so they are re-exported here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, ClassVar

from hostray.config import (
    DEFAULT_LOGGERS,
    HostrayLogger,
    Localization,
    get_Hostray_logger,
    set_default_loggers_level,
    set_log_format,
)
from hostray.workers import AsyncWorkerPool, Callbacks

from ..messages import hostray_catalogue, message
from ..request_context import in_request_context
from .base import Component, ComponentManager
from .settings import (
    DEFAULT_POOL_ID,
    DEFAULT_POOL_WORKERS,
    LocalizationSettings,
    LoggerSettings,
    WorkerPoolSettings,
)
from .task_queue import TaskQueueComponent

__all__ = [
    "CallbackComponent",
    "Component",
    "ComponentManager",
    "LocalizationComponent",
    "LoggerComponent",
    "TaskQueueComponent",
    "WorkerPoolComponent",
]


class LocalizationComponent(Component):
    """Localized messages: hostray's catalogue, then the project's CSV files in `dir` over it."""

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Load the catalogues (`LocalizationSettings`); `dir` must be a directory."""
        self.settings = LocalizationSettings.from_config(config, root_dir)
        self.dir = directory = self.settings.dir
        self.local = Localization(self.settings.lang)
        self.local.import_csv([hostray_catalogue()])
        if directory is not None:
            if not os.path.isdir(directory):
                raise FileNotFoundError(f"localization dir {directory} is not a directory")
            self.local.import_csv([directory])

    @property
    def current_language(self) -> str:
        """The language messages are given in."""
        return self.local.current_language

    def set_language(self, lang: str) -> None:
        """Switch the language of `get_message`."""
        self.local.set_language(lang)

    def get_message(self, code: str | int, *args: Any) -> str:
        """The message of `code` formatted with `args`; falls back to `en`, then the code."""
        return str(self.local.get_message(code, *args))

    def info(self) -> dict[str, Any]:
        """Language and project catalogue directory."""
        return {**super().info(), "info": {**self.local.get_info(), "dir": self.dir}}


class LoggerComponent(Component):
    """Hostray loggers, writing under `dir` (absolute) when set; the default loggers' level."""

    default_loggers: ClassVar[list[str]] = list(DEFAULT_LOGGERS)

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Route the default loggers (Tornado's, SQLAlchemy's) to files in `dir` when set
        (`LoggerSettings`)."""
        self.settings = LoggerSettings.from_config(config, root_dir)
        set_log_format(self.settings.format)  # kept after dispose: the last lines keep it too
        self.dir = directory = self.settings.dir
        self._before = {name: _logger_state(name) for name in self.default_loggers}
        for name in self.default_loggers:
            get_Hostray_logger(
                name, log_to_resource=directory is not None, log_dir=directory, echo=False
            )

    def set_debug(self, debug: bool) -> None:
        """Debug mode: default loggers at INFO and echoed; otherwise at ERROR (as the seed)."""
        set_default_loggers_level(logging.INFO if debug else logging.ERROR, self.default_loggers)
        self.set_default_logger_echo(debug)

    def set_default_logger_echo(self, echo: bool) -> None:
        """Print the default loggers' records to stdout, or stop doing so."""
        for name in self.default_loggers:
            get_Hostray_logger(
                name, log_to_resource=self.dir is not None, log_dir=self.dir, echo=echo
            )

    def get_logger(
        self,
        name: str,
        sub_dir: str = "",
        mode: str = "a",
        encoding: str = "utf-8",
        echo: bool = False,
    ) -> HostrayLogger:
        """The logger `name`, writing to `dir/sub_dir/<name>.log` when the component has a `dir`."""
        return get_Hostray_logger(
            name,
            log_to_resource=self.dir is not None,
            log_dir=self.dir,
            sub_dir=sub_dir,
            mode=mode,
            encoding=encoding,
            echo=echo,
        )

    def info(self) -> dict[str, Any]:
        """The log directory."""
        return {**super().info(), "info": {"dir": self.dir, "format": self.settings.format}}

    def dispose(self, component_manager: ComponentManager) -> None:
        """Close the log files and give the default loggers their level and echo back."""
        for name, (level, echo) in self._before.items():
            logger = get_Hostray_logger(name, echo=echo)
            logger.setLevel(level)


def _logger_state(name: str) -> tuple[int, bool]:
    """Level and stdout echo of a logger before the component configured it."""
    logger = logging.getLogger(name)
    echo = isinstance(logger, HostrayLogger) and logger.echo
    return logger.level, echo


class CallbackComponent(Component):
    """`Callbacks` per enum class, created on first use; no configuration."""

    def init(self, component_manager: ComponentManager, **kwargs: Any) -> None:
        """Start with no callbacks."""
        self._callbacks: dict[type[Enum], Callbacks] = {}

    def get_callback_obj(self, enum_cls: type[Enum]) -> Callbacks:
        """The `Callbacks` of `enum_cls`."""
        if enum_cls not in self._callbacks:
            self._callbacks[enum_cls] = Callbacks(enum_cls)
        return self._callbacks[enum_cls]

    def add_callback(self, callback_enum_type: Enum, callback: Callable[..., Any]) -> None:
        """Register `callback` for the event `callback_enum_type`."""
        self.get_callback_obj(_enum_class(callback_enum_type)).add_callback(
            callback_enum_type, callback
        )

    def remove_callback(self, callback_enum_type: Enum, callback: Callable[..., Any]) -> None:
        """Unregister `callback` from the event `callback_enum_type`."""
        self.get_callback_obj(_enum_class(callback_enum_type)).remove_callback(
            callback_enum_type, callback
        )

    def execute_callback(self, callback_enum_type: Enum, *args: Any, **kwargs: Any) -> None:
        """Run the event's callbacks now."""
        self.get_callback_obj(_enum_class(callback_enum_type)).execute_callback(
            callback_enum_type, *args, **kwargs
        )

    async def execute_callback_async(
        self, callback_enum_type: Enum, *args: Any, **kwargs: Any
    ) -> None:
        """Run the event's callbacks, awaiting the async ones."""
        await self.get_callback_obj(_enum_class(callback_enum_type)).execute_callback_async(
            callback_enum_type, *args, **kwargs
        )

    def info(self) -> dict[str, Any]:
        """The enum classes with registered callbacks."""
        return {**super().info(), "info": sorted(c.__qualname__ for c in self._callbacks)}


def _enum_class(member: Enum) -> type[Enum]:
    if not isinstance(member, Enum):
        raise TypeError(f"callback events are Enum members, got {member!r}")
    return type(member)


class WorkerPoolComponent(Component):
    """Named `AsyncWorkerPool`s (`pool_id: workers`); a `default` pool always exists."""

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Create the configured pools and the default one (`WorkerPoolSettings`)."""
        self.settings = WorkerPoolSettings.from_config(config)
        self.pools: dict[str, AsyncWorkerPool] = {}
        self.call_observer: Callable[[str, float], None] | None = None
        """Called with (pool_id, seconds) after each `run_method_async` (the `metrics` one)."""
        for pool_id, workers in self.settings.pools.items():
            self.set_pool(pool_id, workers)

    def set_pool(
        self, pool_id: str = DEFAULT_POOL_ID, worker_limit: int = DEFAULT_POOL_WORKERS
    ) -> None:
        """Create the pool `pool_id`, or replace it (the old one finishes its calls)."""
        old = self.pools.get(pool_id)
        self.pools[pool_id] = AsyncWorkerPool(pool_id, worker_limit=worker_limit)
        if old is not None:
            old.dispose()

    def _pool(self, pool_id: str) -> AsyncWorkerPool:
        try:
            return self.pools[pool_id]
        except KeyError:
            known = ", ".join(repr(p) for p in self.pools)
            raise LookupError(f"worker_pool has no pool {pool_id!r} (pools: {known})") from None

    def run_method(
        self, func: Callable[..., Any], *args: Any, pool_id: str = DEFAULT_POOL_ID, **kwargs: Any
    ) -> Any:
        """Run `func` in the pool and return its result (blocks the calling thread); it runs in
        the caller's request context (log request id)."""
        return self._pool(pool_id).run_method(in_request_context(func), *args, **kwargs)

    async def run_method_async(
        self, func: Callable[..., Any], *args: Any, pool_id: str = DEFAULT_POOL_ID, **kwargs: Any
    ) -> Any:
        """Run `func` in the pool and await its result; it runs in the caller's request context
        (log request id)."""
        pool = self._pool(pool_id)
        func = in_request_context(func)
        observer = self.call_observer
        if observer is None:
            return await pool.run_method_async(func, *args, **kwargs)
        started = time.perf_counter()
        try:
            return await pool.run_method_async(func, *args, **kwargs)
        finally:
            observer(pool_id, time.perf_counter() - started)

    def info(self) -> dict[str, Any]:
        """Each pool's `info()`."""
        return {**super().info(), "info": {k: v.info() for k, v in self.pools.items()}}

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Close the pools, letting their queued calls finish up to `shutdown_timeout`."""
        pools = list(self.pools.values())
        closing = asyncio.gather(*(asyncio.to_thread(pool.dispose) for pool in pools))
        try:
            await asyncio.wait_for(asyncio.shield(closing), component_manager.shutdown_timeout)
        except asyncio.TimeoutError:
            # The pools keep closing after the timeout; when the loop ends and cancels them, the
            # outcome is nobody's to read: retrieve it, or asyncio logs "exception was never
            # retrieved" on the way out.
            closing.add_done_callback(_discard_outcome)
            busy = ", ".join(p.pool_name for p in pools if any(w.pending_count for w in p.workers))
            if busy:
                logging.getLogger("hostray.web.worker_pool").error(
                    message(component_manager, 107, busy)
                )


def _discard_outcome(future: asyncio.Future[Any]) -> None:
    """Mark a future's exception (a cancellation at loop shutdown) as retrieved."""
    if not future.cancelled():
        future.exception()
