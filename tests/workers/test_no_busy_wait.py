"""Waiting costs no CPU: a guard against spinning loops (the seed's workers spun a whole core).

This measures process CPU time over blocking waits of about half a second each, with a generous
bound (a fifth of the wall time); a busy-waiting thread would burn the whole half second.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from hostray.workers import AsyncWorkerPool, FunctionLoopWorker, FunctionQueueWorker, WorkerPool

WAIT = 0.5


def _cpu_share(wait: Callable[[], object]) -> float:
    cpu, wall = time.process_time(), time.perf_counter()
    wait()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def test_pool_callers_and_workers_do_not_spin_while_calls_sleep() -> None:
    with WorkerPool(worker_limit=4) as pool:
        pool.run_method(int)

        def wait() -> None:
            callers = [
                threading.Thread(target=pool.run_method, args=(time.sleep, WAIT / 2))
                for _ in range(8)
            ]
            for caller in callers:
                caller.start()
            for caller in callers:
                caller.join()

        assert _cpu_share(wait) < 0.2


def test_idle_workers_pools_and_waits_cost_nothing() -> None:
    pool = AsyncWorkerPool(worker_limit=4)
    queue = FunctionQueueWorker()
    looping = FunctionLoopWorker(loop_interval_seconds=3600)
    release = threading.Event()
    try:
        for _ in range(4):
            pool.run_method(int)
        looping.run_method(int)
        queue.run_method(release.wait)
        threading.Timer(WAIT, release.set).start()
        assert _cpu_share(queue.wait) < 0.2  # blocks on the worker, idle pool beside
    finally:
        pool.dispose()
        queue.dispose()
        looping.dispose()


def test_awaiting_a_slow_call_leaves_the_loop_idle() -> None:
    async def main() -> None:
        with AsyncWorkerPool(worker_limit=2) as pool:
            await pool.run_method_async(int)
            calls = [pool.run_method_async(time.sleep, WAIT) for _ in range(2)]
            async with pool.reserve_worker_async():
                pass
            await asyncio.gather(*calls)

    assert _cpu_share(lambda: asyncio.run(main())) < 0.2
