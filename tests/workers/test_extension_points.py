"""The hooks hostray.orm builds OrmAccessWorkerPool on (docs/CONTRACTS.md, hostray.workers)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from hostray.workers import AsyncWorkerPool, FunctionQueueWorker, WorkerPool


class StatefulWorker(FunctionQueueWorker):
    """Passes per-thread state to every call, as the ORM worker passes its session."""

    exits: ClassVar[list[str]] = []

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, Any] = {}

    def execute(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        self.state.setdefault("thread", threading.get_ident())
        return func(self.state, *args, **kwargs)

    def on_thread_exit(self) -> None:
        assert threading.get_ident() == self.state.get("thread", threading.get_ident())
        type(self).exits.append(self.name)

    def whoami(self, tag: str) -> tuple[str, int]:
        return tag, threading.get_ident()

    async def whoami_async(self) -> int:
        return threading.get_ident()


class StatefulPool(AsyncWorkerPool):
    worker_type = StatefulWorker


def test_execute_passes_per_thread_state_and_on_thread_exit_runs_on_dispose() -> None:
    StatefulWorker.exits.clear()
    pool = StatefulPool(worker_limit=2)
    seen = pool.run_method(lambda state, x: (state["thread"], threading.get_ident(), x), 7)
    assert seen[0] == seen[1] and seen[2] == 7
    assert all(isinstance(w, StatefulWorker) for w in pool.workers)
    names = [w.name for w in pool.workers]
    pool.dispose()
    assert sorted(StatefulWorker.exits) == sorted(names)


def test_new_worker_override_is_how_the_pool_makes_workers() -> None:
    made: list[FunctionQueueWorker] = []

    class Counting(WorkerPool):
        def new_worker(self) -> FunctionQueueWorker:
            worker = super().new_worker()
            made.append(worker)
            return worker

    with Counting(worker_limit=3) as pool:
        with pool.reserve_worker() as a, pool.reserve_worker() as b:
            pool.run_method(int, identity=a)
            pool.run_method(int, identity=b)
        assert pool.workers == made
        assert len(made) == 2


def test_broadcast_runs_on_each_worker_thread_in_worker_order() -> None:
    with StatefulPool(worker_limit=3) as pool:
        with pool.reserve_worker() as a, pool.reserve_worker() as b, pool.reserve_worker() as c:
            idents = [
                pool.run_method(lambda state: threading.get_ident(), identity=i) for i in (a, b, c)
            ]
        results = pool.broadcast_method("whoami", "t")
        assert results == [("t", ident) for ident in idents]
        assert pool.broadcast_method("no_such_method") == []


async def test_broadcast_async_awaits_awaitable_results() -> None:
    pool = StatefulPool(worker_limit=2)
    try:
        async with pool.reserve_worker_async() as a, pool.reserve_worker_async() as b:
            for identity in (a, b):
                await pool.run_method_async(lambda state: None, identity=identity)
        results = await pool.broadcast_method_async("whoami", "x")
        assert [r[1] for r in results] == [w.ident for w in pool.workers]
        # a coroutine method is created on the worker thread and awaited on the loop
        loop_thread = threading.get_ident()
        assert await pool.broadcast_method_async("whoami_async") == [loop_thread, loop_thread]
    finally:
        pool.dispose()


def test_a_pool_refuses_a_worker_that_already_runs() -> None:
    class Bad(WorkerPool):
        def new_worker(self) -> FunctionQueueWorker:
            worker = FunctionQueueWorker()
            worker.run_method(int)
            self.leaked = worker
            return worker

    pool = Bad(worker_limit=1)
    with pytest.raises(RuntimeError, match="fresh worker"):
        pool.run_method(int)
    pool.leaked.dispose()
    pool.dispose()
