"""`backend: thread` of `task_queue`: tasks run on a `hostray.workers.WorkerPool` of
`worker_count` threads in this process, taken from one shared queue by whichever thread is free.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from hostray.workers import WorkerPool

from ..request_context import in_request_context
from .base import ComponentManager
from .task_pending import PendingTasks, Task
from .task_queue import name_of
from .task_queue_settings import TaskQueueSettings

__all__ = ["ThreadTaskBackend"]


class ThreadTaskBackend:
    """Runs tasks on this process's threads; `on_finish` / `on_exception` on the same thread."""

    def __init__(self, settings: TaskQueueSettings) -> None:
        self.worker_count = settings.worker_count
        self._pool = WorkerPool("task_queue", worker_limit=settings.worker_count)
        self._tasks = PendingTasks()

    def submit(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_finish: Callable[[Any], None] | None,
        on_exception: Callable[[Exception], None] | None,
    ) -> None:
        """Queue the call on the pool and return at once."""
        task = self._tasks.accept(name_of(func))
        self._pool.submit(  # in the caller's request context: its log lines keep the request id
            in_request_context(self._run),
            task,
            func,
            args,
            kwargs,
            on_finish=on_finish,
            on_exception=on_exception,
        )

    def _run(
        self, task: Task, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        self._tasks.start(task)
        failed = True
        try:
            result = func(*args, **kwargs)
            failed = False
            return result
        finally:
            self._tasks.finish(task, failed)

    def counts(self) -> dict[str, int]:
        """Tasks queued, running, done and failed (`PendingTasks.counts`)."""
        return self._tasks.counts()

    def info(self) -> dict[str, Any]:
        """Worker limit, tasks not finished yet, and the pool's state."""
        return {
            "backend": "thread",
            "maximum_of_workers": self.worker_count,
            "pending": len(self._tasks),
            "pool": self._pool.info(),
        }

    async def ready(self) -> str | None:
        """Threads of this process are always there."""
        return None

    async def close(self, component_manager: ComponentManager) -> list[tuple[int, str]]:
        """Refuse new tasks, wait up to `shutdown_timeout` for queued ones; end the pool."""
        left = await self._tasks.close(component_manager.shutdown_timeout)
        if self._tasks.running():
            # A thread still running a task is left to finish it (pool threads are daemons);
            # the abandoned calls behind it then report TaskDroppedError to their on_exception.
            ender = threading.Thread(target=self._pool.dispose, name="task_queue-end", daemon=True)
            ender.start()
        else:
            await asyncio.to_thread(self._pool.dispose)
        return left
