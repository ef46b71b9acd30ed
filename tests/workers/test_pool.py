"""WorkerPool and AsyncWorkerPool: results, errors, lazy workers, reservations, any thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, cast

import pytest

from hostray.workers import AsyncWorkerPool, WorkerPool


def test_run_method_returns_the_result_and_reraises_the_exception() -> None:
    with WorkerPool() as pool:
        assert pool.run_method(divmod, 17, 5) == (3, 2)
        assert pool.run_method(dict, a=1) == {"a": 1}
        with pytest.raises(ZeroDivisionError) as caught:
            pool.run_method(divmod, 1, 0)
        assert any(frame.name == "run" for frame in caught.traceback)  # raised on the worker


def test_calls_run_on_worker_threads_not_the_callers() -> None:
    with WorkerPool(worker_limit=2) as pool:
        idents = {pool.run_method(threading.get_ident) for _ in range(20)}
        assert threading.get_ident() not in idents
        assert idents <= {w.ident for w in pool.workers}


def test_workers_are_created_lazily_up_to_the_limit() -> None:
    with WorkerPool(worker_limit=3) as pool:
        assert pool.workers == []
        pool.run_method(int)
        assert len(pool.workers) == 1  # one idle worker serves calls one after another
        pool.run_method(int)
        assert len(pool.workers) == 1

        release = threading.Event()
        started = threading.Semaphore(0)

        def block() -> int:
            started.release()
            release.wait()
            return threading.get_ident()

        callers = [_thread_result(pool.run_method, block) for _ in range(5)]
        for _ in range(3):
            assert started.acquire(timeout=10)
        assert len(pool.workers) == 3
        release.set()
        assert len({get() for get in callers}) == 3
        assert len(pool.workers) == 3


def test_worker_limit_must_be_a_positive_integer() -> None:
    for bad in (0, -1, 2.5, "4", True):
        with pytest.raises(ValueError, match="worker_limit"):
            WorkerPool(worker_limit=bad)  # type: ignore[arg-type]


def test_reserved_calls_run_on_one_thread_in_order_while_others_use_the_rest() -> None:
    with WorkerPool(worker_limit=3) as pool:
        seen: list[tuple[int, int]] = []
        with pool.reserve_worker() as identity:
            assert isinstance(identity, str)
            for i in range(100):
                pool.run_method(
                    lambda i=i: seen.append((i, threading.get_ident())), identity=identity
                )
            free = pool.run_method(threading.get_ident)
        assert [i for i, _ in seen] == list(range(100))
        (reserved,) = {ident for _, ident in seen}
        assert free != reserved


def test_a_reserved_worker_takes_no_unreserved_calls() -> None:
    with WorkerPool(worker_limit=2) as pool:
        with pool.reserve_worker() as identity:
            reserved = pool.run_method(threading.get_ident, identity=identity)
            others = {pool.run_method(threading.get_ident) for _ in range(50)}
        assert reserved not in others


def test_reservations_wait_for_a_free_worker_when_all_are_reserved() -> None:
    with WorkerPool(worker_limit=1) as pool:
        first = pool.reserve_worker()
        identity = first.__enter__()
        got: list[str] = []
        entered = threading.Event()

        def second() -> None:
            with pool.reserve_worker() as other:
                got.append(pool.run_method(lambda: "ran", identity=other))
                entered.set()

        waiter = threading.Thread(target=second)
        waiter.start()
        assert not entered.wait(0.2)  # still reserved by us
        pool.run_method(int, identity=identity)
        first.__exit__(None, None, None)
        waiter.join(timeout=10)
        assert got == ["ran"]


def test_an_unknown_or_released_identity_is_refused() -> None:
    with WorkerPool() as pool:
        with pool.reserve_worker() as identity:
            pass
        with pytest.raises(ValueError, match="not a current reservation"):
            pool.run_method(int, identity=identity)
        with pytest.raises(ValueError, match="not a current reservation"):
            pool.run_method(int, identity="made-up")


def test_a_reserved_call_made_from_its_own_worker_runs_inline() -> None:
    with WorkerPool(worker_limit=1) as pool, pool.reserve_worker() as identity:

        def nested() -> int:
            return cast(int, pool.run_method(threading.get_ident, identity=identity))

        assert pool.run_method(nested, identity=identity) == pool.workers[0].ident


def test_calls_from_many_threads_all_get_their_own_result() -> None:
    with WorkerPool(worker_limit=4) as pool:
        errors: list[BaseException] = []

        def hammer(n: int) -> None:
            try:
                for i in range(200):
                    assert pool.run_method(lambda a, b: a * b, n, b=i) == n * i
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        assert len(pool.workers) <= 4


def test_info_reports_workers_reservations_and_backlog() -> None:
    with WorkerPool(pool_name="reports", worker_limit=2) as pool:
        assert pool.info() == {
            "pool_name": "reports",
            "worker_limit": 2,
            "closed": False,
            "queued": 0,
            "waiting": 0,
            "workers": [],
        }
        with pool.reserve_worker() as identity:
            pool.run_method(int, identity=identity)
            (entry,) = pool.info()["workers"]
            assert entry == {"name": "reports-1", "identity": identity, "pending_task": 0}
    assert pool.info()["closed"] is True


def test_pool_name_defaults_to_the_class_name() -> None:
    with AsyncWorkerPool() as pool:
        assert pool.pool_name == "AsyncWorkerPool"
        assert pool.worker_limit == 4


async def test_run_method_async_results_and_exceptions() -> None:
    with AsyncWorkerPool(worker_limit=4) as pool:
        results = await asyncio.gather(*(pool.run_method_async(pow, i, 2) for i in range(1000)))
        assert results == [i * i for i in range(1000)]
        with pytest.raises(ZeroDivisionError):
            await pool.run_method_async(divmod, 1, 0)
        assert await pool.run_method_async(dict, x=1) == {"x": 1}


async def test_reserve_worker_async_keeps_calls_on_one_thread_in_order() -> None:
    with AsyncWorkerPool(worker_limit=3) as pool:
        seen: list[tuple[int, int]] = []
        async with pool.reserve_worker_async() as identity:
            await asyncio.gather(
                *(
                    pool.run_method_async(
                        lambda i=i: seen.append((i, threading.get_ident())), identity=identity
                    )
                    for i in range(300)
                )
            )
            # a blocking call with the same identity, from another thread, joins the same queue
            ident = await asyncio.to_thread(pool.run_method, threading.get_ident, identity=identity)
        assert [i for i, _ in seen] == list(range(300))
        assert {t for _, t in seen} == {ident}


async def test_reserve_worker_async_waits_without_blocking_the_loop() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        order: list[str] = []
        hold = asyncio.Event()

        async def holder() -> None:
            async with pool.reserve_worker_async():
                order.append("holder in")
                await hold.wait()
            order.append("holder out")

        async def second() -> None:
            async with pool.reserve_worker_async() as identity:
                order.append("second in")
                await pool.run_method_async(int, identity=identity)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        waiting = asyncio.create_task(second())
        for _ in range(5):
            await asyncio.sleep(0)
        assert order == ["holder in"]
        hold.set()
        await asyncio.wait_for(asyncio.gather(first, waiting), 10)
        assert order == ["holder in", "holder out", "second in"]


async def test_async_calls_from_several_event_loops_in_several_threads() -> None:
    with AsyncWorkerPool(worker_limit=2) as pool:

        async def many(offset: int) -> list[int]:
            return list(
                await asyncio.gather(*(pool.run_method_async(abs, -offset - i) for i in range(200)))
            )

        results = await asyncio.gather(
            *(asyncio.to_thread(asyncio.run, many(n * 1000)) for n in range(3)),
            many(5000),
        )
        for n, got in enumerate(results[:3]):
            assert got == [n * 1000 + i for i in range(200)]
        assert results[3] == [5000 + i for i in range(200)]


def _thread_result(func: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Run `func(*args)` on a new thread; the returned callable joins it and gives the result."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(func(*args)))
    thread.start()

    def get() -> Any:
        thread.join(timeout=10)
        return box[0]

    return get


def test_a_call_made_from_a_worker_of_the_same_pool_runs_inline_instead_of_deadlocking() -> None:
    with WorkerPool(worker_limit=1) as pool:

        def outer() -> tuple[int, int]:
            return threading.get_ident(), pool.run_method(threading.get_ident)

        outer_ident, inner_ident = pool.run_method(outer)
        assert outer_ident == inner_ident == pool.workers[0].ident


def test_submit_returns_at_once_and_reports_to_the_callbacks_on_a_worker() -> None:
    gate = threading.Event()
    finished: list[tuple[Any, int]] = []
    failed: list[Exception] = []
    all_done = threading.Barrier(3)

    def on_finish(value: Any) -> None:
        finished.append((value, threading.get_ident()))
        all_done.wait(30)

    def on_exception(exc: Exception) -> None:
        failed.append(exc)
        all_done.wait(30)

    def gated(value: int) -> int:
        gate.wait(30)
        return value * 2

    with WorkerPool(worker_limit=2) as pool:
        pool.submit(gated, 21, on_finish=on_finish)
        pool.submit(divmod, 1, 0, on_exception=on_exception)
        assert finished == []  # submit did not wait for the gated call
        gate.set()
        all_done.wait(30)
        assert [value for value, _ in finished] == [42]
        assert finished[0][1] in {w.ident for w in pool.workers}
        assert isinstance(failed[0], ZeroDivisionError)
        with pytest.raises(TypeError, match="expected a callable"):
            pool.submit(42)  # type: ignore[arg-type]
