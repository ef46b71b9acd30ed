"""Reservations under contention: N coroutines share 4 workers, against asyncio.Semaphore(4).

Each coroutine makes one free `run_method_async` call, then two calls inside
`reserve_worker_async()`. The baseline is what one would write by hand: `loop.run_in_executor` on a
4-thread `ThreadPoolExecutor`, the two "reserved" calls under an `asyncio.Semaphore(4)`. Runs of
the two alternate on one event loop; rows compare medians. A row checks that the cost of a
reservation stays flat as the line grows (N = 5,000 against N = 500; linear is 10×), and the last
one times 0.7.5's own pool test (its `unit_test/util_worker.py` shape), which 0.7.5 ran in ~3 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from bench._harness import Row
from hostray.workers import AsyncWorkerPool

__all__ = ["run"]

WORKERS = 4
SIZES = (500, 2_000, 5_000)
RUNS = 9
TARGETS = {500: 1.0, 2_000: 1.5, 5_000: 1.5}


def _call(n: int) -> int:
    return n


async def _ours(pool: AsyncWorkerPool, count: int) -> float:
    async def one(n: int) -> None:
        await pool.run_method_async(_call, n)
        async with pool.reserve_worker_async() as identity:
            await pool.run_method_async(_call, n, identity=identity)
            await pool.run_method_async(_call, n, identity=identity)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(count)))
    return time.perf_counter() - started


async def _baseline(executor: ThreadPoolExecutor, count: int) -> float:
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(WORKERS)

    async def one(n: int) -> None:
        await loop.run_in_executor(executor, _call, n)
        async with slots:
            await loop.run_in_executor(executor, _call, n)
            await loop.run_in_executor(executor, _call, n)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(count)))
    return time.perf_counter() - started


async def _times(count: int) -> tuple[float, float]:
    """Median seconds of the hostray and the baseline workload for `count` coroutines."""
    pool = AsyncWorkerPool(worker_limit=WORKERS)
    executor = ThreadPoolExecutor(WORKERS)
    ours: list[float] = []
    base: list[float] = []
    try:
        await _ours(pool, 100)  # warm-up: threads started, code paths hot
        await _baseline(executor, 100)
        for _ in range(RUNS):
            gc.collect()
            ours.append(await _ours(pool, count))
            gc.collect()
            base.append(await _baseline(executor, count))
    finally:
        pool.dispose()
        executor.shutdown()
    return statistics.median(ours), statistics.median(base)


def _fail(n: int) -> int:
    raise ValueError(n)


async def _075_pool_test(count: int = 5_000) -> float:
    """Seconds of 0.7.5's pool test: each coroutine makes 3 free calls (the last one raises),
    then 3 calls (the last one raises) inside a reservation, on 4 workers."""
    pool = AsyncWorkerPool(worker_limit=WORKERS)

    async def one(n: int) -> None:
        await pool.run_method_async(_call, n)
        await pool.run_method_async(_call, n)
        with contextlib.suppress(ValueError):
            await pool.run_method_async(_fail, n)
        async with pool.reserve_worker_async() as identity:
            await pool.run_method_async(_call, n, identity=identity)
            await pool.run_method_async(_call, n, identity=identity)
            with contextlib.suppress(ValueError):
                await pool.run_method_async(_fail, n, identity=identity)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(n) for n in range(count)))
    finally:
        pool.dispose()
    return time.perf_counter() - started


def run() -> list[Row]:
    """A row per line length, the flatness row, and 0.7.5's pool test."""
    times = {count: asyncio.run(_times(count)) for count in SIZES}
    rows = [
        Row.compare(
            f"{count:,} coroutines: 1 call + reserve_worker_async with 2 calls, "
            f"{WORKERS} workers, vs Semaphore({WORKERS}) + run_in_executor",
            count / times[count][0],
            count / times[count][1],
            "coroutines/s",
            TARGETS[count],
        )
        for count in SIZES
    ]
    rows.append(
        Row.compare_time(
            f"time of {SIZES[-1]:,} reserving coroutines vs {SIZES[0]:,} (linear: 10×)",
            times[SIZES[-1]][0],
            times[SIZES[0]][0],
            "s",
            12,
        )
    )
    seconds = statistics.median(asyncio.run(_075_pool_test()) for _ in range(3))
    rows.append(
        Row.ceiling(
            "0.7.5's pool test: 5,000 coroutines × (3 calls + a reservation with 3), 4 workers",
            seconds,
            "s",
            5,
        )
    )
    return rows
