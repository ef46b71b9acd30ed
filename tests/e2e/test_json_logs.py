"""`logger.format: json`: every line a real server writes is one JSON object (also under
`--processes 2`, the parent's notes on its children included), and the request id follows a
request into a worker pool, task_queue and a `services` upstream (on loopback)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import ServerProcess

import json
import os
import re
import signal
import socket
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
GIVEN_ID = "given-id.123:abc"

CONFIG = """\
name: json logs
debug: true
component:
  logger:
    format: json
  services:
    http://127.0.0.1:{port}:
      /echo_id:
        name: echo_id
        get:
controller:
  /traced:
    enum: traced
  /echo_id:
    enum: echo_id
  /boom:
    enum: boom
"""

CONTROLLERS = """
from hostray.web.controller import ControllerType


class TracedTypes(ControllerType):
    Traced = ("traced", "traced", "TracedController")
    EchoId = ("echo_id", "traced", "EchoIdController")
    Boom = ("boom", "traced", "BoomController")
"""

TRACED = """
import json
import threading

from hostray.web.component import DefaultComponentTypes, OptionalComponentTypes
from hostray.web.controller import RequestController
from hostray.web.request_context import current_request_id


def _log(controller):
    loggers = controller.component_manager.get_component(DefaultComponentTypes.Logger)
    return loggers.get_logger("traced", echo=True)


class TracedController(RequestController):
    async def get(self):
        log = _log(self)
        log.info("in handler")
        manager = self.component_manager
        pools = manager.get_component(DefaultComponentTypes.WorkerPool)
        await pools.run_method_async(log.info, "in worker")
        queue = manager.get_component(DefaultComponentTypes.TaskQueue)
        queue.run_method_in_queue(log.info, "in task")
        services = manager.get_component(OptionalComponentTypes.Service)
        upstream = await services.invoke_async("echo_id", "get")
        self.write(json.dumps({"upstream_saw": upstream.content.decode(),
                               "request_id": current_request_id()}))


class EchoIdController(RequestController):
    async def get(self):
        self.write(self.request.headers.get("X-Request-ID", ""))


class BoomController(RequestController):
    async def get(self):
        raise RuntimeError("boom on purpose")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _DIRECT.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _project(root: Path, port: int) -> Path:
    (root / "controller").mkdir(parents=True)
    (root / "server_config.yaml").write_text(CONFIG.format(port=port))
    (root / "controller" / "__init__.py").write_text(CONTROLLERS)
    (root / "controller" / "traced.py").write_text(TRACED)
    return root


def test_every_line_is_json_and_the_request_id_follows_the_request(
    serve: Callable[..., AbstractContextManager[ServerProcess]], tmp_path: Path
) -> None:
    port = _free_port()
    project = _project(tmp_path / "json_logs", port)
    with serve(project, "--port", str(port)) as server:
        url = server.wait_listening()
        status, headers, body = _fetch(url + "/traced", {"X-Request-ID": GIVEN_ID})
        assert status == 200, body
        assert headers["X-Request-ID"] == GIVEN_ID
        assert json.loads(body) == {"upstream_saw": GIVEN_ID, "request_id": GIVEN_ID}

        status, headers, body = _fetch(url + "/traced", {"X-Request-ID": "bad id with spaces"})
        assert status == 200
        generated = headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
        assert json.loads(body)["upstream_saw"] == generated

        status, headers, _ = _fetch(url + "/boom")
        assert status == 500
        boom_id = headers["X-Request-ID"]
        assert server.stop(signal.SIGTERM) == 0

    lines = [line for line in server.text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line: one JSON object
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    listening = [r for r in records if "listening on" in r["message"]]
    assert len(listening) == 1 and listening[0]["logger"] == "hostray.cli"

    for request_id in (GIVEN_ID, generated):
        mine = [r for r in records if r.get("request_id") == request_id]
        messages = {r["message"] for r in mine if r["logger"] == "traced"}
        assert messages == {"in handler", "in worker", "in task"}
        assert all(r["route"] == "/traced" for r in mine if r["logger"] == "traced")
        access = [r for r in mine if r["logger"] == "tornado.access" and r["route"] == "/traced"]
        assert len(access) == 1
        assert access[0]["status"] == 200 and access[0]["duration_ms"] > 0
        upstream = [r for r in mine if r["logger"] == "tornado.access" and r["route"] == "/echo_id"]
        assert len(upstream) == 1  # the upstream request kept the caller's id

    failed = [r for r in records if r.get("request_id") == boom_id and "exc" in r]
    assert failed and "boom on purpose" in failed[0]["exc"]
    assert failed[0]["level"] == "ERROR" and failed[0]["route"] == "/boom"


PROCESSES_CONFIG = """\
name: json logs processes
component:
  logger:
    format: json
  metrics:
    port: {metrics_port}
controller:
  /alive:
    enum: server_alive
"""


def test_every_line_of_two_processes_and_their_stop_is_json(
    serve: Callable[..., AbstractContextManager[ServerProcess]], tmp_path: Path
) -> None:
    project = tmp_path / "json_processes"
    project.mkdir()
    metrics_port = _free_port()
    (project / "server_config.yaml").write_text(PROCESSES_CONFIG.format(metrics_port=metrics_port))
    with serve(project, "--processes", "2") as server:
        url = server.wait_listening()
        assert server.wait_listening() == url
        for _ in range(4):
            assert _fetch(url + "/alive")[0] == 200
        assert _fetch(f"http://127.0.0.1:{metrics_port}/metrics")[0] == 200
        pids = {int(p) for p in re.findall(r"\(pid (\d+)\)", server.text())}
        os.kill(min(pids), signal.SIGKILL)  # the parent restarts it, and says so
        server.wait_listening()
        assert server.stop(signal.SIGTERM) == 0

    lines = [line for line in server.text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line: one JSON object
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    messages = [r["message"] for r in records]
    assert sum("listening on" in m for m in messages) == 3
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    assert messages.count(f"json logs processes: metrics on {metrics_url}") == 3
    assert messages.count("json logs processes stopped") == 2  # the shutdown lines, too
    restarted = [r for r in records if "restarting" in r["message"]]
    assert len(restarted) == 1 and restarted[0]["level"] == "WARNING"
    assert f"pid {min(pids)}" in restarted[0]["message"]
