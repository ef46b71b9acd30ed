"""The queue machinery one worker thread, or all the workers of a pool, share.

A worker takes calls from its own queue first (reserved and broadcast calls), then from the
hub's shared queue unless it is reserved. A worker with nothing to do sleeps on its own wake lock;
whoever queues a call for it releases that lock. Nothing ever polls.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from hostray.workers._calls import Call
from hostray.workers.errors import PoolClosedError

if TYPE_CHECKING:
    from hostray.workers._reservation import Waiter

__all__ = ["Hub", "QueueThread", "SupportsDispose", "current_worker", "track_for_exit"]

logger = logging.getLogger("hostray.workers")


class SupportsDispose(Protocol):
    """Anything with a `dispose()` that shuts it down (standalone workers and pools): the type
    `track_for_exit` takes. The base class that gives them `with` support is `Disposable`."""

    def dispose(self) -> None:
        """Stop accepting calls, finish the queued ones, end the threads."""


_live: weakref.WeakSet[SupportsDispose] = weakref.WeakSet()
_local = threading.local()


def current_worker() -> QueueThread | None:
    """The worker whose thread is running this code, None outside worker threads."""
    return getattr(_local, "worker", None)


def track_for_exit(owner: SupportsDispose) -> None:
    """Dispose `owner` at interpreter exit, so that queued calls run instead of vanishing."""
    _live.add(owner)


@atexit.register
def _dispose_live() -> None:
    for owner in list(_live):
        owner.dispose()


class Hub:
    """The lock, the shared queue and the sleeping workers of one pool or one standalone worker."""

    __slots__ = ("alive", "closed", "idle", "lock", "name", "shared", "waiters")

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.shared: deque[Call] = deque()
        self.idle: list[QueueThread] = []
        self.closed = False
        self.alive = 0  # worker threads started and not yet ended
        self.waiters: deque[Waiter] = deque()  # callers waiting for a reservation, oldest first

    def check_open(self) -> None:
        """Raise PoolClosedError once `dispose()` has begun (call with the lock held)."""
        if self.closed:
            raise PoolClosedError(f"{self.name} is disposed; the call was not run")

    def wake(self, worker: QueueThread) -> None:
        """Wake a sleeping worker so it looks at its queues again (call with the lock held)."""
        if worker._sleeping:
            worker._sleeping = False
            if worker in self.idle:
                self.idle.remove(worker)
            worker._wake.release()

    def wake_next_waiter(self) -> bool:
        """Tell the oldest reservation waiter to look again; False if none (lock held)."""
        waiters = self.waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.gone and waiter.offer(None):
                return True
        return False


class QueueThread:
    """A thread that runs queued calls one at a time, in order, sleeping while there are none.

    `execute()` and `on_thread_exit()` are the hooks subclasses override to give the calls
    per-thread state (hostray.orm passes each thread's session this way).
    """

    def __init__(self, name: str | None = None) -> None:
        self.name: str = name or f"{type(self).__name__}-{id(self):x}"
        self._named = name is not None
        self._hub = Hub(self.name)
        self._own: deque[Call] = deque()
        self._wake = threading.Lock()
        self._wake.acquire()
        self._sleeping = False
        self._reserved = False
        self._pooled = False
        self._current: Call | None = None
        self._idle_listeners: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def execute(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run one call on this worker's thread; override to pass per-thread state to `func`."""
        return func(*args, **kwargs)

    def on_thread_exit(self) -> None:
        """Runs on this worker's thread as it ends (after dispose); override to free its state."""

    @property
    def ident(self) -> int | None:
        """The thread identifier of this worker's thread, None before it started."""
        return None if self._thread is None else self._thread.ident

    def is_alive(self) -> bool:
        """Whether this worker's thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def _start_locked(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
            self._thread.start()
            self._hub.alive += 1

    def _push_locked(self, call: Call) -> None:
        """Queue `call` on this worker's own queue and wake it (hub lock held, hub open)."""
        self._own.append(call)
        self._start_locked()
        self._hub.wake(self)

    def _is_idle_locked(self) -> bool:
        return not self._own and self._current is None

    def _when_idle_locked(self, notify: Callable[[], None]) -> bool:
        """Call `notify` once the own queue is empty and nothing runs; False if already idle."""
        if self._is_idle_locked() or self._thread is None or not self._thread.is_alive():
            return False
        self._idle_listeners.append(notify)
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every call queued on this worker has finished; False on timeout."""
        done = threading.Lock()
        done.acquire()
        with self._hub.lock:
            if not self._when_idle_locked(done.release):
                return True
        if done.acquire(timeout=-1 if timeout is None else timeout):
            return True
        with self._hub.lock:
            if done.release in self._idle_listeners:
                self._idle_listeners.remove(done.release)
                return False
        return True

    def _serve(self) -> None:
        own = self._own
        hub = self._hub
        shared = hub.shared
        _local.worker = self
        try:
            while True:
                # Own calls first (reserved, broadcast), then the pool's shared queue. Both are
                # taken without the lock; the lock is only for going to sleep (see _sleep).
                if own:
                    call = own[0]
                    self._current = call
                    own.popleft()
                elif shared and (not self._reserved or hub.closed):
                    try:
                        call = shared.popleft()
                    except IndexError:  # another worker was quicker
                        continue
                    self._current = call
                elif self._sleep():
                    continue
                else:
                    return
                try:
                    call.run(self)
                except BaseException:
                    logger.exception(
                        "%s: delivering the outcome of %r failed", self.name, call.func
                    )
                self._current = None
        finally:
            try:
                self.on_thread_exit()
            except Exception:
                logger.exception("%s: on_thread_exit raised", self.name)
            with hub.lock:
                self._fire_idle_locked()

    def _sleep(self) -> bool:
        """Block until woken when there is still nothing to do; False once disposed and drained."""
        hub = self._hub
        with hub.lock:
            # Pools append to the shared queue without the lock, then look at `idle` and
            # `closed`. So: read `closed`, show this worker as idle, and only then look at the
            # queues again. Either we see the new call, or its submitter sees us and wakes us
            # (or sees `closed` and makes sure some worker, or a PoolClosedError, takes it).
            closed = hub.closed
            self._sleeping = True
            if not self._reserved:
                hub.idle.append(self)
            has_work = bool(self._own) or (bool(hub.shared) and (not self._reserved or closed))
            if has_work or closed:
                self._sleeping = False
                if not self._reserved:
                    hub.idle.remove(self)
                if has_work:
                    return True
                self._fire_idle_locked()
                hub.alive -= 1
                return False
            self._fire_idle_locked()
        self._wake.acquire()
        return True

    def _fire_idle_locked(self) -> None:
        listeners, self._idle_listeners = self._idle_listeners, []
        for notify in listeners:
            notify()

    def _close_locked(self) -> None:
        """Mark the hub closed and wake this worker so it drains its queue and ends."""
        self._hub.closed = True
        self._hub.wake(self)

    def _join(self) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
