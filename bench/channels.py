"""`channels` fan-out, measured at the clients (a separate process counting received bytes).

- One process, `backend: memory`: 1,000 broadcasts to 500 sockets that joined through
  `WebSocketController.join`, against the same loop in raw Tornado (a set of handlers and
  `write_message` on each), side by side on one server. Target ≥ 0.95×.
- Two processes (`hostray start --processes 2`), `backend: redis`: 1,000 messages published to
  Redis reach 500 sockets spread over both processes; reported as messages delivered per second.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application
from tornado.websocket import WebSocketHandler

from bench._harness import Row
from hostray.web.component import ComponentManager, OptionalComponentTypes
from hostray.web.component.optional_component import ChannelsComponent
from hostray.web.controller import WebSocketController

CLIENTS = 500
MESSAGES = 1_000
RUNS = 3
HELLO_BYTES = 3  # the frame of "j": the server's greeting once the socket joined
MESSAGE_BYTES = 18  # a 16-character text frame
REDIS_URL = os.environ.get("HOSTRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+) \(pid (\d+)\)")


def _message(number: int) -> str:
    return f"{number:016d}"


async def _counter(port: int, path: str, rounds: int) -> asyncio.subprocess.Process:
    """Start the client process and return once all its sockets have joined."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench._ws_counter",
        "127.0.0.1",
        str(port),
        path,
        str(CLIENTS),
        str(HELLO_BYTES),
        str(MESSAGES * MESSAGE_BYTES),
        str(rounds),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    await _expect(process, b"joined")
    return process


async def _expect(process: asyncio.subprocess.Process, word: bytes) -> None:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 600)
    if line.strip() != word:
        raise RuntimeError(f"bench/_ws_counter.py: expected {word!r}, got {line!r}")


async def _one_process() -> tuple[float, float]:
    manager = ComponentManager()
    channels = ChannelsComponent(OptionalComponentTypes.Channels)
    channels.init(manager)
    manager.set_component(channels)
    raw: set[WebSocketHandler] = set()

    class Ours(WebSocketController):
        async def open(self) -> None:
            await self.join("room")
            self.write_message("j")

    class Raw(WebSocketHandler):
        def open(self) -> None:
            raw.add(self)
            self.write_message("j")

        def on_close(self) -> None:
            raw.discard(self)

    app = Application([("/ours", Ours), ("/raw", Raw)])
    app.component_manager = manager  # type: ignore[attr-defined]
    app.open_websockets = set()  # type: ignore[attr-defined]
    sockets = bind_sockets(0, "127.0.0.1")
    server = HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]

    async def ours() -> None:
        for number in range(MESSAGES):
            await channels.publish("room", _message(number))

    async def baseline() -> None:
        for number in range(MESSAGES):
            message = _message(number)
            for handler in raw:
                handler.write_message(message)

    counters = {
        "ours": await _counter(port, "/ours", RUNS),
        "raw": await _counter(port, "/raw", RUNS),
    }
    rates: dict[str, list[float]] = {"ours": [], "raw": []}
    try:
        for _ in range(RUNS):
            for name, work in (("ours", ours), ("raw", baseline)):
                started = time.perf_counter()
                await work()
                await _expect(counters[name], b"done")
                rates[name].append(CLIENTS * MESSAGES / (time.perf_counter() - started))
    finally:
        for process in counters.values():
            await process.wait()
        server.stop()
        await server.close_all_connections()
        await channels.dispose(manager)
    return statistics.median(rates["ours"]), statistics.median(rates["raw"])


ROOM = """\
from hostray.web.controller import ControllerType, WebSocketController


class BenchControllerTypes(ControllerType):
    Room = ("bench_room", "controller", "Room")


class Room(WebSocketController):
    async def open(self):
        await self.join("room")
        self.write_message("j")
"""


async def _two_processes() -> float:
    prefix = f"hostray-bench:{uuid.uuid4().hex}:"
    block = {"backend": "redis", "url": REDIS_URL, "prefix": prefix}
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        config = {
            "name": "bench channels",
            "controller": {"/room": {"enum": "bench_room"}},
            "component": {"channels": block},
        }
        (project / "server_config.yaml").write_text(json.dumps(config), encoding="utf-8")
        (project / "controller").mkdir()
        (project / "controller" / "__init__.py").write_text(textwrap.dedent(ROOM))
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hostray",
            "start",
            str(project),
            "--address",
            "127.0.0.1",
            "--port",
            "0",
            "--processes",
            "2",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            return await _measure_cluster(server, block)
        finally:
            if server.returncode is None:
                server.send_signal(signal.SIGTERM)
            await server.wait()


async def _measure_cluster(server: asyncio.subprocess.Process, block: dict[str, Any]) -> float:
    assert server.stdout is not None
    ports: list[int] = []
    while len(ports) < 2:
        line = await asyncio.wait_for(server.stdout.readline(), 60)
        if not line:
            raise RuntimeError("hostray start exited before listening")
        match = LISTENING.search(line.decode())
        if match:
            ports.append(int(match.group(1)))
    draining = asyncio.ensure_future(server.stdout.read())  # the server's output, not read
    manager = ComponentManager()
    publisher = ChannelsComponent(OptionalComponentTypes.Channels)
    publisher.init(manager, **block)
    counter = await _counter(ports[0], "/room", RUNS)
    rates = []
    try:
        for _ in range(RUNS):
            started = time.perf_counter()
            for number in range(MESSAGES):
                await publisher.publish("room", _message(number))
            await _expect(counter, b"done")
            rates.append(CLIENTS * MESSAGES / (time.perf_counter() - started))
    finally:
        await counter.wait()
        await publisher.dispose(manager)
        draining.cancel()
    return statistics.median(rates)


def run() -> list[Row]:
    """The rows of issue 16's channels targets."""
    ours, raw = asyncio.run(_one_process())
    cluster = asyncio.run(_two_processes())
    return [
        Row.compare(
            f"channels fan-out, 1 process: {MESSAGES:,} msgs to {CLIENTS} sockets, vs raw Tornado",
            ours,
            raw,
            "deliveries/s",
            0.95,
        ),
        Row(
            f"channels via Redis, 2 processes: {MESSAGES:,} msgs to {CLIENTS} sockets",
            cluster,
            None,
            "deliveries/s",
            "reported",
            None,
            True,
        ),
    ]
