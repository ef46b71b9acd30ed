"""The server-wide request body limit (`max_body_size`) of every route that does not stream.

Tornado buffers the whole body of a non-streaming route before its handler runs (404 and 405
included). `LimitedHandlerDelegate` answers 413 as soon as a body is known to be too large: at
the headers when `Content-Length` says so, otherwise once the chunks received pass the limit.
The connection then closes after the answer, so the rest of the body is never read. A route that
streams its body (`@stream_request_body`, e.g. `StreamingUploadController`) keeps its own limit.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable

from tornado import httputil
from tornado.http1connection import HTTP1Connection
from tornado.web import ErrorHandler, _HandlerDelegate, stream_request_body

from ._streams import HeaderLimitStream

__all__ = ["PAYLOAD_TOO_LARGE", "LimitedHandlerDelegate"]

PAYLOAD_TOO_LARGE = 413


@stream_request_body
class _PayloadTooLarge(ErrorHandler):
    """Answers 413 before the body is read (streaming, so Tornado runs it at the headers)."""

    def set_default_headers(self) -> None:
        """The connection ends after the answer: the rest of the body is never read."""
        self.set_header("Connection", "close")


class LimitedHandlerDelegate(_HandlerDelegate):
    """Tornado's delegate of one request, refusing a body past `max_body_size` bytes with 413.

    Whoever makes the delegate sets `max_body_size` (an attribute, not an `__init__` argument:
    one call less on every request)."""

    max_body_size: int = sys.maxsize
    body_received = 0
    refused = False

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        """Refuse a declared length over the limit; otherwise count the body ourselves."""
        if self.stream_request_body:
            return super().headers_received(start_line, headers)
        # The count is ours (413 and a clean close); Tornado's would answer 400 instead.
        if isinstance(self.connection, HTTP1Connection):
            self.connection.set_max_body_size(sys.maxsize)
        lengths = headers.get_list("Content-Length")  # no KeyError raised when absent
        if lengths and lengths[0].isdigit() and int(lengths[0]) > self.max_body_size:
            return self._refuse()
        return None

    def data_received(self, data: bytes) -> Awaitable[None] | None:
        """Buffer the chunk while the body stays within the limit (chunked bodies included)."""
        if self.refused:
            return None
        if not self.stream_request_body:
            self.body_received += len(data)
            if self.body_received > self.max_body_size:
                return self._refuse()
        return super().data_received(data)

    def finish(self) -> None:
        """Run the handler, unless the body was refused."""
        if not self.refused:
            super().finish()

    def on_connection_close(self) -> None:
        """Tell the handler the client went away, unless the body was refused (it is done)."""
        if not self.refused:
            super().on_connection_close()

    def _refuse(self) -> Awaitable[None] | None:
        """Answer 413 through a Tornado handler (error page, access log) and drop the buffer."""
        self.refused = True
        self.chunks = bytearray()
        if isinstance(self.connection, HTTP1Connection):
            stream = self.connection.stream
            if isinstance(stream, HeaderLimitStream):
                stream.linger = True
        self.handler_class = _PayloadTooLarge
        self.handler_kwargs = {"status_code": PAYLOAD_TOO_LARGE}
        self.stream_request_body = True
        return self.execute()
