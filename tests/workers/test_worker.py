"""Worker, FunctionQueueWorker and FunctionLoopWorker as a user drives them."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from hostray.workers import FunctionLoopWorker, FunctionQueueWorker, PoolClosedError, Worker


def test_worker_refuses_a_second_function_while_one_runs() -> None:
    release = threading.Event()
    with Worker() as worker:
        assert not worker.is_func_running
        assert worker.run_method(release.wait) is True
        assert worker.is_func_running
        assert worker.run_method(print) is False
        release.set()
        assert worker.wait(timeout=10)
        assert not worker.is_func_running
        assert worker.run_method(int) is True


def test_worker_hands_result_and_exception_to_callbacks_on_its_thread() -> None:
    seen: list[Any] = []
    with Worker() as worker:
        worker.run_method(
            lambda a, b: (a + b, threading.get_ident()),
            1,
            b=2,
            on_finish=seen.append,
            on_exception=seen.append,
        )
        worker.wait()
        worker.run_method(lambda: 1 / 0, on_finish=seen.append, on_exception=seen.append)
        worker.wait()
        thread = worker.ident
    (total, ident), error = seen
    assert total == 3 and ident == thread != threading.get_ident()
    assert isinstance(error, ZeroDivisionError)


def test_an_exception_nobody_handles_is_logged_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise KeyError("missing")

    with caplog.at_level(logging.ERROR, logger="hostray.workers"), FunctionQueueWorker() as worker:
        worker.run_method(broken)
        worker.wait()
    (record,) = caplog.records
    assert "broken" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], KeyError)


def test_a_failing_on_finish_is_logged_and_the_worker_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def bad_callback(result: Any) -> None:
        raise RuntimeError("callback broke")

    with caplog.at_level(logging.ERROR, logger="hostray.workers"), Worker() as worker:
        worker.run_method(int, on_finish=bad_callback)
        worker.wait()
        assert worker.run_method_and_wait(lambda: "still alive") == "still alive"
    assert any("on_finish" in r.getMessage() for r in caplog.records)


def test_run_method_and_wait_returns_or_reraises_and_waits_for_a_busy_worker() -> None:
    release = threading.Event()
    order: list[str] = []
    with Worker() as worker:
        worker.run_method(lambda: (release.wait(), order.append("first")))  # type: ignore[func-returns-value]
        waiter = threading.Thread(
            target=lambda: order.append(worker.run_method_and_wait(lambda: "second"))
        )
        waiter.start()
        release.set()
        waiter.join(timeout=10)
        assert order == ["first", "second"]
        with pytest.raises(ZeroDivisionError):
            worker.run_method_and_wait(lambda: 1 / 0)
        assert worker.run_method_and_wait(pow, 2, 10) == 1024


async def test_run_method_and_wait_async_awaits_without_blocking_the_loop() -> None:
    release = threading.Event()
    with Worker() as worker:
        worker.run_method(release.wait)
        pending = asyncio.ensure_future(worker.run_method_and_wait_async(lambda x: x * 2, 21))
        await asyncio.sleep(0)  # the loop keeps running while the worker is busy
        assert not pending.done()
        release.set()
        assert await asyncio.wait_for(pending, 10) == 42
        with pytest.raises(ValueError, match="bad"):
            await worker.run_method_and_wait_async(_raise, ValueError("bad"))


def _raise(exc: BaseException) -> None:
    raise exc


def test_run_method_and_wait_from_the_workers_own_thread_runs_inline() -> None:
    with Worker() as worker:
        assert worker.run_method_and_wait(lambda: worker.run_method_and_wait(lambda: "nested"))


def test_queue_worker_runs_calls_in_order_on_one_thread() -> None:
    seen: list[tuple[int, int]] = []
    with FunctionQueueWorker() as worker:
        for i in range(200):
            worker.run_method(lambda i=i: seen.append((i, threading.get_ident())))
        assert worker.wait(timeout=10)
        assert worker.pending_count == 0
    assert [i for i, _ in seen] == list(range(200))
    assert len({ident for _, ident in seen}) == 1


def test_pending_count_counts_queued_and_running_calls() -> None:
    release = threading.Event()
    started = threading.Event()
    with FunctionQueueWorker() as worker:
        worker.run_method(lambda: (started.set(), release.wait()))  # type: ignore[func-returns-value]
        worker.run_method(int)
        worker.run_method(int)
        started.wait(10)
        assert worker.pending_count == 3
        release.set()
        worker.wait()
        assert worker.pending_count == 0


def test_dispose_runs_queued_calls_then_refuses_new_ones() -> None:
    release = threading.Event()
    done: list[int] = []
    worker = FunctionQueueWorker()
    worker.run_method(release.wait)
    for i in range(5):
        worker.run_method(done.append, i)
    disposer = threading.Thread(target=worker.dispose)
    disposer.start()
    release.set()
    disposer.join(timeout=10)
    assert not disposer.is_alive()
    assert done == [0, 1, 2, 3, 4]
    assert not worker.is_alive()
    with pytest.raises(PoolClosedError):
        worker.run_method(int)
    single = Worker()
    single.dispose()
    with pytest.raises(PoolClosedError):
        single.run_method(int)
    with pytest.raises(PoolClosedError):
        single.run_method_and_wait(int)


def test_non_callables_are_refused_with_a_clear_error() -> None:
    with Worker() as worker, pytest.raises(TypeError, match="callable"):
        worker.run_method("not a function")  # type: ignore[arg-type]
    with FunctionQueueWorker() as queue, pytest.raises(TypeError, match="callable"):
        queue.run_method(None)  # type: ignore[arg-type]
    with FunctionLoopWorker() as loop, pytest.raises(TypeError, match="callable"):
        loop.run_method(42)  # type: ignore[arg-type]


def test_execute_is_the_hook_every_call_goes_through() -> None:
    class Tagged(FunctionQueueWorker):
        def execute(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            return func("tag", *args, **kwargs)

    results: list[Any] = []
    with Tagged() as worker:
        worker.run_method(lambda tag, x: (tag, x), 1, on_finish=results.append)
        worker.wait()
    assert results == [("tag", 1)]


def test_loop_worker_repeats_until_stopped_and_keeps_going_after_errors() -> None:
    runs: list[int] = []
    errors: list[Exception] = []
    enough = threading.Event()

    def tick() -> None:
        runs.append(1)
        if len(runs) == 3:
            enough.set()
        if len(runs) == 2:
            raise ValueError("second run fails")

    with FunctionLoopWorker(loop_interval_seconds=0.001) as worker:
        worker.run_method(tick, on_exception=errors.append)
        assert enough.wait(10)
        assert worker.is_looping
        worker.stop()
        assert not worker.is_looping
        worker.run_method(tick)  # after stop() it loops again
        assert worker.is_looping
    assert len(runs) >= 3
    assert [str(e) for e in errors] == ["second run fails"]


def test_loop_worker_run_method_replaces_the_looped_function_with_its_callbacks() -> None:
    first_running = threading.Event()
    first_may_end = threading.Event()
    second_ran = threading.Event()
    seen: list[tuple[str, Any]] = []

    def first() -> str:
        first_running.set()
        first_may_end.wait(10)
        return "first"

    def second() -> str:
        second_ran.set()
        return "second"

    # An hour-long pause: the replacement must not wait for it.
    with FunctionLoopWorker(loop_interval_seconds=3600) as worker:
        worker.run_method(first, on_finish=lambda r: seen.append(("first's callback", r)))
        assert first_running.wait(10)
        worker.run_method(second, on_finish=lambda r: seen.append(("second's callback", r)))
        assert worker.is_looping
        first_may_end.set()  # the running iteration finishes with its own callback
        assert second_ran.wait(10)
        worker.stop()
    assert seen == [("first's callback", "first"), ("second's callback", "second")]


def test_loop_worker_dispose_does_not_wait_out_the_interval() -> None:
    ran = threading.Event()
    worker = FunctionLoopWorker(loop_interval_seconds=3600)
    worker.run_method(ran.set)
    assert ran.wait(10)
    disposer = threading.Thread(target=worker.dispose)
    disposer.start()
    disposer.join(timeout=10)  # an hour-long pause would keep it alive
    assert not disposer.is_alive()
    with pytest.raises(PoolClosedError):
        worker.run_method(ran.set)


def test_loop_worker_passes_results_to_on_finish_each_time() -> None:
    results: list[int] = []
    three = threading.Event()
    count = iter(range(100))

    def collect(value: int) -> None:
        results.append(value)
        if len(results) == 3:
            three.set()

    with FunctionLoopWorker(loop_interval_seconds=0) as worker:
        worker.run_method(lambda: next(count), on_finish=collect)
        assert three.wait(10)
    assert results[:3] == [0, 1, 2]


def test_loop_worker_rejects_a_negative_interval() -> None:
    with pytest.raises(ValueError, match="loop_interval_seconds"):
        FunctionLoopWorker(loop_interval_seconds=-1)
