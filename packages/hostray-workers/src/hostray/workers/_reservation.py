"""Reserving one worker of a pool: callers wait in line, first come, first served.

A release hands the worker straight to the oldest waiter, so a release wakes exactly one caller
(as `asyncio.Semaphore` does) and a reservation costs the same however long the line is. A
waiter that gives up (cancelled, interrupted) is marked `gone` and skipped; a worker handed to
it meanwhile moves on to the next waiter, so neither a worker nor a wake-up is lost.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hostray.workers._hub import QueueThread

__all__ = ["AsyncReservation", "LoopWaiter", "Reservation", "Reserver", "ThreadWaiter", "Waiter"]


class Waiter:
    """One caller asking for a worker; `worker` is the one it got, under `identity`."""

    __slots__ = ("gone", "identity", "worker")

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self.worker: QueueThread | None = None
        self.gone = False

    def offer(self, worker: QueueThread | None) -> bool:
        """Hand `worker` over and wake the caller (None: look again); the hub lock is held.

        False when the caller can no longer take it, so the pool offers it to the next one.
        """
        raise NotImplementedError


class ThreadWaiter(Waiter):
    """A blocked thread, woken by releasing the lock it waits on."""

    __slots__ = ("_lock",)

    def __init__(self, identity: str) -> None:
        super().__init__(identity)
        self._lock = threading.Lock()
        self._lock.acquire()

    def offer(self, worker: QueueThread | None) -> bool:
        self.worker = worker
        self._lock.release()
        return True

    def wait(self) -> None:
        """Block until `offer()` was called."""
        self._lock.acquire()


class LoopWaiter(Waiter):
    """A coroutine awaiting `future`; resolved at once when the release runs on its loop."""

    __slots__ = ("_loop", "_thread_id", "future")

    def __init__(self, identity: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(identity)
        self._loop = loop
        self._thread_id = threading.get_ident()  # made by the coroutine, on its loop's thread
        self.future: asyncio.Future[None] = loop.create_future()

    def offer(self, worker: QueueThread | None) -> bool:
        if self.future.cancelled():
            return False
        self.worker = worker
        if threading.get_ident() == self._thread_id:
            self.future.set_result(None)
            return True
        try:
            self._loop.call_soon_threadsafe(self._resolve)
        except RuntimeError:  # the loop is closed: nobody will take the worker
            self.worker = None
            return False
        return True

    def _resolve(self) -> None:
        if not self.future.done():
            self.future.set_result(None)


class Reserver(Protocol):
    """What the reservation context managers need from their pool."""

    def _next_identity(self) -> str:
        """A new identity, unique in this pool and unlike any other pool's."""

    def _reserve(self, waiter: Waiter) -> bool:
        """Give `waiter` a worker now (True), or queue it for a release (False)."""

    def _abandon(self, waiter: Waiter) -> None:
        """`waiter` gives up its place; a worker it was given meanwhile goes on."""

    def _release(self, identity: str) -> None:
        """End the reservation: the worker goes to the oldest waiter, or back to the pool."""


class Reservation:
    """`with pool.reserve_worker() as identity:` — waits in line for a worker, blocking."""

    __slots__ = ("_identity", "_pool")

    def __init__(self, pool: Reserver) -> None:
        self._pool = pool
        self._identity: str | None = None

    def __enter__(self) -> str:
        pool = self._pool
        while True:
            waiter = ThreadWaiter(pool._next_identity())
            if pool._reserve(waiter):
                break
            try:
                waiter.wait()
            except BaseException:
                pool._abandon(waiter)
                raise
            if waiter.worker is not None:
                break
        self._identity = waiter.identity
        return waiter.identity

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        identity, self._identity = self._identity, None
        if identity is not None:
            self._pool._release(identity)


class AsyncReservation:
    """`async with pool.reserve_worker_async() as identity:` — awaits its turn for a worker."""

    __slots__ = ("_identity", "_pool")

    def __init__(self, pool: Reserver) -> None:
        self._pool = pool
        self._identity: str | None = None

    async def __aenter__(self) -> str:
        pool = self._pool
        loop = asyncio.get_running_loop()
        while True:
            waiter = LoopWaiter(pool._next_identity(), loop)
            if pool._reserve(waiter):
                break
            try:
                await waiter.future
            except BaseException:
                pool._abandon(waiter)
                raise
            if waiter.worker is not None:
                break
        self._identity = waiter.identity
        return waiter.identity

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        identity, self._identity = self._identity, None
        if identity is not None:
            self._pool._release(identity)
