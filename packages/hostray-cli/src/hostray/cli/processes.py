"""`hostray start --processes N`: N forked servers sharing the sockets bound before the fork.

The parent runs Tornado's `fork_processes`, which restarts a child that dies. Each child holds the
read end of a *lifeline* pipe whose write end only the parent keeps: the parent closes it on
SIGINT/SIGTERM (or when a child reports a start-up problem), every child sees EOF, stops gracefully
and exits 0, and the parent exits once all have. A child started after that exits at once.
"""

from __future__ import annotations

import logging
import os
import select
import signal
from collections.abc import Callable
from types import FrameType

from hostray.cli.errors import EXIT_USAGE, CliError
from hostray.config import ConfigError

__all__ = ["MAX_RESTARTS", "serve_forked"]

MAX_RESTARTS = 20
"""How often children may die and be restarted before the parent gives up."""

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_CHILD_FAILED = signal.SIGUSR1


class _Lifeline:
    """The pipe from the parent to its children; closing it asks every child to stop."""

    def __init__(self) -> None:
        self.read_end, self._write_end = os.pipe()
        self._open = True
        self.child_failed = False

    def close(self) -> None:
        """Close the parent's end, once (the descriptor number may be reused afterwards)."""
        if self._open:
            self._open = False
            os.close(self._write_end)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Parent's handler: stop requested, or a child could not start."""
        if signum == _CHILD_FAILED:
            self.child_failed = True
        self.close()

    def filter(self, record: logging.LogRecord) -> bool:
        """Logging filter of the parent: once stopping, Tornado's "restarting" notes are moot (a
        child restarted then exits at once)."""
        return self._open or "restarting" not in record.getMessage()

    def closed_for_child(self) -> bool:
        """In a child: has the parent already closed the lifeline (EOF is readable)?"""
        readable, _, _ = select.select([self.read_end], [], [], 0)
        return bool(readable)


def serve_forked(serve: Callable[[int], int], processes: int) -> int:
    """Fork `processes` children running `serve(lifeline_fd)`; return the parent's exit status.

    In each child this call returns what `serve` returned; a `CliError` or `ConfigError` there is
    reported to the parent (which then stops every child and exits 2) and re-raised.
    """
    import tornado.process

    lifeline = _Lifeline()
    logging.getLogger("tornado.general").addFilter(lifeline.filter)
    handled = (*_STOP_SIGNALS, _CHILD_FAILED)
    previous = {signum: signal.signal(signum, lifeline.on_signal) for signum in handled}
    try:
        tornado.process.fork_processes(processes, max_restarts=MAX_RESTARTS)
    except SystemExit as exc:  # the parent, after every child exited normally
        if lifeline.child_failed:
            return EXIT_USAGE
        return exc.code if isinstance(exc.code, int) else 0
    except RuntimeError as exc:  # the parent, after too many restarts
        lifeline.close()
        raise CliError(f"server processes keep failing: {exc} (their errors are above)") from None
    logging.getLogger("tornado.general").removeFilter(lifeline.filter)
    for signum, handler in previous.items():  # a child: the server installs its own handlers
        signal.signal(signum, handler)
    lifeline.close()
    if lifeline.closed_for_child():
        return 0  # restarted while the parent is stopping: nothing to serve
    try:
        return serve(lifeline.read_end)
    except (CliError, ConfigError):
        os.kill(os.getppid(), _CHILD_FAILED)
        raise
