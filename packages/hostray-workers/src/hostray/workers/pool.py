"""`WorkerPool` and `AsyncWorkerPool`: calls spread over up to `worker_limit` queue workers.

Unreserved calls wait in one shared queue that every free worker takes from; a reserved worker
(`reserve_worker()`) takes only the calls made with its identity, in order, on its one thread.
Workers are created when a call finds none idle, up to `worker_limit`.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from hostray.workers._calls import (
    AsyncCall,
    Call,
    CallbackCall,
    DirectAsyncCall,
    DirectSyncCall,
    Inbox,
    SyncCall,
    check_callable,
    inbox_for,
)
from hostray.workers._disposable import Disposable
from hostray.workers._hub import Hub, current_worker, track_for_exit
from hostray.workers._reservation import AsyncReservation, Reservation, Waiter
from hostray.workers.errors import PoolClosedError
from hostray.workers.worker import FunctionQueueWorker

__all__ = ["AsyncWorkerPool", "WorkerPool"]

logger = logging.getLogger("hostray.workers")


class WorkerPool(Disposable):
    """Runs functions on a bounded set of `FunctionQueueWorker` threads; blocking API.

    Subclasses choose the worker class with `worker_type` or override `new_worker()`.
    """

    worker_type: type[FunctionQueueWorker] = FunctionQueueWorker

    def __init__(self, pool_name: str | None = None, worker_limit: int = 4) -> None:
        if isinstance(worker_limit, bool) or not isinstance(worker_limit, int) or worker_limit < 1:
            raise ValueError(f"worker_limit must be a positive integer, got {worker_limit!r}")
        self.pool_name: str = pool_name or type(self).__name__
        self.worker_limit = worker_limit
        self._hub = Hub(self.pool_name)
        self._workers: list[FunctionQueueWorker] = []
        self._spawning = 0
        self._full = False  # worker_limit workers exist or are being made: no more to create
        self._created = 0
        self._reservations: dict[str, FunctionQueueWorker] = {}
        self._identity_prefix = secrets.token_hex(6)  # an identity names one pool's reservation
        self._serial = itertools.count(1)
        track_for_exit(self)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.pool_name!r} {len(self._workers)}/{self.worker_limit}>"
        )

    @property
    def workers(self) -> list[FunctionQueueWorker]:
        """The workers made so far, oldest first."""
        return list(self._workers)

    @property
    def closed(self) -> bool:
        """Whether `dispose()` has begun."""
        return self._hub.closed

    def info(self) -> dict[str, Any]:
        """A snapshot of the pool: limits, queued calls, callers waiting for a reservation and,
        per worker, its reservation and backlog."""
        with self._hub.lock:
            owners = {id(w): identity for identity, w in self._reservations.items()}
            return {
                "pool_name": self.pool_name,
                "worker_limit": self.worker_limit,
                "closed": self._hub.closed,
                "queued": len(self._hub.shared),
                "waiting": sum(not w.gone for w in self._hub.waiters),
                "workers": [
                    {
                        "name": w.name,
                        "identity": owners.get(id(w)),
                        "pending_task": w.pending_count,
                    }
                    for w in self._workers
                ],
            }

    def new_worker(self) -> FunctionQueueWorker:
        """Extension point: make one (unstarted) worker for this pool; the pool names, adopts and
        starts it. The default is `self.worker_type()`."""
        return self.worker_type()

    def run_method(
        self, func: Callable[..., Any], *args: Any, identity: str | None = None, **kwargs: Any
    ) -> Any:
        """Run `func(*args, **kwargs)` on a worker; block, then return its result or raise.

        With `identity` (from `reserve_worker()`) it runs on that reserved worker, after the
        calls made with the same identity before it.
        """
        call = SyncCall(func, args, kwargs)
        if identity is not None:
            self._submit_reserved(call, identity)
        elif (here := current_worker()) is not None and here._hub is self._hub:
            call.run(here)  # waiting for another worker from a worker could deadlock the pool
        else:
            self._submit_shared(call)
        return call.result()

    def submit(
        self,
        func: Callable[..., Any],
        *args: Any,
        on_finish: Callable[[Any], Any] | None = None,
        on_exception: Callable[[Exception], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue `func(*args, **kwargs)` on the shared queue and return at once (any thread).

        `on_finish(result)` or `on_exception(exc)` runs on the worker thread afterwards; an
        exception with no `on_exception` is logged to the `hostray.workers` logger.
        """
        check_callable(func, "expected a callable", owner=self.pool_name)
        self._submit_shared(CallbackCall(func, args, kwargs, on_finish, on_exception))

    def reserve_worker(self) -> Reservation:
        """Reserve one worker for the `with` block; yields the identity to pass to run_method.

        While every worker is reserved, callers wait in line and each release serves the oldest.
        """
        return Reservation(self)

    def broadcast_method(self, func_name: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Call `worker.<func_name>(*args, **kwargs)` on each worker's own thread; results in order.

        The method is called as it is, not through `worker.execute()`. Workers without that
        attribute are skipped. Every call runs; the first exception is raised after all finished.
        """
        calls = self._broadcast(func_name, lambda f: DirectSyncCall(f, args, kwargs))
        return _results([c.outcome() for c in calls])

    def dispose(self) -> None:
        """Refuse new calls (PoolClosedError), let queued calls run, then end every worker."""
        hub = self._hub
        with hub.lock:
            hub.closed = True
            for worker in self._workers:
                hub.wake(worker)
            while hub.wake_next_waiter():  # each one looks again and meets PoolClosedError
                pass
            workers = list(self._workers)
        for worker in workers:
            worker._join()

    def _submit_shared(self, call: Call) -> None:
        hub = self._hub
        appended = False
        if self._full and not hub.closed:
            # The hot path, without the lock: every worker exists and is busy. Looked at again
            # after the append (see QueueThread._sleep): a worker that fell asleep meanwhile, a
            # dispose() that began, or a failed worker creation take the locked way below.
            hub.shared.append(call)
            if not hub.idle and not hub.closed and self._full:
                return
            appended = True
        stranded: list[Call] = []
        spawn = False
        with hub.lock:
            if hub.closed:
                if not appended:
                    hub.check_open()
                if hub.alive or self._spawning:
                    return  # live workers drain the shared queue before they end
                stranded.extend(hub.shared)
                hub.shared.clear()
            else:
                if not appended:
                    hub.shared.append(call)
                if hub.idle:
                    hub.wake(hub.idle[-1])
                    return
                if len(self._workers) + self._spawning >= self.worker_limit:
                    self._full = True
                    return
                if len(hub.shared) == 1 and any(
                    w._current is None and not w._reserved for w in self._workers
                ):
                    return  # a worker between two calls takes it before it sleeps
                self._spawning += 1
                spawn = True
        if spawn:
            self._spawn(reserved=False)
            return
        error = PoolClosedError(f"{self.pool_name} is disposed; the call was not run")
        for queued in stranded:
            queued.fail(error)

    def _submit_reserved(self, call: Call, identity: str) -> None:
        hub = self._hub
        with hub.lock:
            hub.check_open()
            worker = self._reservations.get(identity)
            if worker is None:
                raise ValueError(
                    f"{self.pool_name}: identity {identity!r} is not a current reservation "
                    "(use the one reserve_worker() yields, inside its with block)"
                )
            if threading.current_thread() is not worker._thread:
                worker._push_locked(call)
                return
        call.run(worker)

    def _spawn(self, reserved: bool) -> FunctionQueueWorker:
        """Make, adopt and start one worker; `_spawning` was counted up by the caller."""
        hub = self._hub
        try:
            worker = self.new_worker()
            if not isinstance(worker, FunctionQueueWorker):
                raise TypeError(
                    f"{type(self).__name__}.new_worker() must return a FunctionQueueWorker, "
                    f"got {worker!r}"
                )
            with hub.lock:
                self._created += 1
                index = self._created
            worker._adopt(hub, f"{self.pool_name}-{index}")
            worker._reserved = reserved
        except BaseException as exc:
            self._spawn_failed(exc, reserved)
            raise
        with hub.lock:
            self._spawning -= 1
            self._workers.append(worker)
            worker._start_locked()
        return worker

    def _spawn_failed(self, exc: BaseException, reserved: bool) -> None:
        """Fail the queued calls no worker will ever take, so that none waits forever."""
        hub = self._hub
        orphans: list[Call] = []
        with hub.lock:
            self._spawning -= 1
            self._full = False
            if not self._workers and not self._spawning:
                orphans = list(hub.shared)
                hub.shared.clear()
            hub.wake_next_waiter()  # a worker can be made again: the oldest waiter tries
        if not reserved:
            logger.error("%s: could not create a worker", self.pool_name, exc_info=exc)
        for call in orphans:
            call.fail(exc)

    def _next_identity(self) -> str:
        return f"{self._identity_prefix}-{next(self._serial):x}"

    def _reserve(self, waiter: Waiter) -> bool:
        """Give `waiter` a worker now (True), or put it in line for the next release (False)."""
        hub = self._hub
        with hub.lock:
            hub.check_open()
            if hub.idle:
                worker = cast(FunctionQueueWorker, hub.idle.pop())
            elif len(self._workers) + self._spawning < self.worker_limit:
                self._spawning += 1
                worker = None
            else:
                free = [w for w in self._workers if not w._reserved]
                if not free:
                    hub.waiters.append(waiter)
                    return False
                worker = min(free, key=lambda w: (w._current is not None, len(w._own)))
            if worker is not None:
                worker._reserved = True
                waiter.worker = worker
                self._reservations[waiter.identity] = worker
                return True
        worker = self._spawn(reserved=True)
        with hub.lock:
            waiter.worker = worker
            self._reservations[waiter.identity] = worker
        return True

    def _release(self, identity: str) -> None:
        with self._hub.lock:
            self._pass_on_locked(self._reservations.pop(identity))

    def _abandon(self, waiter: Waiter) -> None:
        with self._hub.lock:
            waiter.gone = True
            worker, waiter.worker = waiter.worker, None
            if worker is not None:
                del self._reservations[waiter.identity]
                self._pass_on_locked(cast(FunctionQueueWorker, worker))

    def _pass_on_locked(self, worker: FunctionQueueWorker) -> None:
        """A reserved worker is let go: it stays reserved for the oldest waiter, if any."""
        hub = self._hub
        waiters = hub.waiters
        reservations = self._reservations
        while waiters:
            waiter = waiters.popleft()
            if waiter.gone:
                continue
            reservations[waiter.identity] = worker
            if waiter.offer(worker):
                return
            del reservations[waiter.identity]
        worker._reserved = False
        hub.wake(worker)

    def _broadcast(self, func_name: str, make: Callable[[Callable[..., Any]], _C]) -> list[_C]:
        hub = self._hub
        calls: list[_C] = []
        inline: list[tuple[_C, FunctionQueueWorker]] = []
        with hub.lock:
            hub.check_open()
            for worker in self._workers:
                method = getattr(worker, func_name, None)
                if method is None:
                    continue
                call = make(method)
                calls.append(call)
                if threading.current_thread() is worker._thread:
                    inline.append((call, worker))
                else:
                    worker._push_locked(call)
        for call, worker in inline:
            call.run(worker)
        return calls


_C = TypeVar("_C", bound=Call)


class AsyncWorkerPool(WorkerPool):
    """A `WorkerPool` whose calls can also be awaited from an asyncio event loop."""

    _inbox: Inbox
    _inbox_loop: asyncio.AbstractEventLoop | None = None  # the loop `_inbox` serves

    def run_method_async(
        self, func: Callable[..., Any], *args: Any, identity: str | None = None, **kwargs: Any
    ) -> asyncio.Future[Any]:
        """Queue `func(*args, **kwargs)` on a worker; await the returned future for its result.

        Cancelling the future before a worker starts the call means it never runs.
        """
        loop = asyncio.get_running_loop()
        if loop is not self._inbox_loop:
            self._inbox, self._inbox_loop = inbox_for(loop), loop
        inbox = self._inbox
        future = loop.create_future()
        if identity is None:
            self._submit_shared(AsyncCall(func, args, kwargs, future, inbox))
        else:
            self._submit_reserved(AsyncCall(func, args, kwargs, future, inbox), identity)
        return future

    def reserve_worker_async(self) -> AsyncReservation:
        """Reserve one worker for the `async with` block; yields the identity for run_method*.

        Waiting callers are served first come, first served; a cancelled one gives up its place.
        """
        return AsyncReservation(self)

    async def broadcast_method_async(self, func_name: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Like `broadcast_method`, awaited; awaitable results are awaited on the loop as well."""
        loop = asyncio.get_running_loop()
        inbox = inbox_for(loop)
        calls = self._broadcast(
            func_name, lambda f: DirectAsyncCall(f, args, kwargs, loop.create_future(), inbox)
        )
        results = await asyncio.gather(*(c.future for c in calls), return_exceptions=True)
        results = await asyncio.gather(*(_settle(r) for r in results), return_exceptions=True)
        return _results([(not isinstance(r, BaseException), r) for r in results])


async def _settle(value: Any) -> Any:
    if isinstance(value, BaseException):
        raise value
    if inspect.isawaitable(value):
        return await value
    return value


def _results(outcomes: list[tuple[bool, Any]]) -> list[Any]:
    """The values of `outcomes`, or the first exception among them raised."""
    for ok, value in outcomes:
        if not ok:
            raise value
    return [value for _, value in outcomes]
