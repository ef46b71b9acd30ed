"""WebSocketController.join/leave/broadcast on the `channels` component (backend memory)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from tornado.websocket import websocket_connect

from hostray.web.component import ComponentManager, OptionalComponentTypes
from hostray.web.controller import WebSocketController


class Room(WebSocketController):
    """`join:<c>`, `leave:<c>`, `say:<c>:<text>`, `json:<c>`, `bytes:<c>`; replies `ok`."""

    closed: asyncio.Queue[Room]

    async def on_message(self, message: str | bytes) -> None:
        assert isinstance(message, str)
        command, _, rest = message.partition(":")
        if command == "join":
            await self.join(rest)
        elif command == "leave":
            self.leave(rest)
        elif command == "say":
            channel, _, text = rest.partition(":")
            await self.broadcast(channel, text)
        elif command == "json":
            await self.broadcast(rest, {"n": [1, 2]})
        elif command == "bytes":
            await self.broadcast(rest, b"\x00\xff")
        self.write_message("ok")

    def on_close(self) -> None:
        self.closed.put_nowait(self)


def _channels() -> tuple[ComponentManager, Any]:
    manager = ComponentManager()
    enum = OptionalComponentTypes.Channels
    channels = enum.import_class()(enum)
    channels.init(manager)
    manager.set_component(channels)
    return manager, channels


async def _command(conn: Any, text: str) -> None:
    await conn.write_message(text)
    assert await conn.read_message() == "ok"


async def test_broadcast_reaches_every_joined_socket_the_sender_included(
    serve: Callable[..., Any],
) -> None:
    Room.closed = asyncio.Queue()
    manager, _ = _channels()
    served = serve([("/room", Room)], components=manager)
    alice = await websocket_connect(served.url("/room", "ws"))
    bob = await websocket_connect(served.url("/room", "ws"))
    outsider = await websocket_connect(served.url("/room", "ws"))
    await _command(alice, "join:lobby")
    await _command(bob, "join:lobby")
    await _command(outsider, "join:elsewhere")

    await alice.write_message("say:lobby:hello")
    assert await alice.read_message() == "hello"  # memory: delivered before the handler answers
    assert await alice.read_message() == "ok"
    assert await bob.read_message() == "hello"
    await bob.write_message("json:lobby")
    assert await bob.read_message() == json.dumps({"n": [1, 2]})
    assert await bob.read_message() == "ok"
    assert await alice.read_message() == json.dumps({"n": [1, 2]})
    await alice.write_message("bytes:lobby")
    assert await alice.read_message() == b"\x00\xff"
    assert await alice.read_message() == "ok"
    assert await bob.read_message() == b"\x00\xff"
    await outsider.write_message("say:elsewhere:only me")
    assert await outsider.read_message() == "only me"
    assert await outsider.read_message() == "ok"


async def test_leave_and_close_drop_the_subscriptions(serve: Callable[..., Any]) -> None:
    Room.closed = asyncio.Queue()
    manager, channels = _channels()
    served = serve([("/room", Room)], components=manager)
    alice = await websocket_connect(served.url("/room", "ws"))
    bob = await websocket_connect(served.url("/room", "ws"))
    for conn in (alice, bob):
        await _command(conn, "join:lobby")
        await _command(conn, "join:lobby")  # joining twice is once
        await _command(conn, "join:news")
    assert channels.subscribers("lobby") == 2

    await _command(bob, "leave:lobby")
    await alice.write_message("say:lobby:after leave")
    assert await alice.read_message() == "after leave"
    assert await alice.read_message() == "ok"
    await bob.write_message("say:news:still in news")
    assert await bob.read_message() == "still in news"
    assert await bob.read_message() == "ok"
    assert await alice.read_message() == "still in news"
    await _command(bob, "ping")  # bob got nothing from lobby after leaving it

    alice.close()
    await asyncio.wait_for(Room.closed.get(), 10)
    assert channels.subscribers("lobby") == 0
    assert channels.subscribers("news") == 1
    bob.close()
    await asyncio.wait_for(Room.closed.get(), 10)
    assert channels.subscribers("news") == 0


async def test_join_without_the_component_says_what_to_configure(serve: Callable[..., Any]) -> None:
    Room.closed = asyncio.Queue()
    served = serve([("/room", Room)])
    conn = await websocket_connect(served.url("/room", "ws"))
    await conn.write_message("join:lobby")
    assert await conn.read_message() is None  # the handler raised: Tornado closes the socket
    await asyncio.wait_for(Room.closed.get(), 10)
