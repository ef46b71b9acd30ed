"""An `HTTPServer` that knows its connections: a graceful stop, a connection cap, 431 answers,
and idle connections cut without a timer per request.

Tornado calls `start_request` once per request a connection will read (before its headers
arrive) and `on_close` when the connection ends, so a connection is busy from the headers of a
request until the next `start_request` (its response is then fully written) or its close, and
idle in between (waiting for headers, perhaps from a slow client). `drain` stops accepting,
closes the idle connections and waits, without polling, for the busy ones.

At `max_connections` (never more than the open-file limit allows) a new connection closes the
one waiting longest for its client (at least `SHED_AFTER` s: a slow client); when there is none,
the new one is answered 503 and closed.

A connection idle for `idle_connection_timeout` seconds (waiting for, or still receiving, the
headers of its next request) is closed. Tornado would wrap every header read in a timeout of
its own (a future and a timer made and cancelled per request, about a tenth of a hello request's
cost); the idle connections are already kept oldest first, so one timer, due when the oldest
reaches the timeout, does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Iterable
from typing import Any

from tornado import httputil
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream, StreamClosedError
from tornado.web import Application

from ._accept import Acceptor, OncePerSecond
from ._streams import HeaderLimitStream, accepted_stream
from .config_validator import DEFAULT_MAX_CONNECTIONS

__all__ = ["SERVICE_UNAVAILABLE", "DrainingHTTPServer", "connection_ceiling"]

LOGGER = "hostray.web.server"
OPEN_FILES_RESERVE = 64
"""File handles kept free of connections (logs, databases, uploads) when the limit is low."""

SHED_AFTER = 1.0
"""Seconds a connection must have waited for its client before it may be closed to make room."""

_BUSY_BODY = b"503: Service Unavailable (too many connections)\n"
SERVICE_UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=UTF-8\r\n"
    b"Content-Length: " + str(len(_BUSY_BODY)).encode() + b"\r\n"
    b"Connection: close\r\n\r\n" + _BUSY_BODY
)


def connection_ceiling(max_connections: int) -> int:
    """`max_connections`, lowered to leave `OPEN_FILES_RESERVE` handles of the open-file limit."""
    try:
        import resource
    except ImportError:  # not a Unix: no open-file limit to respect
        return max_connections
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return max_connections
    return max(1, min(max_connections, soft - max(OPEN_FILES_RESERVE, soft // 16)))


class DrainingHTTPServer(HTTPServer):
    """`HTTPServer` whose `drain(timeout)` lets in-flight requests finish before the stop."""

    def initialize(
        self, *args: Any, max_connections: int = DEFAULT_MAX_CONNECTIONS, **kwargs: Any
    ) -> None:
        """Set up the server as Tornado does, plus the connection bookkeeping."""
        super().initialize(*args, **kwargs)
        self.max_connections = connection_ceiling(max_connections)
        # Routed here rather than through Tornado's `Router.start_request` (a wrapper less per
        # request); a server with `xheaders`, or a callable rather than an Application, keeps
        # Tornado's delegate.
        callback = self.request_callback
        self._application = (
            callback if isinstance(callback, Application) and not self.xheaders else None
        )
        # Tornado's per-read timeout is off: `_sweep_idle` applies the same limit.
        self.idle_timeout: float | None = self.conn_params.header_timeout
        self.conn_params.header_timeout = None
        self._sweep: asyncio.TimerHandle | None = None
        self._busy: set[Any] = set()
        self._idle: dict[Any, float] = {}  # oldest idle first
        self._shed: set[Any] = set()  # closed to make room, not yet gone
        self._draining = False
        self._drained = asyncio.Event()
        self._closing: set[asyncio.Task[None]] = set()
        self._acceptors: list[Acceptor] = []
        logger = logging.getLogger(LOGGER)
        self._log_accept = OncePerSecond(logger)
        self._log_shed = OncePerSecond(logger)
        self._log_busy = OncePerSecond(logger)

    @property
    def in_flight(self) -> int:
        """How many connections are serving a request right now."""
        return len(self._busy)

    @property
    def open_connections(self) -> int:
        """How many connections are open."""
        return len(self._connections) - len(self._shed)

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        """Accept on `sockets`, pausing instead of spinning when file handles run out."""
        for sock in sockets:
            acceptor = Acceptor(sock, self._accepted, self._close_oldest_idle, self._log_accept)
            self._acceptors.append(acceptor)
            acceptor.start()

    def stop(self) -> None:
        """Stop accepting and close the listening sockets (as Tornado's `stop` does)."""
        for acceptor in self._acceptors:
            acceptor.stop()
            acceptor.sock.close()
        self._acceptors.clear()
        super().stop()

    def _accepted(self, connection: socket.socket, address: Any) -> None:
        stream = accepted_stream(
            connection,
            self.ssl_options,
            max_buffer_size=self.max_buffer_size,
            read_chunk_size=self.read_chunk_size,
        )
        if stream is not None:
            self.handle_stream(stream, address)

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        """Serve the connection, making room at `max_connections` (503 when there is none)."""
        if self.open_connections >= self.max_connections and not self._close_oldest_idle():
            self._log_busy.warning(
                f"{self.open_connections} connections are busy (max_connections "
                f"{self.max_connections}): answering 503 to new ones"
            )
            self._refuse(stream)
            return
        super().handle_stream(stream, address)

    def _close_oldest_idle(self) -> bool:
        """Close the connection waiting the longest for its client (True), if one has waited
        `SHED_AFTER` seconds or more. One whose headers have arrived (not handled yet) is not
        waiting for its client."""
        oldest = None
        waited_since = time.monotonic() - SHED_AFTER
        for conn, since in self._idle.items():
            if since > waited_since:
                return False  # the rest waited less: a client still sending its first request
            if conn.stream.reading():
                oldest = conn
                break
        if oldest is None:
            return False
        self._idle.pop(oldest)
        self._shed.add(oldest)
        self._log_shed.warning(
            f"connection limit reached ({self.max_connections} or out of file handles): "
            "closing the connections that waited longest for their clients"
        )
        oldest.stream.close()
        return True

    def _refuse(self, stream: IOStream) -> None:
        if isinstance(stream, HeaderLimitStream):
            stream.linger = True
        try:
            written = stream.write(SERVICE_UNAVAILABLE)
        except StreamClosedError:
            return
        written.add_done_callback(lambda _: stream.close())

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        """Mark the connection idle (its last response is written); watch its next request.

        Runs on every request, so the bookkeeping is written out here rather than in helpers."""
        self._busy.discard(server_conn)
        idle = self._idle
        idle.pop(server_conn, None)
        idle[server_conn] = time.monotonic()
        stream = getattr(request_conn, "stream", None)
        if not isinstance(stream, HeaderLimitStream):
            stream = None
        else:
            stream.awaiting_headers = True
        if self._draining:
            self._check_drained()
            self._close(server_conn)
        elif self._sweep is None:
            self._arm_sweep()
        inner = None
        if self._application is None:
            inner = super().start_request(server_conn, request_conn)
        return _ConnectionRequest(self, server_conn, request_conn, stream, inner)

    def _arm_sweep(self) -> None:
        """Time the next sweep for when the connection idle the longest reaches the timeout."""
        if self.idle_timeout is None or not self._idle:
            return
        oldest = next(iter(self._idle.values()))
        delay = max(0.0, oldest + self.idle_timeout - time.monotonic())
        self._sweep = asyncio.get_running_loop().call_later(delay, self._sweep_idle)

    def _sweep_idle(self) -> None:
        """Close the connections idle for `idle_connection_timeout` s (oldest first)."""
        self._sweep = None
        assert self.idle_timeout is not None
        cutoff = time.monotonic() - self.idle_timeout
        expired = []
        for conn, since in self._idle.items():
            if since > cutoff:
                break
            expired.append(conn)
        for conn in expired:
            del self._idle[conn]
            conn.stream.close()
        self._arm_sweep()

    def on_close(self, server_conn: object) -> None:
        """Forget a connection that ended."""
        super().on_close(server_conn)
        self._idle.pop(server_conn, None)
        self._busy.discard(server_conn)
        self._shed.discard(server_conn)
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
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        await self.close_all_connections()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        return unfinished


class _ConnectionRequest(httputil.HTTPMessageDelegate):
    """One request of a connection: tells the server (and the stream, for 431) when its headers
    arrive, then routes it through the application as Tornado's `Router` does, or hands it to
    `inner` (Tornado's delegate, when the server does not route itself)."""

    def __init__(
        self,
        server: DrainingHTTPServer,
        conn: Any,
        request_conn: httputil.HTTPConnection,
        stream: HeaderLimitStream | None,
        inner: httputil.HTTPMessageDelegate | None,
    ) -> None:
        self._server = server
        self._conn = conn
        self._request_conn = request_conn
        self._stream = stream
        self.delegate = inner

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Any:
        server, conn = self._server, self._conn
        server._idle.pop(conn, None)
        server._busy.add(conn)
        if self._stream is not None:
            self._stream.awaiting_headers = False
        delegate = self.delegate
        if delegate is None:
            assert isinstance(start_line, httputil.RequestStartLine)
            assert server._application is not None
            request = httputil.HTTPServerRequest(
                connection=self._request_conn,
                server_connection=conn,
                start_line=start_line,
                headers=headers,
            )
            delegate = self.delegate = server._application.find_handler(request)
        return delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Any:
        assert self.delegate is not None
        return self.delegate.data_received(chunk)

    def finish(self) -> None:
        assert self.delegate is not None
        self.delegate.finish()

    def on_connection_close(self) -> None:
        if self.delegate is not None:
            self.delegate.on_connection_close()
