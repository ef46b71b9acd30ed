"""WebSocketController: echo, the registry of open sockets, the message size limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from tornado.websocket import websocket_connect

from hostray.web.controller import WebSocketController

if TYPE_CHECKING:
    from .conftest import Served


class Echo(WebSocketController):
    closed: asyncio.Queue[WebSocketController]

    def open(self) -> None:
        self.opened_registered = self in self.application.open_websockets  # type: ignore[attr-defined]

    def on_message(self, message: str | bytes) -> None:
        if message == "registered?":
            self.write_message(str(self.opened_registered))
        else:
            self.write_message(message, binary=isinstance(message, bytes))

    def on_close(self) -> None:
        self.closed.put_nowait(self)


async def test_echo_and_registration_from_open_to_close(serve: Callable[..., Served]) -> None:
    Echo.closed = asyncio.Queue()
    served = serve([("/ws", Echo)])
    conn = await websocket_connect(served.url("/ws", "ws"))
    await conn.write_message("registered?")
    assert await conn.read_message() == "True"
    await conn.write_message("hello")
    assert await conn.read_message() == "hello"
    await conn.write_message(b"\x00\x01", binary=True)
    assert await conn.read_message() == b"\x00\x01"
    assert len(served.app.open_websockets) == 1  # type: ignore[attr-defined]

    conn.close()
    handler = await asyncio.wait_for(Echo.closed.get(), 10)
    assert handler not in served.app.open_websockets  # type: ignore[attr-defined]
    assert served.app.open_websockets == set()  # type: ignore[attr-defined]


async def test_message_over_the_configured_limit_closes_with_1009(
    serve: Callable[..., Served],
) -> None:
    Echo.closed = asyncio.Queue()
    served = serve([("/ws", Echo, {"max_message_size": 1024})])
    conn = await websocket_connect(served.url("/ws", "ws"))
    await conn.write_message("x" * 1024)
    assert await conn.read_message() == "x" * 1024
    await conn.write_message("x" * 1025)
    assert await conn.read_message() is None
    assert conn.close_code == 1009
    await asyncio.wait_for(Echo.closed.get(), 10)
    assert served.app.open_websockets == set()  # type: ignore[attr-defined]


async def test_application_setting_is_the_default_limit(serve: Callable[..., Served]) -> None:
    Echo.closed = asyncio.Queue()
    served = serve([("/ws", Echo)], websocket_max_message_size=100)
    conn = await websocket_connect(served.url("/ws", "ws"))
    await conn.write_message("y" * 101)
    assert await conn.read_message() is None
    assert conn.close_code == 1009


async def test_server_side_close_reaches_the_client_and_unregisters(
    serve: Callable[..., Served],
) -> None:
    Echo.closed = asyncio.Queue()
    served = serve([("/ws", Echo)])
    conn = await websocket_connect(served.url("/ws", "ws"))
    await conn.write_message("ping")
    assert await conn.read_message() == "ping"
    (handler,) = served.app.open_websockets  # type: ignore[attr-defined]
    handler.close(1001, "going away")
    assert await conn.read_message() is None
    assert conn.close_code == 1001
    await asyncio.wait_for(Echo.closed.get(), 10)
    assert served.app.open_websockets == set()  # type: ignore[attr-defined]


async def test_plain_get_without_upgrade_is_a_400_and_not_registered(
    serve: Callable[..., Served],
) -> None:
    served = serve([("/ws", Echo)])
    response = await served.fetch("/ws")
    assert response.code == 400
    assert served.app.open_websockets == set()  # type: ignore[attr-defined]
