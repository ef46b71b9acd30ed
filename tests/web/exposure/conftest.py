"""A project served by a real server process (`HostrayServer(...).run()` in a subprocess),
its output (stdout and stderr merged) read line by line on a thread."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

START_TIMEOUT = 60
RUN = (
    "import sys; from hostray.web.server import HostrayServer; "
    "sys.exit(HostrayServer(sys.argv[1], port=0, address='127.0.0.1').run())"
)
SERVING = re.compile(r"is serving on \S*?127\.0\.0\.1:(\d+)")


def write_project(root: Path, config: str, files: dict[str, str] | None = None) -> Path:
    """Write `server_config.yaml` and `files` (relative path → source) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "server_config.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


class Served:
    """A running server process: its base URL, port and what it printed so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.port = 0

    def pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout: float = START_TIMEOUT) -> re.Match[str]:
        """Block until a printed line matches `pattern`; fail if the process exits first."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no {pattern.pattern!r} within {timeout}s:\n{self.text()}")
            if line is None:
                self.lines.put(None)
                pytest.fail(f"server exited before {pattern.pattern!r}:\n{self.text()}")
            match = pattern.search(line)
            if match:
                return match

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def text(self) -> str:
        return "".join(self.output)

    def stop(self) -> str:
        """SIGTERM, wait for the exit, and return everything the process printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        return self.text()


@contextmanager
def _serve(root: Path) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, str(root)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(process)
    reader = threading.Thread(target=served.pump, daemon=True)
    reader.start()
    try:
        served.port = int(served.wait_for(SERVING).group(1))
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        reader.join(timeout=60)


@pytest.fixture
def serve() -> Callable[[Path], AbstractContextManager[Served]]:
    """`with serve(project_dir) as served`: the project on 127.0.0.1, a free port."""
    return _serve
