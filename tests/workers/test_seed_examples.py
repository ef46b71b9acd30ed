"""The seed's Worker, AsyncWorkerPool and Callbacks examples run unchanged and print their output.

Each example runs as its own script (a fresh interpreter, as a user runs it); only the import line
differs from the seed: `hostray.workers` instead of `hostray.util` (served by hostray-web).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

WORKER_EXAMPLE = """
import time
from hostray.workers import Worker, FunctionLoopWorker, FunctionQueueWorker

def foo(index, kwindex):
    print(index)

print('Worker')
with Worker() as worker:
    worker.run_method(foo, 1, kwindex=2)

    while worker.is_func_running:                   # wait for executions
        pass

print('FunctionQueueWorker')
with FunctionQueueWorker() as worker:
    worker.run_method(foo, 1, kwindex=2)
    worker.run_method(foo, 2, kwindex=2)
    worker.run_method(foo, 3, kwindex=2)

    while worker.pending_count > 0:                 # wait for executions
        pass

print('FunctionLoopWorker')
with FunctionLoopWorker(loop_interval_seconds=0.1) as worker:
    wait_time = 0.5
    worker.run_method(foo, 1, kwindex=2)

    start_time = time.time()
    while time.time() - start_time < wait_time:     # wait for executions
        pass
"""

POOL_EXAMPLE = """
import asyncio
from hostray.workers import AsyncWorkerPool

ap = AsyncWorkerPool(worker_limit=3)

def foo(index, kwindex):
    print(index)

print('run sync')
with ap.reserve_worker() as identity:
    ap.run_method(foo, 1, 1, identity=None)         # run in free worker
    ap.run_method(foo, 2, 2, identity=identity)     # run in reserved worker

async def async_foo():
    async with ap.reserve_worker_async() as identity:
        await ap.run_method_async(foo, 1, 1, identity=None)         # run in free worker
        await ap.run_method_async(foo, 2, 2, identity=identity)     # run in reserved worker

loop = asyncio.get_event_loop()

print('run async')
loop.run_until_complete(async_foo())

ap.dispose()
"""

CALLBACKS_EXAMPLE = """
import asyncio
from enum import Enum

from hostray.workers import Callbacks

# 1. define enum and functions
class TestCallbackType(Enum):
    Event_A = 'a'
    Event_A_Async = 'a_async'

def test_func_1(i, kwindex):
    print('test_func_1', i)

def test_func_2(i, kwindex):
    print('test_func_2', i)

async def test_func_async_1(i, kwindex):
    print('test_func_async_1', i)

async def test_func_async_2(i, kwindex):
    print('test_func_async_2', i)

cb = Callbacks(TestCallbackType)

# 2. add callbacks
cb.add_callback(TestCallbackType.Event_A, test_func_1)
cb.add_callback(TestCallbackType.Event_A, test_func_2)
cb.add_callback(TestCallbackType.Event_A_Async,
                test_func_async_1)
cb.add_callback(TestCallbackType.Event_A_Async,
                test_func_async_2)

# 3. invoke callbacks
cb.execute_callback(TestCallbackType.Event_A, 1, kwindex=2)

loop = asyncio.get_event_loop()
loop.run_until_complete(cb.execute_callback_async(
    TestCallbackType.Event_A_Async, 1, kwindex=2))
"""


def _run(example: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(example)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


WORKER_OUTPUT = ["Worker", "1", "FunctionQueueWorker", "1", "2", "3", "FunctionLoopWorker"]
LOOP_INTERVAL = 0.1
"""The example's `loop_interval_seconds`."""


def test_worker_example_prints_the_documented_output() -> None:
    started = time.monotonic()
    printed = _run(WORKER_EXAMPLE).split()
    ran_for = time.monotonic() - started
    assert printed[: len(WORKER_OUTPUT)] == WORKER_OUTPUT
    # The seed documents five runs of the FunctionLoopWorker: the ones that fit in the 0.5 s the
    # block spins, one now and one after each pause of 0.1 s. How many fit is the scheduler's
    # call: each pause ends a little late (the GIL hand-over, a loaded machine), so fewer may fit,
    # and the block may end late, so more may. What cannot vary is asserted: every run prints the
    # documented line, `run_method` runs the function at once (at least one run in 0.5 s: only a
    # worker thread given no CPU for that whole half second could miss it), and a pause never
    # ends early (at most one run per 0.1 s of the process's life, measured here around it: a
    # delay only makes that bound larger).
    loops = printed[len(WORKER_OUTPUT) :]
    assert loops == ["1"] * len(loops), printed
    assert 1 <= len(loops) <= 1 + ran_for / LOOP_INTERVAL, (loops, ran_for)


def test_pool_example_prints_the_documented_output() -> None:
    assert _run(POOL_EXAMPLE).split("\n") == ["run sync", "1", "2", "run async", "1", "2", ""]


def test_callbacks_example_runs_callbacks_in_registration_order() -> None:
    # The seed documents the two async callbacks in reverse order: hostray 0.7.5 kept callbacks in
    # a set, so its order was arbitrary. We run them in the order they were added (CHANGELOG).
    assert _run(CALLBACKS_EXAMPLE).splitlines() == [
        "test_func_1 1",
        "test_func_2 1",
        "test_func_async_1 1",
        "test_func_async_2 1",
    ]
