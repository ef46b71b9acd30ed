"""`task_queue` with `backend: celery` and `hostray worker`, against real Redis and RabbitMQ
brokers, real worker processes and PostgreSQL.

The main scenario (on RabbitMQ): two server instances queue 500 tasks each while no worker runs; a
worker (`--concurrency 2`) starts and takes them; it is killed with `kill -9` half-way and a second
worker starts; every one of the 1,000 tasks ends up recorded in PostgreSQL through `orm_db`.
Delivery is at least once: tasks are acknowledged after they ran, so the only duplicates allowed
are the killed worker's in-flight tasks — at most concurrency × prefetch multiplier = 2 × 1 = 2.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hostray.web.component import DefaultComponentTypes
from hostray.web.project import load_project
from hostray.web.server import HostrayServer

from .celery_project import CeleryProject, CeleryTimeouts, drop, redis_db, write_celery_project

TASKS = 1000
IN_FLIGHT_BOUND = 2  # concurrency 2 × worker_prefetch_multiplier 1


@pytest.fixture
def project(
    tmp_path: Path, amqp_url: str, redis_url: str, postgresql_url: str
) -> Iterator[CeleryProject]:
    """On RabbitMQ, which redelivers a dead worker's tasks when its connection drops. Redis does not
    promise that for kill -9 (a task between the queue and kombu's unacknowledged set is lost;
    the web README says so), so this scenario is RabbitMQ's."""
    results = redis_db(redis_url, 14)
    made = write_celery_project(tmp_path / "proj", amqp_url, results, postgresql_url)
    yield made
    drop(made)


