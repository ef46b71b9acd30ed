"""task_queue on Celery against what it wraps, and against the thread backend, side by side.

- 10,000 no-op tasks queued through `run_method_in_queue` (`backend: celery`, Redis broker) until
  the last one is on the broker, against the same 10,000 sent with Celery's own `apply_async` of
  the same task. Target ≥ 0.9×.
- A batch of CPU-bound tasks run by `hostray worker --concurrency 2` (results back through
  `on_finish`), against the same batch on `backend: thread` with 2 threads, which share one GIL.
  Expect ≈ 2× on 2 cores; target ≥ 1.5× (the machine's cores are shared).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import redis

from bench._harness import Row
from hostray.web.component import ComponentManager, DefaultComponentTypes
from hostray.web.component.celery_tasks import TASK_NAME
from hostray.web.component.task_celery import CeleryTaskBackend
from hostray.web.component.task_queue import TaskQueueComponent

REDIS_URL = os.environ.get("HOSTRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BROKER = REDIS_URL.rsplit("/", 1)[0] + "/12"
PREFIX = f"hostray-bench:{uuid.uuid4().hex[:8]}:"
"""Every Redis key of this run starts with it (key_prefix), so cleaning up touches only ours."""
NOOPS = 10_000
CPU_TASKS = 12
BURN = 2_000_000  # iterations of one CPU-bound task (about 0.1 s on a quiet core)
RUNS = 3

TASKS_MODULE = """\
def noop():
    return None


def burn(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
"""


def _flush() -> None:
    client = redis.Redis.from_url(BROKER)
    keys = list(client.scan_iter(match=f"{PREFIX}*", count=1000))
    if keys:
        client.delete(*keys)


def _component(**config: Any) -> tuple[TaskQueueComponent, ComponentManager]:
    if config.get("backend") == "celery":
        config["key_prefix"] = PREFIX
    manager = ComponentManager()
    manager.shutdown_timeout = 120
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(manager, **config)
    return component, manager


def _enqueue_rates(module: Any, queue: str) -> tuple[float, float]:
    """Median tasks/s of run_method_in_queue (until published) and of apply_async."""
    flush = _flush

    async def ours() -> float:
        component, manager = _component(backend="celery", broker=BROKER, queue=queue)
        started = time.perf_counter()
        for _ in range(NOOPS):
            component.run_method_in_queue(module.noop)
        await component.dispose(manager)  # returns once the publisher sent every task
        return NOOPS / (time.perf_counter() - started)

    def theirs() -> float:
        component, _ = _component(backend="celery", broker=BROKER, queue=queue)
        backend = component.backend
        assert isinstance(backend, CeleryTaskBackend)
        task = backend.app.tasks[TASK_NAME]
        path = f"{module.noop.__module__}.noop"
        started = time.perf_counter()
        for _ in range(NOOPS):
            task.apply_async(args=[path, [], {}], queue=queue, ignore_result=True)
        rate = NOOPS / (time.perf_counter() - started)
        backend.app.close()
        return rate

    mine: list[float] = []
    base: list[float] = []
    for _ in range(RUNS):
        flush()
        mine.append(asyncio.run(ours()))
        flush()
        base.append(theirs())
    flush()
    return statistics.median(mine), statistics.median(base)


def _batch_rate(component: TaskQueueComponent, manager: ComponentManager, module: Any) -> float:
    """Tasks/s of one CPU-bound batch, from the first call to the last on_finish."""
    done = threading.Event()
    lock = threading.Lock()
    count = [0]

    def on_finish(_: Any) -> None:
        with lock:
            count[0] += 1
            if count[0] == CPU_TASKS:
                done.set()

    started = time.perf_counter()
    for _ in range(CPU_TASKS):
        component.run_method_in_queue(module.burn, BURN, on_finish=on_finish)
    if not done.wait(300):
        raise RuntimeError(f"CPU batch did not finish ({count[0]}/{CPU_TASKS})")
    return CPU_TASKS / (time.perf_counter() - started)


def _cpu_rates(root: Path, module: Any, queue: str) -> tuple[float, float]:
    """Median tasks/s of the CPU batch on a 2-process worker, and on 2 threads."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "hostray", "worker", str(root), "--concurrency", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            if re.search("worker ready on", line):
                break
        celery, celery_manager = _component(
            backend="celery", broker=BROKER, result_backend=BROKER, queue=queue
        )
        threads, thread_manager = _component(backend="thread", worker_count=2)
        _batch_rate(celery, celery_manager, module)  # warm-up: worker processes, connections
        mine, base = [], []
        for _ in range(RUNS):
            mine.append(_batch_rate(celery, celery_manager, module))
            base.append(_batch_rate(threads, thread_manager, module))

        async def close() -> None:
            await celery.dispose(celery_manager)
            await threads.dispose(thread_manager)

        asyncio.run(close())
        return statistics.median(mine), statistics.median(base)
    finally:
        worker.terminate()
        worker.wait(120)
        _flush()


def run() -> list[Row]:
    """The two rows of issue 16's task_queue targets."""
    tag = uuid.uuid4().hex[:8]
    queue = f"bench-{tag}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / f"bench_tasks_{tag}.py").write_text(TASKS_MODULE, encoding="utf-8")
        (root / "server_config.yaml").write_text(
            "name: bench-tasks\nshutdown_timeout: 30\ncomponent:\n  task_queue:\n"
            f"    backend: celery\n    broker: {BROKER}\n    result_backend: {BROKER}\n"
            f"    queue: {queue}\n    key_prefix: '{PREFIX}'\n",
            encoding="utf-8",
        )
        sys.path.insert(0, str(root))
        try:
            module = importlib.import_module(f"bench_tasks_{tag}")
            enqueue_ours, enqueue_base = _enqueue_rates(module, queue)
            cpu_ours, cpu_base = _cpu_rates(root, module, queue)
        finally:
            sys.path.remove(str(root))
    return [
        Row.compare(
            f"{NOOPS:,} no-op tasks: run_method_in_queue (celery, Redis) vs apply_async",
            enqueue_ours,
            enqueue_base,
            "tasks/s",
            0.9,
        ),
        Row.compare(
            f"{CPU_TASKS} CPU-bound tasks: hostray worker --concurrency 2 vs backend: thread, 2",
            cpu_ours,
            cpu_base,
            "tasks/s",
            1.5,
        ),
    ]
