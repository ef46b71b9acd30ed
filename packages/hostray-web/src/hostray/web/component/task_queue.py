"""`TaskQueueComponent`: fire-and-forget functions on queue worker threads, none silently lost.

`run_method_in_queue` returns at once. When the server stops, queued tasks get up to the server's
`shutdown_timeout` to finish; every task that could not (never started, or still running) is logged
by name on the `hostray.web.task_queue` logger.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from hostray.workers import FunctionQueueWorker

from ..errors import TaskDroppedError, TaskQueueClosedError
from ..messages import message
from ..request_context import in_request_context
from .base import Component, ComponentManager

__all__ = ["TaskDroppedError", "TaskQueueComponent"]

log = logging.getLogger("hostray.web.task_queue")


class _Task:
    """One queued call; `state` goes queued → running → done, or queued → abandoned."""

    __slots__ = ("name", "state", "worker")

    def __init__(self, name: str, worker: FunctionQueueWorker) -> None:
        self.name = name
        self.state = "queued"
        self.worker = worker


class TaskQueueComponent(Component):
    """Runs functions on `worker_count` queue threads without blocking the caller."""

    def init(
        self, component_manager: ComponentManager, worker_count: int = 1, **kwargs: Any
    ) -> None:
        """Keep `worker_count` queue workers (started on first use)."""
        self.worker_count = worker_count
        self._workers: list[FunctionQueueWorker] = []
        self._lock = threading.Lock()
        self._pending: set[_Task] = set()
        self._done = 0
        self._failed = 0
        self._closing = False
        self._drained: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None

    def run_method_in_queue(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_finish: Callable[[Any], None] | None = None,
        on_exception: Callable[[Exception], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue `func(*args, **kwargs)` on the least busy worker and return at once.

        `on_finish(result)` or `on_exception(exc)` runs on the worker thread afterwards.
        """
        if not callable(func):
            raise TypeError(f"task_queue: expected a callable, got {func!r}")
        with self._lock:
            if self._closing:
                raise TaskQueueClosedError(
                    f"task_queue is shutting down; {_name_of(func)} was not queued"
                )
            worker = self._pick_worker()
            task = _Task(_name_of(func), worker)
            self._pending.add(task)
        worker.run_method(  # in the caller's request context: its log lines keep the request id
            in_request_context(self._run),
            task,
            func,
            args,
            kwargs,
            on_finish=on_finish,
            on_exception=on_exception,
        )

    def _pick_worker(self) -> FunctionQueueWorker:
        if len(self._workers) < self.worker_count:
            worker = FunctionQueueWorker(f"task_queue-{len(self._workers)}")
            self._workers.append(worker)
            return worker
        return min(self._workers, key=lambda w: w.pending_count)

    def _run(
        self, task: _Task, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        with self._lock:
            if task.state == "abandoned":
                raise TaskDroppedError(f"task_queue: {task.name} dropped at shutdown")
            task.state = "running"
        failed = True
        try:
            result = func(*args, **kwargs)
            failed = False
            return result
        finally:
            self._finished(task, failed)

    def _finished(self, task: _Task, failed: bool) -> None:
        with self._lock:
            task.state = "done"
            self._done += 1
            self._failed += failed
            self._pending.discard(task)
            if self._pending or self._drained is None:
                return
            loop, future = self._drained
        loop.call_soon_threadsafe(_resolve, future)

    def metrics_state(self) -> dict[str, int]:
        """Tasks queued and running now, and done and failed since start (the `metrics` gauges)."""
        with self._lock:
            running = sum(1 for task in self._pending if task.state == "running")
            return {
                "queued": len(self._pending) - running,
                "running": running,
                "done": self._done,
                "failed": self._failed,
            }

    def info(self) -> dict[str, Any]:
        """Worker limit and the calls pending on each worker."""
        return {
            **super().info(),
            "info": {
                "maximum_of_workers": self.worker_count,
                "pendings": {w.name: w.pending_count for w in self._workers},
            },
        }

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Refuse new tasks, wait up to `shutdown_timeout` for queued ones, log those left over."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._closing = True
            if self._pending:
                self._drained = (loop, future)
            else:
                future.set_result(None)
        try:
            await asyncio.wait_for(future, component_manager.shutdown_timeout)
        except asyncio.TimeoutError:
            self._report_leftovers(component_manager)
        with self._lock:
            busy = {task.worker for task in self._pending if task.state == "running"}
        # A worker still running a task is left to finish it (its thread is a daemon).
        free = [w for w in self._workers if w not in busy]
        await asyncio.gather(*(asyncio.to_thread(w.dispose) for w in free))

    def _report_leftovers(self, component_manager: ComponentManager) -> None:
        with self._lock:
            leftovers = sorted(self._pending, key=lambda t: t.name)
            for task in leftovers:
                if task.state == "queued":
                    task.state = "abandoned"
                    self._pending.discard(task)
        for task in leftovers:
            code = 105 if task.state == "abandoned" else 106
            log.error("task_queue: %s", message(component_manager, code, task.name))


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _name_of(func: Callable[..., Any]) -> str:
    module = getattr(func, "__module__", None)
    name = getattr(func, "__qualname__", None) or repr(func)
    return f"{module}.{name}" if module else name
