"""An `HTTPServer` that knows which connections are serving a request, for a graceful stop.

Tornado calls `start_request` once per request a connection will read (before its headers
arrive) and `on_close` when the connection ends, so a connection is busy from the headers of a
request until the next `start_request` (its response is then fully written) or its close. `drain`
stops accepting, closes the idle connections and waits, without polling, for the busy ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tornado import httputil
from tornado.httpserver import HTTPServer

__all__ = ["DrainingHTTPServer"]


class DrainingHTTPServer(HTTPServer):
    """`HTTPServer` whose `drain(timeout)` lets in-flight requests finish before the stop."""

    def initialize(self, *args: Any, **kwargs: Any) -> None:
        """Set up the server as Tornado does, plus the connection bookkeeping."""
        super().initialize(*args, **kwargs)
        self._busy: set[Any] = set()
        self._idle: set[Any] = set()
        self._draining = False
        self._drained = asyncio.Event()
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        """How many connections are serving a request right now."""
        return len(self._busy)

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        """Mark the connection idle (its last response is written); watch its next request."""
        self._set_idle(server_conn)
        if self._draining:
            self._close(server_conn)
        delegate = super().start_request(server_conn, request_conn)
        return _BusyOnHeaders(delegate, self, server_conn)

    def on_close(self, server_conn: object) -> None:
        """Forget a connection that ended."""
        super().on_close(server_conn)
        self._idle.discard(server_conn)
        self._busy.discard(server_conn)
        self._check_drained()

    def _set_busy(self, server_conn: object) -> None:
        self._idle.discard(server_conn)
        self._busy.add(server_conn)

    def _set_idle(self, server_conn: object) -> None:
        self._busy.discard(server_conn)
        self._idle.add(server_conn)
        self._check_drained()

    def _check_drained(self) -> None:
        if self._draining and not self._busy:
            self._drained.set()

    def _close(self, server_conn: Any) -> None:
        task = asyncio.ensure_future(server_conn.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def drain(self, timeout: float) -> int:
        """Stop listening, close idle connections, wait up to `timeout` s for busy ones.

        Returns how many requests were still running at the timeout (then cut by closing).
        """
        self.stop()
        self._draining = True
        for server_conn in list(self._idle):
            self._close(server_conn)
        self._check_drained()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._drained.wait(), timeout)
        unfinished = len(self._busy)
        await self.close_all_connections()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        return unfinished


class _BusyOnHeaders(httputil.HTTPMessageDelegate):
    """Forwards to Tornado's delegate; tells the server when a request's headers arrive."""

    def __init__(
        self, delegate: httputil.HTTPMessageDelegate, server: DrainingHTTPServer, conn: object
    ) -> None:
        self._delegate = delegate
        self._server = server
        self._conn = conn

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Any:
        self._server._set_busy(self._conn)
        return self._delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Any:
        return self._delegate.data_received(chunk)

    def finish(self) -> None:
        self._delegate.finish()

    def on_connection_close(self) -> None:
        self._delegate.on_connection_close()
