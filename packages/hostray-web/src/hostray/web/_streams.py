"""Streams of accepted connections that answer 431 when a request's headers are too large.

Tornado closes the connection without a word when the headers pass `max_header_size` (its read
of them cannot be satisfied). These streams send a 431 answer first, while the connection is
still waiting for headers (the server sets `awaiting_headers`); the answer is one small write
to the socket, so it needs no event loop turn.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import ssl
from typing import Any

from tornado.iostream import IOStream, SSLIOStream, UnsatisfiableReadError
from tornado.netutil import ssl_wrap_socket

__all__ = ["HeaderLimitStream", "SSLHeaderLimitStream", "accepted_stream"]

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

    def close(self, exc_info: Any = False) -> None:
        """Close; first answer 431 when the headers were too large."""
        if self.awaiting_headers and isinstance(exc_info, UnsatisfiableReadError):
            self.awaiting_headers = False
            if not self.closed():
                with contextlib.suppress(OSError, ValueError):
                    self.socket.send(HEADERS_TOO_LARGE)
        super().close(exc_info)


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
