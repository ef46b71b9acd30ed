"""Accepting connections without spinning or flooding the log when file handles run out.

Tornado's accept handler raises on EMFILE; the listening socket stays readable, so the loop
calls it again at once and logs a traceback per attempt. `Acceptor` asks the server to make room
(close an idle connection) and, when it cannot, stops accepting for a moment (doubling up to a
second) and says so at most once per second.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from tornado.ioloop import IOLoop

__all__ = ["Acceptor", "OncePerSecond"]

ACCEPTS_PER_EVENT = 128
"""Connections accepted per readable event at most (Tornado's heuristic: the listen backlog)."""
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 1.0
_OUT_OF_HANDLES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class OncePerSecond:
    """A logger's warnings, at most one a second; the next one counts those left out."""

    def __init__(self, logger: logging.Logger, interval: float = 1.0) -> None:
        self.logger = logger
        self.interval = interval
        self._last = float("-inf")
        self._left_out = 0

    def warning(self, text: str) -> None:
        """Log `text` unless a warning was logged less than `interval` ago."""
        now = time.monotonic()
        if now - self._last < self.interval:
            self._left_out += 1
            return
        if self._left_out:
            text = f"{text} ({self._left_out} more like it since the last report)"
        self._last, self._left_out = now, 0
        self.logger.warning(text)


class Acceptor:
    """Accepts connections on one listening socket and hands each to `on_connection`.

    When the process is out of file handles, `make_room()` may close a connection (True: try
    again); otherwise accepting pauses and `log` hears of it.
    """

    def __init__(
        self,
        sock: socket.socket,
        on_connection: Callable[[socket.socket, Any], None],
        make_room: Callable[[], bool],
        log: OncePerSecond,
    ) -> None:
        self.sock = sock
        self.on_connection = on_connection
        self.make_room = make_room
        self.log = log
        self.pause = FIRST_PAUSE
        self._io_loop = IOLoop.current()
        self._reading = False
        self._stopped = False
        self._resume_handle: object | None = None

    def start(self) -> None:
        """Watch the socket for connections."""
        if not self._stopped and not self._reading:
            self._io_loop.add_handler(self.sock, self._accept, IOLoop.READ)
            self._reading = True

    def stop(self) -> None:
        """Stop accepting for good (the socket is the caller's to close)."""
        self._stopped = True
        self._stop_reading()
        if self._resume_handle is not None:
            self._io_loop.remove_timeout(self._resume_handle)
            self._resume_handle = None

    def _stop_reading(self) -> None:
        if self._reading:
            self._io_loop.remove_handler(self.sock)
            self._reading = False

    def _accept(self, fd: Any, events: int) -> None:
        for _ in range(ACCEPTS_PER_EVENT):
            if self._stopped:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno not in _OUT_OF_HANDLES:
                    raise
                if self.make_room():
                    continue
                self._wait(exc)
                return
            self.pause = FIRST_PAUSE
            self.on_connection(connection, address)

    def _wait(self, exc: OSError) -> None:
        """Out of file handles with nothing to close: stop accepting for `pause` seconds."""
        self.log.warning(
            f"cannot accept connections: {exc.strerror or exc}; pausing accept for "
            f"{self.pause:g} s (raise the open-file limit, ulimit -n, or lower max_connections)"
        )
        self._stop_reading()
        self._resume_handle = self._io_loop.call_later(self.pause, self._resume)
        self.pause = min(self.pause * 2, LONGEST_PAUSE)

    def _resume(self) -> None:
        self._resume_handle = None
        self.start()
