"""Standalone workers: `Worker` runs one call at a time, `FunctionQueueWorker` queues them.

Each owns one daemon thread, started by the first call; `dispose()` (or leaving the `with`
block) lets queued calls finish, then ends the thread. `wait()` blocks until the worker is idle,
so nobody needs to spin on `is_func_running` or `pending_count`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from hostray.workers._calls import (
    AsyncCall,
    CallbackCall,
    SyncCall,
    check_callable,
    inbox_for,
    loop_notifier,
)
from hostray.workers._disposable import Disposable
from hostray.workers._hub import Hub, QueueThread, track_for_exit

__all__ = ["FunctionQueueWorker", "Worker"]


class _StandaloneWorker(Disposable, QueueThread):
    """What both standalone workers share: context manager, dispose, and being disposed at exit."""

    def dispose(self) -> None:
        """Refuse new calls, let the queued ones finish, and end the thread (waits for it)."""
        if self._pooled:
            raise RuntimeError(f"{self!r} belongs to a pool; dispose the pool instead")
        with self._hub.lock:
            self._close_locked()
        self._join()

    def _start_locked(self) -> None:
        if self._thread is None and not self._pooled:
            track_for_exit(self)
        super()._start_locked()


class Worker(_StandaloneWorker):
    """A thread that runs one function at a time; `run_method` refuses while one is running."""

    @property
    def is_func_running(self) -> bool:
        """Whether a function was accepted and has not finished yet."""
        return not self._is_idle_locked()

    def run_method(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_finish: Callable[[Any], Any] | None = None,
        on_exception: Callable[[Exception], Any] | None = None,
        **kwargs: Any,
    ) -> bool:
        """Start `func(*args, **kwargs)` on the worker thread; False if one is still running.

        `on_finish(result)` or `on_exception(exc)` runs on the worker thread afterwards; an
        exception with no `on_exception` is logged to the `hostray.workers` logger.
        """
        check_callable(func)
        with self._hub.lock:
            self._hub.check_open()
            if not self._is_idle_locked():
                return False
            self._push_locked(CallbackCall(func, args, kwargs, on_finish, on_exception))
            return True

    def run_method_and_wait(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `func` on the worker thread once it is free; block, return its result or raise."""
        check_callable(func)
        if threading.current_thread() is self._thread:
            return self.execute(func, args, kwargs)
        call = SyncCall(func, args, kwargs)
        while True:
            free = threading.Lock()
            free.acquire()
            with self._hub.lock:
                self._hub.check_open()
                if self._is_idle_locked():
                    self._push_locked(call)
                    break
                self._when_idle_locked(free.release)
            free.acquire()
        return call.result()

    async def run_method_and_wait_async(
        self, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Run `func` on the worker thread once it is free; await its result (or exception)."""
        check_callable(func)
        loop = asyncio.get_running_loop()
        while True:
            free = loop.create_future()
            with self._hub.lock:
                self._hub.check_open()
                if self._is_idle_locked():
                    done = loop.create_future()
                    self._push_locked(AsyncCall(func, args, kwargs, done, inbox_for(loop)))
                    break
                self._when_idle_locked(loop_notifier(loop, free))
            await free
        return await done


class FunctionQueueWorker(_StandaloneWorker):
    """A thread that runs queued functions one after another, first in, first out.

    The workers of a `WorkerPool` are of this type (`WorkerPool.worker_type`).
    """

    @property
    def pending_count(self) -> int:
        """How many queued calls have not finished, the running one included."""
        return len(self._own) + (self._current is not None)

    def run_method(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_finish: Callable[[Any], Any] | None = None,
        on_exception: Callable[[Exception], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue `func(*args, **kwargs)`; it runs on the worker thread after those before it.

        `on_finish(result)` or `on_exception(exc)` runs on the worker thread afterwards; an
        exception with no `on_exception` is logged to the `hostray.workers` logger.
        """
        check_callable(func)
        with self._hub.lock:
            self._hub.check_open()
            self._push_locked(CallbackCall(func, args, kwargs, on_finish, on_exception))

    def _adopt(self, hub: Hub, name: str) -> None:
        """Become a worker of the pool that owns `hub` (before the thread starts)."""
        if self._thread is not None:
            raise RuntimeError(f"{self!r} already runs on its own; a pool needs a fresh worker")
        self._hub = hub
        self._pooled = True
        if not self._named:
            self.name = name
