"""hostray 0.7.5's own worker test case (`unit_test/util_worker.py`), checked on hostray.workers.

The same behaviours, written anew: a pool's reserved and free calls return their results and
re-raise their exceptions, 5,000 coroutines share 4 workers (each: three free calls, then a
reservation with three calls), and the three standalone workers run calls with their callbacks.
Where 0.7.5 spun on `is_func_running` / `pending_count` or slept, this waits on the workers.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from hostray.workers import AsyncWorkerPool, FunctionLoopWorker, FunctionQueueWorker, Worker

MESSAGE = "raised on purpose"


def echo(index: int, count: int) -> int:
    assert index is not None
    return index


def fail(index: int, count: int) -> int:
    assert index is not None
    raise ValueError(MESSAGE)


def test_a_reserved_worker_returns_results_and_reraises() -> None:
    with AsyncWorkerPool(worker_limit=4) as pool, pool.reserve_worker() as identity:
        assert pool.run_method(echo, 1, 1, identity=identity) == 1
        assert pool.run_method(echo, 1, 2, identity=identity) == 1
        with pytest.raises(ValueError, match=MESSAGE):
            pool.run_method(fail, 1, 3, identity=identity)


@pytest.mark.timeout(60)  # 0.7.5 ran this in ~3 s; 0.8's quadratic line took minutes
async def test_5000_coroutines_with_free_and_reserved_calls_on_4_workers() -> None:
    pool = AsyncWorkerPool(worker_limit=4)

    async def coroutine(index: int) -> list[int]:
        results = [
            await pool.run_method_async(echo, index, 1),
            await pool.run_method_async(echo, index, 2),
        ]
        with pytest.raises(ValueError, match=MESSAGE):
            await pool.run_method_async(fail, index, 3)
        async with pool.reserve_worker_async() as identity:
            results.append(await pool.run_method_async(echo, index, 1, identity=identity))
            results.append(await pool.run_method_async(echo, index, 2, identity=identity))
            with pytest.raises(ValueError, match=MESSAGE):
                await pool.run_method_async(fail, index, 3, identity=identity)
        return results

    try:
        everyone = await asyncio.gather(*(coroutine(i) for i in range(5000)))
        assert len(pool.workers) <= 4
    finally:
        pool.dispose()
    assert everyone == [[i] * 4 for i in range(5000)]


class Observed:
    """What the callbacks saw: results, exceptions, and how many runs of the looped function."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.errors: list[str] = []
        self.runs = 0
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.wanted = 0

    def on_finish(self, result: Any) -> None:
        self.results.append(result)

    def on_exception(self, exc: Exception) -> None:
        self.errors.append(str(exc))

    def count(self) -> None:
        with self.lock:
            self.runs += 1
            if self.runs >= self.wanted:
                self.enough.set()

    def expect_runs(self, wanted: int) -> None:
        with self.lock:
            self.runs, self.wanted = 0, wanted
            self.enough.clear()


def test_worker_runs_with_callbacks_and_run_method_and_wait_reraises() -> None:
    seen = Observed()
    with Worker() as worker:
        assert worker.run_method(echo, 1, count=2, on_finish=seen.on_finish) is True
        assert worker.wait(10)
        assert not worker.is_func_running
        assert seen.results == [1]
        with pytest.raises(ValueError, match=MESSAGE):
            worker.run_method_and_wait(fail, 1, count=2)


def test_queue_worker_runs_both_calls_and_hands_the_failure_to_on_exception() -> None:
    seen = Observed()
    with FunctionQueueWorker() as worker:
        for func in (echo, fail):
            worker.run_method(
                func, 1, count=2, on_finish=seen.on_finish, on_exception=seen.on_exception
            )
        assert worker.wait(60)
        assert worker.pending_count == 0
    assert seen.results == [1]
    assert seen.errors == [MESSAGE]


def test_loop_worker_loops_a_function_then_the_one_that_replaces_it() -> None:
    echoes, failures = Observed(), Observed()

    def looped_echo(index: int, count: int) -> int:
        echoes.count()
        return echo(index, count)

    def looped_fail(index: int, count: int) -> int:
        failures.count()
        return fail(index, count)

    echoes.expect_runs(2)
    failures.expect_runs(2)
    with FunctionLoopWorker(loop_interval_seconds=0.1) as worker:
        worker.run_method(
            looped_echo, 1, count=2, on_finish=echoes.on_finish, on_exception=echoes.on_exception
        )
        assert echoes.enough.wait(10)
        # 0.7.5 ignored a second run_method on a looping worker; it now replaces the function.
        worker.run_method(
            looped_fail,
            1,
            count=2,
            on_finish=failures.on_finish,
            on_exception=failures.on_exception,
        )
        assert failures.enough.wait(10)
    assert len(echoes.results) >= 2
    assert set(echoes.results) == {1}
    assert echoes.errors == []
    assert failures.results == []
    assert len(failures.errors) >= 2
    assert set(failures.errors) == {MESSAGE}
