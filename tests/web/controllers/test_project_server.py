"""Controllers in a real project served by HostrayServer (through the pytest plugin's fixtures).

The project's routes come from its `controller` block; its controllers reach the default
components through the ControllerAddon helpers; the server closes websockets with 1001 on stop.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hostray.web.controller import RequestController
from hostray.web.pytest_plugin import HostrayClient, RunningServer

if TYPE_CHECKING:
    from .conftest import Served

CONTROLLER_INIT = """
from hostray.web.controller import ControllerType


class ProjectControllerType(ControllerType):
    Helpers = ("helpers", "helpers", "HelpersController")
    Echo = ("echo", "sockets", "EchoController")
    Upload = ("upload", "hostray.web.controller", "StreamingFileUploadController")
    Relay = ("relay", "helpers", "RelayController")
"""

HELPERS = """
import threading

from hostray.web.controller import RequestController


class HelpersController(RequestController):
    def initialize(self, greeting: str) -> None:
        self.greeting = greeting

    async def get(self) -> None:
        loop_thread = threading.get_ident()
        pool_thread = await self.run_method_async(threading.get_ident)
        self.log_info("helpers called with %s", self.greeting)
        self.log_warning("a warning")
        self.log_error("an error")
        self.write(
            {
                "message": self.get_localized_message(90001, self.greeting),
                "unknown": self.get_localized_message(90002),
                "in_pool": pool_thread != loop_thread,
            }
        )
"""

RELAY = """

class RelayController(RequestController):
    async def get(self) -> None:
        chunks = []
        response = await self.invoke_service_async(
            "upstream", "post", streaming_callback=chunks.append, data=b"payload"
        )
        self.write({"status": response.status_code, "body": b"".join(chunks).decode()})
"""

SOCKETS = """
from hostray.web.controller import WebSocketController


class EchoController(WebSocketController):
    def on_message(self, message):
        self.write_message(message)
"""

CONFIG = """
name: controllers project
port: 8888
debug: false
controller:
  /alive:
    enum: server_alive
  /components_info:
    enum: components_info
  /helpers:
    enum: helpers
    params:
      greeting: hi
  /ws:
    enum: echo
    params:
      max_message_size: 64
  /upload:
    enum: upload
    params:
      upload_dir: uploads
      max_body_size: 1000
  /(.*):
    enum: frontend
    params:
      path: frontend
      default_filename: index.html
component:
  localization:
    dir: local
  logger:
    dir: logs
  worker_pool:
    default: 2
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "controller").mkdir(parents=True)
    (root / "controller" / "__init__.py").write_text(CONTROLLER_INIT)
    (root / "controller" / "helpers.py").write_text(HELPERS + RELAY)
    (root / "controller" / "sockets.py").write_text(SOCKETS)
    (root / "local").mkdir()
    (root / "local" / "messages.csv").write_text('code,en\n90001,"hello {}"\n')
    (root / "frontend").mkdir()
    (root / "frontend" / "index.html").write_text("<p>front</p>")
    (root / "server_config.yaml").write_text(textwrap.dedent(CONFIG))
    return root


async def test_builtin_and_project_controllers_answer(
    hostray_server_factory: Callable[..., RunningServer], project: Path
) -> None:
    running = hostray_server_factory(project)
    client = HostrayClient(running.base_url)

    assert (await client.get("/alive")).body == b"1"
    assert (await client.get("/")).body == b"<p>front</p>"
    assert (await client.get("/nothing-here")).code == 404

    info = json.loads((await client.get("/components_info")).body)
    assert info["name"] == "controllers project"
    assert {"localization", "logger", "callback", "worker_pool", "task_queue"} <= set(info["info"])

    helpers = json.loads((await client.get("/helpers")).body)
    assert helpers == {"message": "hello hi", "unknown": "90002", "in_pool": True}


async def test_controller_logs_go_to_the_logger_components_dir(
    hostray_server_factory: Callable[..., RunningServer], project: Path
) -> None:
    running = hostray_server_factory(project)
    client = HostrayClient(running.base_url)
    assert (await client.get("/helpers")).code == 200
    await asyncio.get_running_loop().run_in_executor(None, running.stop)
    logged = "".join(p.read_text() for p in (project / "logs").rglob("*") if p.is_file())
    assert "helpers called with hi" in logged
    assert "a warning" in logged and "an error" in logged


async def test_upload_dir_is_relative_to_the_project(
    hostray_server_factory: Callable[..., RunningServer], project: Path
) -> None:
    running = hostray_server_factory(project)
    client = HostrayClient(running.base_url)
    response = await client.post("/upload", body=b"data", headers={"filename": "a.txt"})
    assert response.code == 200, response.body
    assert (project / "uploads" / "a.txt").read_bytes() == b"data"
    too_big = await client.post("/upload", body=b"x" * 1001, headers={"filename": "b.txt"})
    assert too_big.code == 413
    assert not (project / "uploads" / "b.txt").exists()


class Upstream(RequestController):
    async def post(self) -> None:
        self.write(b"got " + self.request.body)


async def test_invoke_service_async_reaches_the_configured_service(
    hostray_server_factory: Callable[..., RunningServer],
    project: Path,
    serve: Callable[..., Served],
) -> None:
    upstream = serve([("/data", Upstream)])
    config = (project / "server_config.yaml").read_text()
    config += (
        "  services:\n"
        f"    http://127.0.0.1:{upstream.port}:\n"
        "      /data:\n"
        "        name: upstream\n"
        "        post:\n"
    )
    config = config.replace("/alive:", "/relay:\n    enum: relay\n  /alive:", 1)
    (project / "server_config.yaml").write_text(config)
    running = hostray_server_factory(project)
    response = await HostrayClient(running.base_url).get("/relay")
    assert response.code == 200, response.body
    assert json.loads(response.body) == {"status": 200, "body": "got payload"}


async def test_websockets_are_closed_with_1001_when_the_server_stops(
    hostray_server_factory: Callable[..., RunningServer], project: Path
) -> None:
    running = hostray_server_factory(project)
    client = HostrayClient(running.base_url)
    first = await client.websocket_connect("/ws")
    second = await client.websocket_connect("/ws")
    for conn in (first, second):
        await conn.write_message("ping")
        assert await conn.read_message() == "ping"
    assert running.server.app is not None
    assert len(running.server.app.open_websockets) == 2

    # stop() blocks until the server has stopped: run it off this loop so the clients can answer.
    await asyncio.get_running_loop().run_in_executor(None, running.stop)

    for conn in (first, second):
        assert await conn.read_message() is None
        assert conn.close_code == 1001
    assert running.server.app is not None
    assert len(running.server.app.open_websockets) == 0


async def test_websocket_message_limit_from_route_params(
    hostray_server_factory: Callable[..., RunningServer], project: Path
) -> None:
    running = hostray_server_factory(project)
    conn = await HostrayClient(running.base_url).websocket_connect("/ws")
    await conn.write_message("z" * 65)
    assert await conn.read_message() is None
    assert conn.close_code == 1009
