"""How awaited calls behave: cancellation, exceptions, and few loop wake-ups for many results."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from hostray.workers import AsyncWorkerPool


async def test_a_call_cancelled_before_it_starts_never_runs() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        release = threading.Event()
        ran: list[str] = []
        blocker = pool.run_method_async(release.wait)
        doomed = pool.run_method_async(ran.append, "doomed")
        after = pool.run_method_async(ran.append, "after")
        doomed.cancel()
        release.set()
        await asyncio.wait_for(after, 10)
        await blocker
        assert ran == ["after"]
        with pytest.raises(asyncio.CancelledError):
            await doomed


async def test_cancelling_the_awaiting_task_cancels_the_queued_call() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        release = threading.Event()
        ran: list[str] = []
        blocker = pool.run_method_async(release.wait)

        async def caller() -> Any:
            return await pool.run_method_async(ran.append, "doomed")

        task = asyncio.ensure_future(caller())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        await blocker
        assert await pool.run_method_async(len, ran) == 0


async def test_a_call_cancelled_while_it_runs_finishes_and_its_result_is_dropped() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        started, release = threading.Event(), threading.Event()
        finished: list[bool] = []

        def slow() -> str:
            started.set()
            release.wait()
            finished.append(True)
            return "late"

        future = pool.run_method_async(slow)
        await asyncio.to_thread(started.wait, 10)
        future.cancel()
        release.set()
        assert await pool.run_method_async(lambda: finished) == [True]
        assert future.cancelled()


async def test_exceptions_keep_their_type_and_the_pool_keeps_working() -> None:
    class Custom(Exception):
        pass

    def fail(value: int) -> None:
        raise Custom(f"from the worker: {value}")

    with AsyncWorkerPool(worker_limit=2) as pool:
        outcomes = await asyncio.gather(
            *(pool.run_method_async(fail if i % 2 else int, i) for i in range(100)),
            return_exceptions=True,
        )
        assert [type(o) for o in outcomes] == [int if i % 2 == 0 else Custom for i in range(100)]
        assert await pool.run_method_async(str, 5) == "5"


async def test_many_completions_wake_the_loop_a_few_times_not_once_each() -> None:
    loop = asyncio.get_running_loop()
    wakeups = 0
    original = loop.call_soon_threadsafe

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal wakeups
        wakeups += 1
        return original(*args, **kwargs)

    with AsyncWorkerPool(worker_limit=4) as pool:
        release = threading.Event()
        blockers = [pool.run_method_async(release.wait) for _ in range(4)]
        futures = [pool.run_method_async(abs, -i) for i in range(2000)]
        loop.call_soon_threadsafe = counting  # type: ignore[method-assign,assignment]
        try:
            release.set()
            assert await asyncio.wait_for(asyncio.gather(*futures), 10) == list(range(2000))
            await asyncio.gather(*blockers)
        finally:
            del loop.call_soon_threadsafe
    assert 1 <= wakeups < 200  # one per batch of results, never one per call


def test_run_method_async_needs_a_running_loop() -> None:
    with AsyncWorkerPool() as pool, pytest.raises(RuntimeError, match="no running event loop"):
        pool.run_method_async(int)


async def test_await_broadcast_reraises_the_first_failure_after_all_ran() -> None:
    from hostray.workers import FunctionQueueWorker

    calls: list[str] = []

    class Flaky(FunctionQueueWorker):
        def refresh(self) -> str:
            calls.append(self.name)
            if self.name.endswith("-1"):
                raise ConnectionError(self.name)
            return self.name

    class FlakyPool(AsyncWorkerPool):
        worker_type = Flaky

    with FlakyPool(pool_name="flaky", worker_limit=2) as pool:
        async with pool.reserve_worker_async() as a, pool.reserve_worker_async() as b:
            await pool.run_method_async(int, identity=a)
            await pool.run_method_async(int, identity=b)
        with pytest.raises(ConnectionError, match="flaky-1"):
            await pool.broadcast_method_async("refresh")
        assert sorted(calls) == ["flaky-1", "flaky-2"]
        with pytest.raises(ConnectionError, match="flaky-1"):
            pool.broadcast_method("refresh")
        assert len(calls) == 4
