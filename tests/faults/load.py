"""wrk as the load generator of the scenarios: many keep-alive connections, statuses counted.

`statuses.lua` prints one `FAULTS …` line with the answers, those with a status above 399, and
wrk's socket error and timeout counts; `run_wrk` parses it. One wrk thread: on a small machine a
second one takes the CPU the server under test needs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["LoadResult", "run_wrk"]

TIMEOUT = 30
SCRIPT = Path(__file__).with_name("statuses.lua")
SUMMARY = re.compile(
    r"FAULTS ok=(\d+) non2xx=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) "
    r"p99_ms=([\d.]+) seconds=([\d.]+)"
)


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run saw."""

    ok: int
    non_2xx: int
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int
    p99_ms: float
    seconds: float

    @property
    def errors(self) -> int:
        """Socket errors and timeouts of every kind."""
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    def figures(self) -> str:
        rate = self.ok / self.seconds if self.seconds else 0.0
        return (
            f"{self.ok} × 2xx ({rate:,.0f} req/s), {self.non_2xx} non-2xx, "
            f"errors: connect {self.connect_errors}, read {self.read_errors}, "
            f"write {self.write_errors}, timeout {self.timeouts}; p99 {self.p99_ms:.0f} ms"
        )


def run_wrk(url: str, *, connections: int, seconds: int, threads: int = 1) -> LoadResult:
    """Load `url` with `connections` keep-alive connections for `seconds`; a request still
    unanswered after `TIMEOUT` counts as a timeout."""
    wrk = shutil.which("wrk")
    if wrk is None:
        pytest.fail("wrk is not installed: `make faults` installs it (Debian package wrk)")
    done = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            f"{TIMEOUT}s",
            "-s",
            str(SCRIPT),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    match = SUMMARY.search(done.stdout)
    if done.returncode != 0 or match is None:
        pytest.fail(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    ok, other, connect, read, write, timeout = (int(match.group(i)) for i in range(1, 7))
    return LoadResult(
        ok, other, connect, read, write, timeout, float(match.group(7)), float(match.group(8))
    )
