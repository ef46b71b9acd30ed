"""`FunctionLoopWorker`: a thread that calls one function again and again until `stop()`.

Between two runs it waits `loop_interval_seconds` on a condition, so `stop()` and `dispose()`
take effect at once instead of after the pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from hostray.workers._calls import CallbackCall, check_callable
from hostray.workers._disposable import Disposable
from hostray.workers._hub import track_for_exit
from hostray.workers.errors import PoolClosedError

__all__ = ["FunctionLoopWorker"]

logger = logging.getLogger("hostray.workers")


class FunctionLoopWorker(Disposable):
    """Loops one function on its own thread, pausing `loop_interval_seconds` after each run."""

    def __init__(self, name: str | None = None, loop_interval_seconds: float = 1.0) -> None:
        if loop_interval_seconds < 0:
            raise ValueError(f"loop_interval_seconds must be >= 0, got {loop_interval_seconds!r}")
        self.name: str = name or f"{type(self).__name__}-{id(self):x}"
        self.loop_interval_seconds = loop_interval_seconds
        self._cond = threading.Condition()
        self._job: CallbackCall | None = None
        self._generation = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @property
    def is_looping(self) -> bool:
        """Whether a function is being looped (between `run_method` and `stop`)."""
        return self._job is not None

    def execute(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run one iteration on the worker thread; override to pass per-thread state."""
        return func(*args, **kwargs)

    def run_method(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_finish: Callable[[Any], Any] | None = None,
        on_exception: Callable[[Exception], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Start looping `func(*args, **kwargs)`: now, then after each pause, until `stop()`.

        `on_finish(result)` / `on_exception(exc)` run after every iteration; an exception with no
        `on_exception` is logged and the loop goes on. On a worker that already loops, `func`
        (with its own callbacks) replaces the looped function: an iteration running now finishes,
        and the next one, without waiting out the pause, runs `func`.
        """
        check_callable(func, "expected a callable to loop")
        with self._cond:
            if self._closed:
                raise PoolClosedError(f"{self.name} is disposed; the call was not run")
            self._job = CallbackCall(func, args, kwargs, on_finish, on_exception)
            self._generation += 1
            if self._thread is None:
                track_for_exit(self)
                self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop looping; an iteration already running finishes, no new one starts."""
        with self._cond:
            self._job = None
            self._generation += 1
            self._cond.notify_all()

    def dispose(self) -> None:
        """Stop looping and end the thread (waits for a running iteration to finish)."""
        with self._cond:
            self._closed = True
            self._job = None
            self._generation += 1
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _serve(self) -> None:
        cond = self._cond
        while True:
            with cond:
                cond.wait_for(lambda: self._job is not None or self._closed)
                if self._closed:
                    return
                job, generation = self._job, self._generation
            assert job is not None
            try:
                job.run(self)
            except BaseException:
                logger.exception("%s: delivering the outcome of %r failed", self.name, job.func)
            with cond:
                cond.wait_for(partial(self._moved_on, generation), self.loop_interval_seconds)

    def _moved_on(self, generation: int) -> bool:
        return self._generation != generation or self._closed