class Finished:
    """Counts on_finish calls (from the result threads); events at half and all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: list[Any] = []
        self.errors: list[Exception] = []
        self.half = threading.Event()
        self.all = threading.Event()

    def on_finish(self, value: Any) -> None:
        with self.lock:
            self.values.append(value)
            if len(self.values) >= TASKS // 2:
                self.half.set()
            if len(self.values) >= TASKS:
                self.all.set()

    def on_exception(self, exc: Exception) -> None:
        with self.lock:
            self.errors.append(exc)
        self.all.set()


@pytest.mark.timeout(420)
async def test_a_thousand_tasks_survive_a_worker_killed_half_way(project: CeleryProject) -> None:
    loaded = load_project(project.root)
    jobs = project.jobs()  # the project's module, importable once the project is loaded

    servers = [HostrayServer(loaded, port=0, address="127.0.0.1") for _ in range(2)]
    for server in servers:
        await server.start()
    finished = Finished()
    try:
        for index, server in enumerate(servers):
            assert server.component_manager is not None
            queue = server.component_manager.get_component(DefaultComponentTypes.TaskQueue)
            assert queue is not None
            for n in range(index, TASKS, 2):  # no worker runs yet: the tasks wait in the broker
                queue.run_method_in_queue(
                    jobs.record,
                    n,
                    pause=0.01,
                    on_finish=finished.on_finish,
                    on_exception=finished.on_exception,
                )
        with project.worker("--concurrency", "2") as first:
            assert await asyncio.to_thread(finished.half.wait, 120), "no half-way point"
            os.killpg(first.process.pid, signal.SIGKILL)
            first.process.wait(30)
        with project.worker("--concurrency", "2") as second:
            # Redis: the dead worker's unacknowledged tasks come back after visibility_timeout
            # (5 s here) at the next scan (every 10 s); RabbitMQ: when its connection dropped.
            all_done = await asyncio.to_thread(finished.all.wait, 180)
            assert all_done, f"{len(finished.values)} finished; second worker:\n{second.text()}"
            assert second.stop(signal.SIGTERM, 60) == 0
    finally:
        for server in servers:
            await server.stop()

    assert finished.errors == []
    assert sorted(finished.values) == list(range(TASKS))
    rows = project.rows()
    counts = Counter(n for n, _ in rows)
    assert set(counts) == set(range(TASKS))
    duplicates = len(rows) - TASKS
    print(f"{project.broker.split(':')[0]}: {duplicates} duplicate(s) after kill -9")
    assert duplicates <= IN_FLIGHT_BOUND, counts.most_common(5)
    assert len({pid for _, pid in rows}) >= 3  # two processes of the first worker, then others


@pytest.fixture
def redis_project(tmp_path: Path, redis_url: str, postgresql_url: str) -> Iterator[CeleryProject]:
    made = write_celery_project(
        tmp_path / "proj", redis_db(redis_url, 13), redis_db(redis_url, 14), postgresql_url
    )
    yield made
    drop(made)


async def test_stopping_the_server_publishes_every_queued_task_first(
    redis_project: CeleryProject,
) -> None:
    import redis

    loaded = load_project(redis_project.root)
    jobs = redis_project.jobs()

    server = HostrayServer(loaded, port=0, address="127.0.0.1")
    await server.start()
    assert server.component_manager is not None
    queue = server.component_manager.get_component(DefaultComponentTypes.TaskQueue)
    assert queue is not None
    for n in range(300):
        queue.run_method_in_queue(jobs.record, n)
    await server.stop()  # what SIGTERM runs: the publisher drains before the process may exit
    broker = redis.Redis.from_url(redis_project.broker)
    assert broker.llen(redis_project.queue_key) == 300  # all on the broker, none lost


async def test_stopping_the_server_ends_the_wait_for_results_that_never_come(
    redis_project: CeleryProject,
) -> None:
    loaded = load_project(redis_project.root)
    jobs = redis_project.jobs()

    server = HostrayServer(loaded, port=0, address="127.0.0.1")
    await server.start()
    assert server.component_manager is not None
    queue = server.component_manager.get_component(DefaultComponentTypes.TaskQueue)
    assert queue is not None
    finished: list[Any] = []
    for n in range(3):  # no worker runs: these results never arrive while the server lives
        queue.run_method_in_queue(jobs.record, n, on_finish=finished.append)
    before = {thread.ident for thread in threading.enumerate()}
    await server.stop()
    # The result thread gives up its wait instead of holding the process open at exit.
    waiting = [
        thread
        for thread in threading.enumerate()
        if thread.name == "task_queue-results" and thread.ident in before
    ]
    for thread in waiting:
        await asyncio.to_thread(thread.join, 10)
    assert not any(thread.is_alive() for thread in waiting)
    assert finished == []


def test_a_worker_stops_on_sigterm_after_its_running_task_and_exits_zero(
    redis_project: CeleryProject,
) -> None:
    loaded = load_project(redis_project.root)
    jobs = redis_project.jobs()

    async def queue_one() -> None:
        server = HostrayServer(loaded, port=0, address="127.0.0.1")
        await server.start()
        assert server.component_manager is not None
        queue = server.component_manager.get_component(DefaultComponentTypes.TaskQueue)
        assert queue is not None
        queue.run_method_in_queue(jobs.record, 7, pause=3)
        await server.stop()

    with redis_project.worker("--concurrency", "1") as worker:
        asyncio.run(queue_one())
        worker.wait_for(re.compile(r"record 7 started"), 60)
        assert worker.stop(signal.SIGTERM, 60) == 0
    assert redis_project.rows()[0][0] == 7  # the running task finished before the exit


def test_hostray_worker_refuses_a_project_on_the_thread_backend(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path
) -> None:
    done = hostray("worker", str(hello_project))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {hello_project / 'server_config.yaml'}: component.task_queue.backend: "
        "hostray worker needs 'celery', got 'thread'"
    ]


def test_a_task_running_past_shutdown_timeout_is_cut_and_back_in_the_queue(
    tmp_path: Path, redis_url: str, postgresql_url: str
) -> None:
    import redis

    project = write_celery_project(
        tmp_path / "proj",
        redis_db(redis_url, 13),
        redis_db(redis_url, 14),
        postgresql_url,
        CeleryTimeouts(visibility=3600, shutdown=2),
    )
    try:
        loaded = load_project(project.root)
        jobs = project.jobs()

        async def queue_one() -> None:
            server = HostrayServer(loaded, port=0, address="127.0.0.1")
            await server.start()
            assert server.component_manager is not None
            queue = server.component_manager.get_component(DefaultComponentTypes.TaskQueue)
            assert queue is not None
            queue.run_method_in_queue(jobs.record, 9, pause=60)
            await server.stop()

        with project.worker("--concurrency", "1") as worker:
            asyncio.run(queue_one())
            worker.wait_for(re.compile(r"record 9 started"), 60)
            assert worker.stop(signal.SIGTERM, 60) == 0
        assert project.rows() == []  # cut before it wrote
        # acknowledged late: the cut task is back in the queue for the next worker
        assert redis.Redis.from_url(project.broker).llen(project.queue_key) == 1
    finally:
        drop(project)
