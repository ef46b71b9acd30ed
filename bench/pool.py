"""hostray.workers pools against the standard library's ThreadPoolExecutor, side by side.

- 20,000 trivial `run_method_async` calls gathered on one event loop through a 4-worker
  `AsyncWorkerPool`, against `loop.run_in_executor(ThreadPoolExecutor(4), …)` gathered the same way.
- Blocking `run_method` from one thread, against `ThreadPoolExecutor.submit().result()`.
- CPU burnt (percent of one core) while 8 calls of `time.sleep(0.3)` wait on 4 workers.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench._harness import Row, cpu_percent_while
from hostray.workers import AsyncWorkerPool, WorkerPool

ASYNC_CALLS = 20_000
SYNC_CALLS = 5_000
WORKERS = 4
RUNS = 9


def _trivial() -> int:
    return 1


def _rates(ours: object, theirs: object, runs: int = RUNS) -> tuple[float, float]:
    """Median calls/s of two `() -> int` workloads, alternated run by run on one machine."""
    mine: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        for work, into in ((ours, mine), (theirs, base)):
            gc.collect()
            started = time.perf_counter()
            count = work()  # type: ignore[operator]
            into.append(count / (time.perf_counter() - started))
    return statistics.median(mine), statistics.median(base)


def _async_rates() -> tuple[float, float]:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        pool = AsyncWorkerPool(worker_limit=WORKERS)
        executor = ThreadPoolExecutor(WORKERS)
        ours_per_run: list[float] = []
        base_per_run: list[float] = []
        try:
            await asyncio.gather(*(pool.run_method_async(_trivial) for _ in range(100)))
            await asyncio.gather(*(loop.run_in_executor(executor, _trivial) for _ in range(100)))
            for _ in range(RUNS):
                gc.collect()  # each side starts from the same heap: no garbage left by the other
                started = time.perf_counter()
                done = await asyncio.gather(
                    *(pool.run_method_async(_trivial) for _ in range(ASYNC_CALLS))
                )
                ours_per_run.append(len(done) / (time.perf_counter() - started))
                gc.collect()
                started = time.perf_counter()
                done = await asyncio.gather(
                    *(loop.run_in_executor(executor, _trivial) for _ in range(ASYNC_CALLS))
                )
                base_per_run.append(len(done) / (time.perf_counter() - started))
        finally:
            pool.dispose()
            executor.shutdown()
        return statistics.median(ours_per_run), statistics.median(base_per_run)

    return asyncio.run(main())


def _sync_rates() -> tuple[float, float]:
    pool = WorkerPool(worker_limit=WORKERS)
    executor = ThreadPoolExecutor(WORKERS)
    rates: dict[str, float] = {}

    def ours() -> int:
        for _ in range(SYNC_CALLS):
            pool.run_method(_trivial)
        return SYNC_CALLS

    def theirs() -> int:
        for _ in range(SYNC_CALLS):
            executor.submit(_trivial).result()
        return SYNC_CALLS

    def measure() -> None:
        rates["ours"], rates["base"] = _rates(ours, theirs)

    try:
        caller = threading.Thread(target=measure)
        caller.start()
        caller.join()
    finally:
        pool.dispose()
        executor.shutdown()
    return rates["ours"], rates["base"]


def _idle_cpu() -> float:
    def wait() -> None:
        with WorkerPool(worker_limit=WORKERS) as pool:
            callers = [
                threading.Thread(target=pool.run_method, args=(time.sleep, 0.3)) for _ in range(8)
            ]
            for caller in callers:
                caller.start()
            for caller in callers:
                caller.join()

    return statistics.median(cpu_percent_while(wait) for _ in range(3))


def run() -> list[Row]:
    """The three rows of issue 2's targets."""
    async_ours, async_base = _async_rates()
    sync_ours, sync_base = _sync_rates()
    return [
        Row.compare(
            f"{ASYNC_CALLS:,} run_method_async, {WORKERS} workers, vs run_in_executor",
            async_ours,
            async_base,
            "calls/s",
            10,
        ),
        Row.compare(
            "run_method from a thread vs ThreadPoolExecutor.submit().result()",
            sync_ours,
            sync_base,
            "calls/s",
            1.0,
        ),
        Row.ceiling("CPU while 8 × sleep(0.3) wait on 4 workers", _idle_cpu(), "% of a core", 2),
    ]
