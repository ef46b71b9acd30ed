"""dispose(): new calls get PoolClosedError; calls already queued still run; nothing is dropped."""

from __future__ import annotations

import asyncio
import threading

import pytest

from hostray.workers import AsyncWorkerPool, FunctionQueueWorker, PoolClosedError, WorkerPool


def test_new_calls_of_every_kind_are_refused_after_dispose() -> None:
    pool = AsyncWorkerPool(worker_limit=2)
    with pool.reserve_worker() as identity:
        pool.run_method(int, identity=identity)
        pool.dispose()
        with pytest.raises(PoolClosedError, match="AsyncWorkerPool is disposed"):
            pool.run_method(int, identity=identity)
    assert pool.closed
    with pytest.raises(PoolClosedError):
        pool.run_method(int)
    with pytest.raises(PoolClosedError), pool.reserve_worker():
        pass
    with pytest.raises(PoolClosedError):
        pool.broadcast_method("wait")
    assert issubclass(PoolClosedError, RuntimeError)

    async def async_calls() -> None:
        with pytest.raises(PoolClosedError):
            await pool.run_method_async(int)
        with pytest.raises(PoolClosedError):
            async with pool.reserve_worker_async():
                pass
        with pytest.raises(PoolClosedError):
            await pool.broadcast_method_async("wait")

    asyncio.run(async_calls())


def test_calls_racing_dispose_either_run_or_get_pool_closed_error() -> None:
    pool = WorkerPool(worker_limit=2)
    release = threading.Event()
    outcomes: list[object] = []
    lock = threading.Lock()

    def call(value: int) -> None:
        try:
            outcome: object = pool.run_method(lambda: (release.wait(), value)[1])
        except PoolClosedError as exc:
            outcome = exc
        with lock:
            outcomes.append(outcome)

    callers = [threading.Thread(target=call, args=(i,)) for i in range(30)]
    for t in callers[:15]:
        t.start()
    disposer = threading.Thread(target=pool.dispose)
    disposer.start()
    for t in callers[15:]:
        t.start()
    release.set()
    for t in [*callers, disposer]:
        t.join(timeout=10)
        assert not t.is_alive(), "a call was dropped: its caller still waits"
    assert len(outcomes) == 30
    ran = sorted(o for o in outcomes if isinstance(o, int))
    refused = [o for o in outcomes if isinstance(o, PoolClosedError)]
    assert len(ran) + len(refused) == 30
    assert len(set(ran)) == len(ran)
    assert all(not w.is_alive() for w in pool.workers)


async def test_queued_async_calls_complete_across_dispose() -> None:
    pool = AsyncWorkerPool(worker_limit=1)
    release = threading.Event()
    blocker = pool.run_method_async(release.wait)
    queued = [pool.run_method_async(lambda i=i: i * 10) for i in range(50)]
    disposing = asyncio.ensure_future(asyncio.to_thread(pool.dispose))
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.wait_for(blocker, 10) is True
    assert await asyncio.wait_for(asyncio.gather(*queued), 10) == [i * 10 for i in range(50)]
    await asyncio.wait_for(disposing, 10)


def test_a_call_can_dispose_its_own_pool_without_deadlock() -> None:
    pool = WorkerPool(worker_limit=1)
    pool.run_method(pool.dispose)
    assert pool.closed
    with pytest.raises(PoolClosedError):
        pool.run_method(int)


def test_on_thread_exit_runs_for_every_worker_on_dispose() -> None:
    exited: list[tuple[str, int]] = []

    class Tracking(FunctionQueueWorker):
        def on_thread_exit(self) -> None:
            exited.append((self.name, threading.get_ident()))

    class TrackingPool(WorkerPool):
        worker_type = Tracking

    pool = TrackingPool(pool_name="tracked", worker_limit=3)
    with pool.reserve_worker() as a, pool.reserve_worker() as b, pool.reserve_worker() as c:
        for identity in (a, b, c):
            pool.run_method(int, identity=identity)
    workers = {(w.name, w.ident) for w in pool.workers}
    pool.dispose()
    assert set(exited) == workers
    assert len(exited) == 3


def test_dispose_twice_is_harmless() -> None:
    pool = WorkerPool()
    pool.run_method(int)
    pool.dispose()
    pool.dispose()
    assert pool.closed


def test_a_pooled_worker_cannot_be_disposed_on_its_own() -> None:
    with WorkerPool() as pool:
        pool.run_method(int)
        with pytest.raises(RuntimeError, match="dispose the pool"):
            pool.workers[0].dispose()


async def test_an_async_flood_racing_dispose_leaves_no_future_pending() -> None:
    pool = AsyncWorkerPool(worker_limit=2)
    await asyncio.gather(*(pool.run_method_async(threading.Event().wait, 0) for _ in range(4)))
    futures: list[asyncio.Future[int]] = []
    disposer = threading.Thread(target=pool.dispose)
    for i in range(3000):
        if i == 1000:
            disposer.start()
        try:
            futures.append(pool.run_method_async(abs, -i))
        except PoolClosedError:
            break
        if i % 100 == 0:
            await asyncio.sleep(0)
    outcomes = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), 10)
    disposer.join(timeout=10)
    assert not disposer.is_alive()
    ran = [o for o in outcomes if not isinstance(o, BaseException)]
    assert ran == list(range(len(ran)))
    assert all(isinstance(o, PoolClosedError) for o in outcomes[len(ran) :])
