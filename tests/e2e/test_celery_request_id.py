"""The request id travels with a Celery task: a task queued while serving a request logs, in a real
`hostray worker` process, JSON lines carrying that request's id; a task queued outside any
request logs none; the worker's lines are JSON (but the shutdown note Celery prints itself). Redis
is the broker (db 13) and the result backend (db 14)."""

from __future__ import annotations

import importlib
import json
import re
import signal
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from hostray.web.component import DefaultComponentTypes
from hostray.web.project import load_project
from hostray.web.server import HostrayServer
from hostray.web.testing import HostrayClient

from .celery_project import READY, redis_db
from .conftest import started_server

GIVEN_ID = "celery-id.42:xyz"

CONTROLLERS = """
from hostray.web.controller import ControllerType


class QueueTypes(ControllerType):
    Queue = ("queue", "queue", "QueueController")
"""

QUEUE = """
import {module} as jobs

from hostray.web.component import DefaultComponentTypes
from hostray.web.controller import RequestController


class QueueController(RequestController):
    async def get(self):
        queue = self.component_manager.get_component(DefaultComponentTypes.TaskQueue)
        queue.run_method_in_queue(jobs.say, self.get_argument("text"))
        self.write("queued")
"""

JOBS = """
from hostray.web.component import DefaultComponentTypes
from hostray.web.component.task_queue import task_component_manager


def say(text):
    loggers = task_component_manager().get_component(DefaultComponentTypes.Logger)
    loggers.get_logger("jobs", echo=True).info("task says %s", text)
"""


def _project(root: Path, broker: str, results: str, tag: str) -> tuple[Path, str, str]:
    """The project files; its task module's name and its key prefix."""
    module, prefix = f"jobs_rid_{tag}", f"rid:{tag}:"
    (root / "controller").mkdir(parents=True)
    (root / f"{module}.py").write_text(JOBS, encoding="utf-8")
    (root / "controller" / "__init__.py").write_text(CONTROLLERS, encoding="utf-8")
    (root / "controller" / "queue.py").write_text(QUEUE.format(module=module), encoding="utf-8")
    (root / "server_config.yaml").write_text(
        textwrap.dedent(
            f"""\
            name: celery request id
            component:
              logger:
                format: json
              task_queue:
                backend: celery
                broker: {broker}
                result_backend: {results}
                queue: rid-{tag}
                key_prefix: "{prefix}"
            controller:
              /queue:
                enum: queue
            """
        ),
        encoding="utf-8",
    )
    return root, module, prefix


@pytest.fixture
def project(tmp_path: Path, redis_url: str) -> Iterator[tuple[Path, str]]:
    """The project root and its task module; its keys in both Redis dbs deleted afterwards."""
    broker, results = redis_db(redis_url, 13), redis_db(redis_url, 14)
    root, module, prefix = _project(tmp_path / "proj", broker, results, uuid.uuid4().hex[:10])
    yield root, module
    for url in (broker, results):
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def _json_line(line: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(line)
    return record


@pytest.mark.timeout(180)
async def test_a_task_logs_with_the_id_of_the_request_that_queued_it(
    project: tuple[Path, str],
) -> None:
    root, module = project
    loaded = load_project(root)
    jobs = importlib.import_module(module)
    server = HostrayServer(loaded, port=0, address="127.0.0.1")
    await server.start()
    try:
        assert server.component_manager is not None
        queue = server.component_manager.get_component(DefaultComponentTypes.TaskQueue)
        assert queue is not None
        queue.run_method_in_queue(jobs.say, "outside")  # no request is being served here
        response = await HostrayClient(server.url).get(
            "/queue?text=inside", headers={"X-Request-ID": GIVEN_ID}
        )
        assert response.code == 200
        assert response.headers["X-Request-ID"] == GIVEN_ID
        generated = await HostrayClient(server.url).get("/queue?text=generated")
        generated_id = generated.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated_id)

        argv = [sys.executable, "-m", "hostray", "worker", str(root), "--concurrency", "1"]
        with started_server(argv, new_session=True) as worker:
            worker.wait_for(READY, 60)
            said = {}
            for _ in range(3):
                match = worker.wait_for(re.compile(r"task says (\w+)"), 60)
                said[match.group(1)] = _json_line(match.string)
            assert worker.stop(signal.SIGTERM, 60) == 0, worker.text()
    finally:
        await server.stop()

    assert said["inside"]["request_id"] == GIVEN_ID
    assert said["generated"]["request_id"] == generated_id
    assert "request_id" not in said["outside"]
    assert all(r["logger"] == "jobs" and r["level"] == "INFO" for r in said.values())
    lines = [line for line in worker.text().splitlines() if line.strip()]
    # Celery prints its notes on signals itself, past logging: the only lines not in JSON. (When
    # the stop comes just after the last task, the warm stop now and then waits for the cut at
    # shutdown_timeout, and Celery adds its cold-shutdown notes.)
    notes = [line for line in lines if line.startswith("worker: ")]
    assert notes[0] == "worker: Warm shutdown (MainProcess)", worker.text()
    records = [_json_line(line) for line in lines if not line.startswith("worker: ")]
    assert any("worker ready on" in r["message"] for r in records)
