"""`WebSocketController`: a Tornado `WebSocketHandler` the server knows about and can close.

Every open connection is kept in `application.open_websockets` from the handshake until it closes,
so the server can close them with 1001 when it stops. Frames larger than `max_message_size` close
the connection with 1009 (Tornado's check). Messages written faster than the client reads them
(`write_message` not awaited) wait in a buffer of at most `max_write_buffer_size` bytes; past it
the connection is closed with 1008, so a client that never reads cannot fill the server's memory.
`join`/`leave`/`broadcast` connect the socket to the `channels` component; a closed socket leaves
every channel it joined.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from tornado.iostream import StreamBufferFullError
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from hostray.web.component import OptionalComponentTypes

from .addon import ControllerAddon

if TYPE_CHECKING:
    from hostray.web.component.optional_component.channels.backend import Message
    from hostray.web.component.optional_component.channels.component import ChannelsComponent

__all__ = ["DEFAULT_MAX_WRITE_BUFFER_SIZE", "WebSocketController"]

DEFAULT_MAX_WRITE_BUFFER_SIZE = 16 * 1024 * 1024
"""Bytes of messages a connection may have waiting to be sent (16 MiB)."""
POLICY_VIOLATION = 1008

logger = logging.getLogger("hostray.web.websocket")


class WebSocketController(ControllerAddon, WebSocketHandler):
    """Base websocket controller; route `params` may set `max_message_size` and
    `max_write_buffer_size` (bytes). Await `write_message` to send no faster than the client reads.

    A subclass that overrides `on_finish` or `on_connection_close` calls `super()` in it.
    """

    _max_message_size: int | None = None
    max_write_buffer_size: int = DEFAULT_MAX_WRITE_BUFFER_SIZE
    _closed_for_backlog = False
    _joined_channels: set[str] | None = None

    @classmethod
    def on_server_start(cls, params: dict[str, Any]) -> None:
        """Check the route's size params when the server starts (ValueError naming the param)."""
        for name in ("max_message_size", "max_write_buffer_size"):
            value = params.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name}: expected bytes ≥ 1, got {value!r}")

    def initialize(
        self,
        max_message_size: int | None = None,
        max_write_buffer_size: int = DEFAULT_MAX_WRITE_BUFFER_SIZE,
    ) -> None:
        """Keep the route's message size limit (default: `websocket_max_message_size`, 10 MiB)
        and write buffer limit (default 16 MiB)."""
        self._max_message_size = max_message_size
        self.max_write_buffer_size = max_write_buffer_size

    def write_message(
        self, message: bytes | str | dict[str, Any], binary: bool = False
    ) -> asyncio.Future[None]:
        """Send a message (await the result to wait until it is sent). A message that would grow
        the unsent backlog past `max_write_buffer_size` closes the connection with 1008 instead;
        it and later ones then fail with `WebSocketClosedError` through the returned future."""
        if self._closed_for_backlog:
            return _failed(WebSocketClosedError())
        stream = self.ws_connection.stream if self.ws_connection is not None else None
        if stream is None:
            return super().write_message(message, binary)
        stream.max_write_buffer_size = self.max_write_buffer_size
        try:
            return super().write_message(message, binary)
        except StreamBufferFullError:
            stream.max_write_buffer_size = None  # the close frame must still go out
            self._close_for_backlog()
            return _failed(WebSocketClosedError())
        finally:
            stream.max_write_buffer_size = None

    def _close_for_backlog(self) -> None:
        self._closed_for_backlog = True
        logger.warning(
            "websocket %s from %s: the client does not read what is sent; closed (%d) past "
            "max_write_buffer_size (%d bytes)",
            self.request.path,
            self.request.remote_ip,
            POLICY_VIOLATION,
            self.max_write_buffer_size,
        )
        self.close(POLICY_VIOLATION, "write buffer full: the client does not read")

    @property
    def max_message_size(self) -> int:
        """The largest message accepted; a larger one closes the connection with 1009."""
        if self._max_message_size is not None:
            return self._max_message_size
        return super().max_message_size

    def on_finish(self) -> None:
        """Register the connection once the handshake (the 101 response) has been sent."""
        super().on_finish()
        sockets = getattr(self.application, "open_websockets", None)
        if self.get_status() == 101 and sockets is not None:
            sockets.add(self)

    def on_connection_close(self) -> None:
        """Forget the connection and leave its channels, then let Tornado call `on_close()`."""
        sockets = getattr(self.application, "open_websockets", None)
        if sockets is not None:
            sockets.discard(self)
        for channel in tuple(self._joined_channels or ()):
            self.leave(channel)
        super().on_connection_close()

    @property
    def joined_channels(self) -> frozenset[str]:
        """The channels this socket has joined and not left."""
        return frozenset(self._joined_channels or ())

    async def join(self, channel: str) -> None:
        """Send this socket every message broadcast on `channel` (by any process using the same
        channels backend) until `leave` or the socket closes; returns once the subscription is
        live. str → text frame, bytes → binary frame, a JSON value → its JSON as text."""
        joined = self._joined_channels
        if joined is None:
            joined = self._joined_channels = set()
        if channel in joined:
            return
        channels = self._channels()
        joined.add(channel)
        await channels.subscribe(channel, self._send_channel_message)

    def leave(self, channel: str) -> None:
        """Stop sending `channel`'s messages to this socket; a channel not joined is ignored."""
        joined = self._joined_channels
        if joined is None or channel not in joined:
            return
        joined.discard(channel)
        self._channels().unsubscribe(channel, self._send_channel_message)

    async def broadcast(self, channel: str, message: Message) -> None:
        """Publish `message` to every socket (this one included, if it joined) and callback on
        `channel`; `ChannelsUnavailableError` when the backend (Redis) cannot be reached."""
        await self._channels().publish(channel, message)

    def _channels(self) -> ChannelsComponent:
        channels: ChannelsComponent | None = self.component_manager.get_component(
            OptionalComponentTypes.Channels
        )
        if channels is None:
            raise RuntimeError(
                f"{type(self).__name__}: join/leave/broadcast need the channels component; "
                "add it to the component block of server_config.yaml"
            )
        return channels

    def _send_channel_message(self, message: Message) -> None:
        """Write one channel message to the client; a closing socket drops it (Tornado's
        `write_message` raises `WebSocketClosedError` for it)."""
        if not isinstance(message, (str, bytes)):
            message = json.dumps(message)
        try:
            sent = self.write_message(message, binary=isinstance(message, bytes))
        except WebSocketClosedError:
            return
        sent.add_done_callback(_ignore_closed)


def _ignore_closed(sent: asyncio.Future[Any]) -> None:
    """Retrieve a write's outcome: a socket closed meanwhile is not an error to log."""
    if not sent.cancelled():
        sent.exception()


def _failed(exc: BaseException) -> asyncio.Future[None]:
    """A future already failed with `exc`, marked retrieved: a caller that does not await it
    (the case this guards against) gets no "exception was never retrieved" log."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    future.set_exception(exc)
    future.exception()
    return future
