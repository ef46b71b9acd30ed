"""The scaffolded hello project under `hostray start` against a bare Tornado app, side by side.

Figures: requests per second under wrk (target ≥ 0.97×) and time from process start to the first
200 on /hello (target ≤ 2.0×). Both servers run one process on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench._harness import Row

__all__ = ["run"]

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
WRK_SECONDS = 5
CONNECTIONS = 64
# Servers may cache their bytecode, as an installed deployment has it (pip compiles on install);
# without this an editable install would compile every hostray module on every start.
SERVER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _first_200(url: str, deadline: float) -> None:
    """Retry until the server answers 200; a benchmark probe of an external process, bounded."""
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.002)
    raise RuntimeError(f"{url} did not answer 200 in time")


class _Server:
    """A server process started for one measurement and stopped after it."""

    def __init__(self, argv: list[str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/hello"
        started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=SERVER_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _first_200(self.url, started + 30)
        self.startup = time.perf_counter() - started

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _hostray(project: Path) -> _Server:
    port = _free_port()
    argv = [sys.executable, "-m", "hostray", "start", str(project), "--port", str(port)]
    return _Server(argv, port)


def _raw() -> _Server:
    port = _free_port()
    return _Server([sys.executable, "-m", "bench._raw_tornado", str(port)], port)


def _wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WRK_SECONDS}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk run against {url} had errors:\n{out}")
    return float(match.group(1))


def run() -> list[Row]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian package wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "hello"
        subprocess.run([sys.executable, "-m", "hostray", "create", str(project)], check=True)
        ours_start: list[float] = []
        base_start: list[float] = []
        ours_rps: list[float] = []
        base_rps: list[float] = []
        warm_ups: tuple[Callable[[], _Server], ...] = (lambda: _hostray(project), _raw)
        for warm_up in warm_ups:  # bytecode caches for both
            warm_up().stop()
        runs: tuple[tuple[Callable[[], _Server], list[float], list[float]], ...] = (
            (lambda: _hostray(project), ours_start, ours_rps),
            (_raw, base_start, base_rps),
        )
        for _ in range(RUNS):
            for make, starts, rates in runs:
                server = make()
                try:
                    starts.append(server.startup)
                    _wrk(server.url)  # warm-up
                    rates.append(_wrk(server.url))
                finally:
                    server.stop()
    return [
        Row.compare(
            "hello project req/s under wrk (1 process)",
            statistics.median(ours_rps),
            statistics.median(base_rps),
            "req/s",
            0.97,
        ),
        Row.compare_time(
            "time from start to first 200",
            statistics.median(ours_start) * 1000,
            statistics.median(base_start) * 1000,
            "ms",
            2.0,
        ),
    ]
