"""`PendingTasks`: the tasks a backend accepted and has not handed on yet, so that its `close()`
can refuse new ones, wait (without polling) for the rest up to `shutdown_timeout` and name those
left over. Shared by the thread and Celery backends of `task_queue`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from ..errors import TaskDroppedError, TaskQueueClosedError

__all__ = ["PendingTasks", "Task"]


class Task:
    """One accepted call; `state` goes queued → running → done, or queued → abandoned."""

    __slots__ = ("name", "state")

    def __init__(self, name: str) -> None:
        self.name = name
        self.state = "queued"


class PendingTasks:
    """The accepted tasks of one backend, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: set[Task] = set()
        self._closing = False
        self._drained: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None
        self._done = 0
        self._failed = 0

    def __len__(self) -> int:
        return len(self._pending)

    def accept(self, name: str) -> Task:
        """A new task named `name`; `TaskQueueClosedError` once `close` began."""
        with self._lock:
            if self._closing:
                raise TaskQueueClosedError(f"task_queue is shutting down; {name} was not queued")
            task = Task(name)
            self._pending.add(task)
            return task

    def start(self, task: Task) -> None:
        """Mark `task` running; `TaskDroppedError` if shutdown abandoned it meanwhile."""
        with self._lock:
            if task.state == "abandoned":
                raise TaskDroppedError(f"task_queue: {task.name} dropped at shutdown")
            task.state = "running"

    def finish(self, task: Task, failed: bool = False) -> None:
        """Forget `task` (`failed`: it raised); wakes `close` when it was the last one."""
        with self._lock:
            task.state = "done"
            self._done += 1
            self._failed += failed
            self._pending.discard(task)
            if self._pending or self._drained is None:
                return
            loop, future = self._drained
        loop.call_soon_threadsafe(_resolve, future)

    def counts(self) -> dict[str, int]:
        """Tasks `queued` and `running` now, `done` (failed included) and `failed` since start."""
        with self._lock:
            running = sum(1 for task in self._pending if task.state == "running")
            return {
                "queued": len(self._pending) - running,
                "running": running,
                "done": self._done,
                "failed": self._failed,
            }

    def running(self) -> int:
        """How many tasks are running right now."""
        with self._lock:
            return sum(1 for task in self._pending if task.state == "running")

    async def close(self, timeout: float) -> list[tuple[int, str]]:
        """Refuse new tasks and wait up to `timeout` s for the accepted ones; then abandon those
        not started. `(105, name)` for each abandoned task, `(106, name)` for each still running."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._closing = True
            if self._pending:
                self._drained = (loop, future)
            else:
                future.set_result(None)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(future, timeout)
        left: list[tuple[int, str]] = []
        with self._lock:
            for task in sorted(self._pending, key=lambda t: t.name):
                if task.state == "queued":
                    task.state = "abandoned"
                    self._pending.discard(task)
                    left.append((105, task.name))
                else:
                    left.append((106, task.name))
        return left


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
