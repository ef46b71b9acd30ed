"""Streams of accepted connections: a 431 for headers too large, and a lingering close.

Tornado closes the connection without a word when the headers pass `max_header_size` (its read
of them cannot be satisfied). These streams send a 431 answer first, while the connection is
still waiting for headers (the server sets `awaiting_headers`); the answer is one small write
to the socket, so it needs no event loop turn.

A connection closed while the client is still sending (a 413, 431 or 503) would reset, and the
client could lose the answer before reading it. With `linger` set, the stream's socket instead
stops sending (FIN after the answer), reads and drops what still comes for up to
`LINGER_SECONDS` or `LINGER_BYTES`, then closes; at most `MAX_LINGERING` sockets at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import ssl
from typing import Any, ClassVar

from tornado.iostream import IOStream, SSLIOStream, UnsatisfiableReadError
from tornado.netutil import ssl_wrap_socket

__all__ = ["HeaderLimitStream", "SSLHeaderLimitStream", "accepted_stream"]

LINGER_SECONDS = 5.0
LINGER_BYTES = 128 * 1024 * 1024
MAX_LINGERING = 256

_BODY = b"431: Request Header Fields Too Large\n"
HEADERS_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"Content-Type: text/plain; charset=UTF-8\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n"
    b"Connection: close\r\n\r\n" + _BODY
)


class HeaderLimitStream(IOStream):
    """An `IOStream` that answers 431 before closing for headers past the size limit."""

    awaiting_headers = True
    linger = False
    lingering: ClassVar[set[_Linger]] = set()

    def close(self, exc_info: Any = False) -> None:
        """Close; first answer 431 when the headers were too large."""
        if self.awaiting_headers and isinstance(exc_info, UnsatisfiableReadError):
            self.awaiting_headers = False
            if not self.closed():
                with contextlib.suppress(OSError, ValueError):
                    self.socket.send(HEADERS_TOO_LARGE)
                    self.linger = True
        super().close(exc_info)

    def close_fd(self) -> None:
        """Close the socket; with `linger`, after the client has had time to read the answer."""
        sock = self.socket
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop to linger on
            loop = None
        if not self.linger or len(self.lingering) >= MAX_LINGERING or sock is None or loop is None:
            super().close_fd()
            return
        try:
            sock.shutdown(socket.SHUT_WR)
        except (OSError, ValueError):
            super().close_fd()
            return
        self.socket = None  # type: ignore[assignment]
        _Linger(sock, self.lingering, loop).start()


class _Linger:
    """Reads and drops what a client still sends on a socket we stopped writing to, then closes."""

    def __init__(
        self, sock: socket.socket, registry: set[_Linger], loop: asyncio.AbstractEventLoop
    ) -> None:
        self.sock = sock
        self.registry = registry
        self.left = LINGER_BYTES
        self.loop = loop
        self.timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self.registry.add(self)
        self.loop.add_reader(self.sock.fileno(), self._read)
        self.timer = self.loop.call_later(LINGER_SECONDS, self._close)

    def _read(self) -> None:
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        self.left -= len(data)
        if not data or self.left <= 0:
            self._close()

    def _close(self) -> None:
        if self not in self.registry:
            return
        self.registry.discard(self)
        if self.timer is not None:
            self.timer.cancel()
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()


class SSLHeaderLimitStream(HeaderLimitStream, SSLIOStream):
    """The TLS flavour of `HeaderLimitStream`."""


def accepted_stream(
    connection: socket.socket,
    ssl_options: ssl.SSLContext | dict[str, Any] | None,
    *,
    max_buffer_size: int | None,
    read_chunk_size: int | None,
) -> IOStream | None:
    """The stream of an accepted connection (TLS when `ssl_options`); None if it went away."""
    if ssl_options is None:
        return HeaderLimitStream(
            connection, max_buffer_size=max_buffer_size, read_chunk_size=read_chunk_size
        )
    try:
        wrapped = ssl_wrap_socket(
            connection, ssl_options, server_side=True, do_handshake_on_connect=False
        )
    except ssl.SSLError as exc:
        if exc.args[0] != ssl.SSL_ERROR_EOF:
            raise
        connection.close()
        return None
    except OSError as exc:
        if exc.errno not in (errno.ECONNABORTED, errno.EINVAL, errno.ENOTCONN):
            raise
        connection.close()
        return None
    return SSLHeaderLimitStream(
        wrapped, max_buffer_size=max_buffer_size, read_chunk_size=read_chunk_size
    )
