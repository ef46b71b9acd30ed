"""`hostray start` as a real subprocess on 127.0.0.1, port 0, and what a scenario reads from it.

Each server process prints `… listening on http://127.0.0.1:PORT (pid N)` once it serves; a
reader thread feeds the output lines to a queue, and scenarios block on that queue (bounded by a
timeout) instead of probing the port.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["START_TIMEOUT", "Listening", "ServerProcess", "rss_bytes", "started_server"]

START_TIMEOUT = 60.0
"""Bound of a wait for a server's line: generous, for a loaded machine."""
STOP_TIMEOUT = 60.0
"""Bound of a wait for a server's exit."""
LISTENING = re.compile(r"listening on (http://\S+) \(pid (\d+)\)")


@dataclass(frozen=True)
class Listening:
    """One server process that announced itself: its base URL and its pid."""

    url: str
    pid: int


class ServerProcess:
    """A running `hostray start`; `output` collects stdout and stderr, merged."""

    def __init__(
        self, argv: list[str], env: dict[str, str], *, open_files: int | None = None
    ) -> None:
        if open_files is not None:  # as `ulimit -n` would, then the server replaces the shell
            argv = ["sh", "-c", f'ulimit -Sn {int(open_files)} && exec "$@"', "sh", *argv]
        self.process = subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def text(self) -> str:
        """Everything the server printed so far."""
        return "".join(self.output)

    def next_listening(self, timeout: float = START_TIMEOUT) -> Listening:
        """Block until a server process announces where it listens; fail if the server exits."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no 'listening on' line within {timeout}s:\n{self.text()}")
            if line is None:
                self.process.wait(timeout=STOP_TIMEOUT)
                pytest.fail(
                    f"server exited ({self.process.returncode}) before listening:\n{self.text()}"
                )
            match = LISTENING.search(line)
            if match:
                return Listening(match.group(1), int(match.group(2)))

    def wait_for(self, pattern: re.Pattern[str], timeout: float = START_TIMEOUT) -> re.Match[str]:
        """Block until a line of the output matches `pattern`; fail if none does in time."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(
                    f"no line matching {pattern.pattern!r} within {timeout}s:\n{self.text()}"
                )
            if line is None:
                pytest.fail(f"exited before a line matching {pattern.pattern!r}:\n{self.text()}")
            match = pattern.search(line)
            if match:
                return match

    def stop(self, signum: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Send `signum` and return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        """Make sure the server and its children are gone (SIGKILL to the process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        self._reader.join(timeout=STOP_TIMEOUT)


@contextmanager
def started_server(
    project: Path,
    *options: str,
    env: dict[str, str] | None = None,
    open_files: int | None = None,
) -> Iterator[ServerProcess]:
    """`python -m hostray start PROJECT --address 127.0.0.1 --port 0 OPTIONS` in a new process
    group (its open-file limit lowered to `open_files` if given); everything it started is killed
    on exit."""
    argv = [sys.executable, "-m", "hostray", "start", str(project)]
    argv += ["--address", "127.0.0.1", "--port", "0", *options]
    environment = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    server = ServerProcess(argv, environment, open_files=open_files)
    try:
        yield server
    finally:
        server.close()


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid`, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmRSS line")
