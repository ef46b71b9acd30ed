"""Graceful stop on real sockets: in-flight requests finish, idle connections close, websockets
get 1001, new connections are refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler
from tornado.websocket import websocket_connect

from hostray.web.controller import WebSocketController
from hostray.web.project import Project, RouteSpec
from hostray.web.server import HostrayServer


class Gate(RequestHandler):
    """Answers once the test opens the gate given as `gate`."""

    def initialize(self, gate: asyncio.Event, started: asyncio.Event) -> None:
        self.gate = gate
        self.started = started

    async def get(self) -> None:
        self.started.set()
        await self.gate.wait()
        self.write("finished")


class Hello(RequestHandler):
    def get(self) -> None:
        self.write("hello")


class Echo(WebSocketController):
    def on_message(self, message: str | bytes) -> None:
        self.write_message(message)


def make_server(shutdown_timeout: float, **params: Any) -> HostrayServer:
    config = {"port": 0, "address": "127.0.0.1", "debug": False}
    config["shutdown_timeout"] = shutdown_timeout
    routes = [
        RouteSpec("/gate", Gate, params),
        RouteSpec("/hello", Hello, {}),
        RouteSpec("/ws", Echo, {}),
    ]
    return HostrayServer(Project("/nonexistent", config, "graceful", routes=routes))


async def fetch(server: HostrayServer, path: str) -> Any:
    client = AsyncHTTPClient(force_instance=True)
    try:
        return await client.fetch(f"http://127.0.0.1:{server.port}{path}", request_timeout=30)
    finally:
        client.close()


async def test_in_flight_request_finishes_and_new_connections_are_refused() -> None:
    gate, started = asyncio.Event(), asyncio.Event()
    server = make_server(60, gate=gate, started=started)
    await server.start()
    assert (await fetch(server, "/hello")).body == b"hello"
    in_flight = asyncio.ensure_future(fetch(server, "/gate"))
    await started.wait()

    stopping = asyncio.ensure_future(server.stop())
    await asyncio.sleep(0)  # let stop() close the listening socket
    with pytest.raises(ConnectionError):  # refused, or reset when caught in the closing backlog
        await asyncio.open_connection("127.0.0.1", server.port)
    assert not stopping.done()

    gate.set()
    response = await asyncio.wait_for(in_flight, 10)
    assert (response.code, response.body) == (200, b"finished")
    await asyncio.wait_for(stopping, 10)


async def test_idle_keep_alive_connection_is_closed_without_waiting() -> None:
    server = make_server(600, gate=asyncio.Event(), started=asyncio.Event())
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert await reader.readexactly(5) == b"hello"

    await asyncio.wait_for(server.stop(), 10)  # far below the 600 s shutdown_timeout
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()


async def test_request_over_shutdown_timeout_is_cut_and_stop_returns() -> None:
    gate, started = asyncio.Event(), asyncio.Event()
    server = make_server(0.2, gate=gate, started=started)
    await server.start()
    in_flight = asyncio.ensure_future(fetch(server, "/gate"))
    await started.wait()
    await asyncio.wait_for(server.stop(), 10)
    with pytest.raises((HTTPClientError, StreamClosedError, ConnectionError)):
        await asyncio.wait_for(in_flight, 10)


async def test_open_websockets_are_closed_with_going_away() -> None:
    server = make_server(10, gate=asyncio.Event(), started=asyncio.Event())
    await server.start()
    conn = await websocket_connect(f"ws://127.0.0.1:{server.port}/ws")
    await conn.write_message("ping")
    assert await conn.read_message() == "ping"
    assert server.app is not None and len(server.app.open_websockets) == 1

    await asyncio.wait_for(server.stop(), 10)
    assert await asyncio.wait_for(conn.read_message(), 10) is None
    assert conn.close_code == 1001
    assert len(server.app.open_websockets) == 0


async def test_stop_twice_waits_for_the_same_stop() -> None:
    server = make_server(10, gate=asyncio.Event(), started=asyncio.Event())
    await server.start()
    await asyncio.gather(server.stop(), server.stop())
    await server.stop()
