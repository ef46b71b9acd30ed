"""Reservations under contention: thousands of callers wait in line for 4 workers.

Each release hands the worker to the oldest waiter; a cancelled waiter gives up its place and
loses neither a worker nor the next caller's turn; no worker is ever held by two reservations.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading

import pytest

from hostray.workers import AsyncWorkerPool, PoolClosedError, WorkerPool

WORKERS = 4


class Ledger:
    """Who holds each worker thread, checked on the worker threads themselves.

    A reservation cancelled midway never runs `let_go`; it is listed in `ended` before it
    releases its worker, so the next holder may find it there.
    """

    def __init__(self) -> None:
        self.holder: dict[int, str | None] = {}
        self.ended: set[str] = set()
        self.problems: list[str] = []
        self.served: list[int] = []
        self.active = 0
        self.most_active = 0

    def claim(self, identity: str) -> int:
        thread = threading.get_ident()
        other = self.holder.get(thread)
        if other is not None and other not in self.ended:
            self.problems.append(f"{identity} got a worker {other} still holds")
        self.holder[thread] = identity
        return thread

    def let_go(self, identity: str) -> int:
        thread = threading.get_ident()
        if self.holder.get(thread) != identity:
            self.problems.append(f"{identity} ran on a worker it did not reserve")
        self.holder[thread] = None
        return thread

    def enter(self) -> None:
        self.active += 1
        self.most_active = max(self.most_active, self.active)

    def leave(self, identity: str) -> None:
        self.active -= 1
        self.ended.add(identity)


async def reserve_and_check(pool: AsyncWorkerPool, ledger: Ledger, n: int) -> None:
    async with pool.reserve_worker_async() as identity:
        ledger.enter()
        try:
            first = await pool.run_method_async(ledger.claim, identity, identity=identity)
            second = await pool.run_method_async(ledger.let_go, identity, identity=identity)
            assert first == second
            ledger.served.append(n)
        finally:
            ledger.leave(identity)


async def assert_every_worker_free(pool: AsyncWorkerPool) -> None:
    info = pool.info()
    assert info["waiting"] == 0
    assert [w["identity"] for w in info["workers"]] == [None] * len(info["workers"])

    async def hold(entered: asyncio.Event, go: asyncio.Event) -> None:
        async with pool.reserve_worker_async():
            entered.set()
            await go.wait()

    go = asyncio.Event()
    entered = [asyncio.Event() for _ in range(pool.worker_limit)]
    holders = [asyncio.ensure_future(hold(e, go)) for e in entered]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in entered)), 10)
    go.set()
    await asyncio.gather(*holders)


@pytest.mark.timeout(60)  # the quadratic line took minutes: hang, not pass
async def test_5000_concurrent_reservers_all_complete_each_on_its_own_worker() -> None:
    ledger = Ledger()
    with AsyncWorkerPool(worker_limit=WORKERS) as pool:
        await asyncio.gather(*(reserve_and_check(pool, ledger, n) for n in range(5000)))
        assert ledger.problems == []
        assert sorted(ledger.served) == list(range(5000))
        assert ledger.most_active <= WORKERS
        assert len(pool.workers) == WORKERS
        await assert_every_worker_free(pool)


async def test_waiters_are_served_first_come_first_served() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        order: list[int] = []

        async def reserve(n: int) -> None:
            async with pool.reserve_worker_async() as identity:
                order.append(n)
                await pool.run_method_async(int, identity=identity)

        async with pool.reserve_worker_async():
            waiters = []
            for n in range(50):
                waiters.append(asyncio.ensure_future(reserve(n)))
                await asyncio.sleep(0)  # n is in line before n + 1 asks
            assert pool.info()["waiting"] == 50
        await asyncio.gather(*waiters)
        assert order == list(range(50))


@pytest.mark.timeout(60)  # the quadratic line took minutes: hang, not pass
async def test_cancelling_1000_random_waiters_loses_no_worker_and_no_turn() -> None:
    rng = random.Random(11)
    ledger = Ledger()
    with AsyncWorkerPool(worker_limit=WORKERS) as pool:
        tasks = [asyncio.ensure_future(reserve_and_check(pool, ledger, n)) for n in range(5000)]
        doomed = rng.sample(range(5000), 1000)
        # Cancel in small bursts while the line moves: waiters far back, waiters just handed a
        # worker, and reservations running their calls are all hit.
        for start in range(0, len(doomed), 20):
            for n in doomed[start : start + 20]:
                tasks[n].cancel()
            for _ in range(rng.randrange(1, 4)):
                await asyncio.sleep(0)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        cancelled = {n for n, o in enumerate(outcomes) if isinstance(o, asyncio.CancelledError)}
        assert all(o is None for n, o in enumerate(outcomes) if n not in cancelled)
        assert cancelled <= set(doomed)
        assert len(cancelled) >= 900  # most were still waiting when cancelled
        assert set(ledger.served) == set(range(5000)) - cancelled
        assert ledger.problems == []
        await assert_every_worker_free(pool)


async def test_a_waiter_cancelled_after_being_handed_the_worker_passes_it_on() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        got: list[str] = []

        async def reserve(name: str) -> None:
            async with pool.reserve_worker_async() as identity:
                got.append(name)
                await pool.run_method_async(int, identity=identity)

        holder = pool.reserve_worker_async()
        await holder.__aenter__()
        handed = asyncio.ensure_future(reserve("handed"))
        await asyncio.sleep(0)
        after = asyncio.ensure_future(reserve("after"))
        await asyncio.sleep(0)
        await holder.__aexit__(None, None, None)  # the worker goes to `handed`, not yet running
        handed.cancel()
        await asyncio.wait_for(after, 10)
        assert got == ["after"]
        with pytest.raises(asyncio.CancelledError):
            await handed
        await assert_every_worker_free(pool)


async def test_wait_for_timeouts_on_reservations_lose_nothing() -> None:
    with AsyncWorkerPool(worker_limit=2) as pool:
        ledger = Ledger()

        async def impatient(n: int) -> None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(reserve_and_check(pool, ledger, n), 0.001 * (n % 7))

        await asyncio.gather(*(impatient(n) for n in range(2000)))
        assert ledger.problems == []
        await assert_every_worker_free(pool)


def test_threads_waiting_for_reservations_are_each_served_once() -> None:
    ledger = Ledger()
    errors: list[BaseException] = []
    lock = threading.Lock()
    served: list[int] = []

    def reserve(pool: WorkerPool, n: int) -> None:
        try:
            with pool.reserve_worker() as identity:
                first = pool.run_method(ledger.claim, identity, identity=identity)
                second = pool.run_method(ledger.let_go, identity, identity=identity)
                assert first == second
                with lock:
                    served.append(n)
        except BaseException as exc:
            errors.append(exc)

    with WorkerPool(worker_limit=WORKERS) as pool:
        threads = [threading.Thread(target=reserve, args=(pool, n)) for n in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert ledger.problems == []
        assert sorted(served) == list(range(300))
        info = pool.info()
        assert info["waiting"] == 0
        assert all(w["identity"] is None for w in info["workers"])


async def test_a_release_on_another_thread_hands_the_worker_to_a_waiting_coroutine() -> None:
    with AsyncWorkerPool(worker_limit=1) as pool:
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with pool.reserve_worker() as identity:
                pool.run_method(int, identity=identity)
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        assert await asyncio.to_thread(held.wait, 10)
        order: list[str] = []

        async def reserve(name: str) -> None:
            async with pool.reserve_worker_async() as identity:
                order.append(name)
                await pool.run_method_async(int, identity=identity)

        waiters = [asyncio.ensure_future(reserve(name)) for name in ("first", "second")]
        await asyncio.sleep(0)
        assert pool.info()["waiting"] == 2
        release.set()  # the thread's release resolves the first waiter's future on this loop
        await asyncio.wait_for(asyncio.gather(*waiters), 10)
        await asyncio.to_thread(holder.join, 10)
        assert order == ["first", "second"]
        await assert_every_worker_free(pool)


async def test_dispose_tells_every_waiter_the_pool_is_closed() -> None:
    pool = AsyncWorkerPool(worker_limit=1)

    async def reserve() -> None:
        async with pool.reserve_worker_async():
            pass

    holder = pool.reserve_worker_async()
    await holder.__aenter__()
    waiters = [asyncio.ensure_future(reserve()) for _ in range(100)]
    await asyncio.sleep(0)
    await asyncio.to_thread(pool.dispose)  # from another thread, as a shutdown hook would
    outcomes = await asyncio.wait_for(asyncio.gather(*waiters, return_exceptions=True), 10)
    assert all(isinstance(o, PoolClosedError) for o in outcomes)
    await holder.__aexit__(None, None, None)
