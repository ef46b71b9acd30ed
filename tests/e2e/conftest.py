"""End-to-end plumbing: the real `hostray` command in subprocesses, and servers it starts.

A started server prints the address it listens on; tests read that line (blocking on a queue fed by
a reader thread, bounded by a timeout) instead of probing the port.
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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 120
START_TIMEOUT = 60
"""Bound of a wait for a server's line (its start, a reload): generous, for a loaded machine."""
LISTENING = re.compile(r"listening on (http://\S+)")


def hostray_command(python: str = sys.executable) -> list[str]:
    return [python, "-m", "hostray"]


def run_hostray(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m hostray ARGS` to completion and capture its output."""
    return subprocess.run(
        [*hostray_command(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class ServerProcess:
    """A `hostray start` process; `url` is where it listens once `wait_listening` returned."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    output: list[str] = field(default_factory=list)
    url: str = ""

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_listening(self, timeout: float = START_TIMEOUT) -> str:
        """Block until the server printed its address; fail with its output if it exits first."""
        self.url = self.wait_for(LISTENING, timeout).group(1)
        return self.url

    def wait_for(self, pattern: re.Pattern[str], timeout: float = START_TIMEOUT) -> re.Match[str]:
        """Block until the server printed a line matching `pattern`; fail if it exits first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                pytest.fail(f"no {pattern.pattern!r} within {timeout}s:\n{''.join(self.output)}")
            if line is None:
                self.lines.put(None)  # later waits fail at once too
                self.process.wait(timeout=COMMAND_TIMEOUT)
                pytest.fail(
                    f"server exited ({self.process.returncode}) before {pattern.pattern!r}:\n"
                    + "".join(self.output)
                )
            match = pattern.search(line)
            if match:
                return match

    def stop(self, sig: int = signal.SIGTERM, timeout: float = START_TIMEOUT) -> int:
        """Send `sig` and wait for the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def text(self) -> str:
        return "".join(self.output)


@contextmanager
def started_server(
    argv: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    new_session: bool = False,
) -> Iterator[ServerProcess]:
    """Start a server process (stdout and stderr merged; `env` replaces the environment) and make
    sure it is gone afterwards."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=new_session,
    )
    server = ServerProcess(process)
    reader = threading.Thread(target=server._pump, daemon=True)
    reader.start()
    try:
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=COMMAND_TIMEOUT)
        reader.join(timeout=COMMAND_TIMEOUT)


@pytest.fixture
def hostray() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`hostray(*args, cwd=, env=)`: run the command to completion, output captured."""
    return run_hostray


@pytest.fixture
def serve() -> Callable[..., AbstractContextManager[ServerProcess]]:
    """`with serve(project, *options, python=, cwd=, env=, new_session=) as server`: `hostray
    start` on loopback, port 0; `server.wait_listening()` gives its URL."""

    def start(
        project: Path,
        *options: str,
        python: str = sys.executable,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        new_session: bool = False,
    ) -> AbstractContextManager[ServerProcess]:
        argv = [*hostray_command(python), "start", str(project)]
        argv += ["--port", "0", "--address", "127.0.0.1", *options]
        return started_server(argv, cwd=cwd, env=env, new_session=new_session)

    return start


@pytest.fixture
def hello_project(tmp_path: Path) -> Path:
    """A fresh `hostray create hello` project."""
    done = run_hostray("create", str(tmp_path / "hello"))
    assert done.returncode == 0, done.stderr
    return tmp_path / "hello"


@pytest.fixture(scope="session")
def local_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels of the five hostray packages built from this checkout, once per session."""
    out = tmp_path_factory.mktemp("hostray-wheels")
    packages = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--wheel-dir", str(out)]
    try:
        import poetry.core  # noqa: F401  (the build backend is here: no isolated build env needed)

        command.append("--no-build-isolation")
    except ImportError:
        pass
    done = subprocess.run(
        [*command, *map(str, packages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out
