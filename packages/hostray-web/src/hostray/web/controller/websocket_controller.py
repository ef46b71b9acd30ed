"""`WebSocketController`: a Tornado `WebSocketHandler` the server knows about and can close.

Every open connection is kept in `application.open_websockets` from the handshake until it closes,
so the server can close them with 1001 when it stops. Frames larger than `max_message_size` close
the connection with 1009 (Tornado's check).
"""

from __future__ import annotations

from tornado.websocket import WebSocketHandler

from .addon import ControllerAddon

__all__ = ["WebSocketController"]


class WebSocketController(ControllerAddon, WebSocketHandler):
    """Base websocket controller; route `params` may set `max_message_size` (bytes).

    A subclass that overrides `on_finish` or `on_connection_close` calls `super()` in it.
    """

    _max_message_size: int | None = None

    def initialize(self, max_message_size: int | None = None) -> None:
        """Keep the route's message size limit (default: `websocket_max_message_size`, 10 MiB)."""
        self._max_message_size = max_message_size

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
        """Forget the connection, then let Tornado call `on_close()`."""
        sockets = getattr(self.application, "open_websockets", None)
        if sockets is not None:
            sockets.discard(self)
        super().on_connection_close()
