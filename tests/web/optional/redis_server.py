"""A private redis-server on a free loopback port, which a test may stop and start again.

Tests that take Redis down use this one, never the shared server of `redis_url`.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

__all__ = ["PrivateRedis"]

READY = "Ready to accept connections"
START_TIMEOUT = 60.0
"""Bound of a wait for the server: a connection, an exit (generous, for a loaded machine)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """`start()`/`stop()` a redis-server bound to 127.0.0.1 that saves to `directory` on stop,
    so its keys survive a restart like a real deployment's would."""

    def __init__(self, directory: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.skip("redis-server is not installed")
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the server and return once it logs that it accepts connections."""
        self.process = subprocess.Popen(
            [
                self.executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.directory),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                "",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        seen = []
        for line in self.process.stdout:  # blocks on the pipe until the server says it is ready
            seen.append(line)
            if READY in line:
                return
        self.process.wait(START_TIMEOUT)
        raise RuntimeError("redis-server did not start:\n" + "".join(seen))

    def stop(self) -> None:
        """SHUTDOWN SAVE through the protocol, then wait for the process to exit."""
        if self.process is None:
            return
        with socket.create_connection(("127.0.0.1", self.port), timeout=START_TIMEOUT) as sock:
            sock.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n")
            sock.recv(64)  # the server closes the connection as it exits
        self.process.wait(START_TIMEOUT)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.process = None

    def kill(self) -> None:
        """Make sure the process is gone (fixture teardown)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(START_TIMEOUT)
            assert self.process.stdout is not None
            self.process.stdout.close()
            self.process = None
