"""The units of work a worker thread runs, and how each one hands its outcome back.

A call is queued as one small object; the worker runs it with `worker.execute(func, args, kwargs)`
and the call delivers the result: by releasing a lock (blocking callers), through a per-loop inbox
that wakes the event loop once per batch (async callers), or to `on_finish`/`on_exception`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

__all__ = [
    "AsyncCall",
    "Call",
    "CallbackCall",
    "DirectAsyncCall",
    "DirectSyncCall",
    "Executor",
    "Inbox",
    "SyncCall",
    "check_callable",
    "inbox_for",
    "loop_notifier",
]

logger = logging.getLogger("hostray.workers")


def check_callable(
    func: object, problem: str = "expected a callable to run", owner: str | None = None
) -> None:
    """Refuse `func` before it is queued unless it is callable: TypeError `[owner: ]problem, got
    func` (the message is made only then: this runs on every call)."""
    if not callable(func):
        where = f"{owner}: " if owner else ""
        raise TypeError(f"{where}{problem}, got {func!r}")


class Executor(Protocol):
    """What a call needs from the worker that runs it."""

    def execute(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run `func` on the calling (worker) thread and return its result."""


class Call:
    """A function with its arguments, waiting in a queue; subclasses say where the outcome goes."""

    __slots__ = ("args", "func", "kwargs")

    def __init__(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs

    def run(self, worker: Executor) -> None:
        """Execute on the current thread through `worker` and deliver the outcome."""
        try:
            value = worker.execute(self.func, self.args, self.kwargs)
        except BaseException as exc:  # delivered to whoever waits for this call
            self.fail(exc)
        else:
            self.succeed(value)

    def succeed(self, value: Any) -> None:
        """Hand over the function's return value."""
        raise NotImplementedError

    def fail(self, exc: BaseException) -> None:
        """Hand over the exception the function raised (or the reason it could not run)."""
        raise NotImplementedError


class SyncCall(Call):
    """A call a thread blocks on: the worker releases a lock, the caller re-raises or returns."""

    __slots__ = ("_done", "_ok", "_value")

    def __init__(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self._done = threading.Lock()
        self._done.acquire()
        self._ok = False
        self._value: Any = None

    def succeed(self, value: Any) -> None:
        self._ok, self._value = True, value
        self._done.release()

    def fail(self, exc: BaseException) -> None:
        self._ok, self._value = False, exc
        self._done.release()

    def outcome(self) -> tuple[bool, Any]:
        """Block until the call finished; `(True, result)` or `(False, exception)`."""
        self._done.acquire()
        self._done.release()
        return self._ok, self._value

    def result(self) -> Any:
        """Block until the call finished; return its result or raise its exception."""
        self._done.acquire()
        if self._ok:
            return self._value
        error, self._value = self._value, None
        try:
            raise error
        finally:
            del error


class CallbackCall(Call):
    """A fire-and-forget call whose outcome goes to `on_finish` / `on_exception` on the worker."""

    __slots__ = ("on_exception", "on_finish")

    def __init__(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_finish: Callable[[Any], Any] | None,
        on_exception: Callable[[Exception], Any] | None,
    ) -> None:
        super().__init__(func, args, kwargs)
        self.on_finish = on_finish
        self.on_exception = on_exception

    def succeed(self, value: Any) -> None:
        if self.on_finish is not None:
            try:
                self.on_finish(value)
            except Exception:
                logger.exception("on_finish callback of %r raised", self.func)

    def fail(self, exc: BaseException) -> None:
        if self.on_exception is None or not isinstance(exc, Exception):
            logger.error("%r raised and no on_exception was given", self.func, exc_info=exc)
            return
        try:
            self.on_exception(exc)
        except Exception:
            logger.exception("on_exception callback of %r raised", self.func)


class AsyncCall(Call):
    """A call an event loop awaits: its future is resolved in a batch on the loop's thread.

    A call whose future was cancelled before a worker picked it up is skipped, not run.
    """

    __slots__ = ("future", "inbox", "ok", "value")

    def __init__(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        future: asyncio.Future[Any],
        inbox: Inbox,
    ) -> None:
        # The hot path of AsyncWorkerPool: one frame, no super() call.
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.future = future
        self.inbox = inbox

    def run(self, worker: Executor) -> None:
        if self.future.cancelled():
            return
        try:
            self.value = worker.execute(self.func, self.args, self.kwargs)
            self.ok = True
        except BaseException as exc:  # delivered to the awaiting coroutine
            self.value = exc
            self.ok = False
        self.inbox.put(self)

    def succeed(self, value: Any) -> None:
        self.ok, self.value = True, value
        self.inbox.put(self)

    def fail(self, exc: BaseException) -> None:
        self.ok, self.value = False, exc
        self.inbox.put(self)


class _Plain:
    """Runs a function as it is: broadcast calls bypass the worker's `execute()` hook."""

    def execute(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        return func(*args, **kwargs)


_PLAIN = _Plain()


class DirectSyncCall(SyncCall):
    """A blocking call of a worker's own method: `method(*args, **kwargs)`, no `execute()`."""

    __slots__ = ()

    def run(self, worker: Executor) -> None:
        super().run(_PLAIN)


class DirectAsyncCall(AsyncCall):
    """An awaited call of a worker's own method: `method(*args, **kwargs)`, no `execute()`."""

    __slots__ = ()

    def run(self, worker: Executor) -> None:
        super().run(_PLAIN)


class Inbox:
    """Outcomes finished on worker threads, waiting for one event loop to pick them up.

    The first outcome of a batch schedules one `_drain` on the loop; outcomes that arrive before
    it runs ride along, so a burst of completions costs the loop one wake-up, not one per call.
    """

    __slots__ = ("__weakref__", "_done", "_loop", "_scheduled")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = weakref.ref(loop)
        self._done: deque[AsyncCall] = deque()
        self._scheduled = False

    def put(self, call: AsyncCall) -> None:
        """Queue one finished call (any thread); wake the loop if no drain is pending yet."""
        self._done.append(call)
        if not self._scheduled:
            self._schedule()

    def _schedule(self) -> None:
        self._scheduled = True
        loop = self._loop()
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop is closed: nobody can await these futures any more
            self._done.clear()

    def _drain(self) -> None:
        # Reset the flag before emptying the queue: a call queued after this point either is
        # drained below or schedules the next drain itself.
        self._scheduled = False
        done = self._done
        while done:
            call = done.popleft()
            future = call.future
            if future.done():
                continue
            if call.ok:
                future.set_result(call.value)
            else:
                future.set_exception(call.value)


_inboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Inbox] = weakref.WeakKeyDictionary()
_inboxes_lock = threading.Lock()


def inbox_for(loop: asyncio.AbstractEventLoop) -> Inbox:
    """The inbox of `loop`, shared by every pool and worker that resolves futures on it."""
    inbox = _inboxes.get(loop)
    if inbox is None:
        with _inboxes_lock:
            inbox = _inboxes.get(loop)
            if inbox is None:
                inbox = _inboxes[loop] = Inbox(loop)
    return inbox


def loop_notifier(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]
) -> Callable[[], None]:
    """A callable any thread may call to resolve `future` on its loop (ignored once done)."""

    def resolve() -> None:
        if not future.done():
            future.set_result(None)

    def notify() -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: its waiter is gone
            loop.call_soon_threadsafe(resolve)

    return notify
