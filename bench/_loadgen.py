"""Server processes and wrk runs shared by bench/_rest_project.py (bench/rest.py,
bench/rest_reserve.py) and bench/idle.py.

A server announces itself with a `listening on http://HOST:PORT` line (what `hostray start`
prints); `ServerProcess` blocks on its output until then instead of probing the port.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

__all__ = ["CLOCK_TICKS", "ServerProcess", "cpu_seconds", "wrk_rate"]

START_TIMEOUT = 30.0
LISTENING = re.compile(r"listening on (http://\S+)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
"""Units of the CPU times in /proc/PID/stat."""


class ServerProcess:
    """A server started for one measurement; `url` is its base URL once it listens."""

    def __init__(self, argv: list[str], cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        self.output: list[str] = []
        lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, args=(lines,), daemon=True)
        self._reader.start()
        self.url = self._wait_listening(lines)

    def _pump(self, lines: queue.Queue[str | None]) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            lines.put(line)
        lines.put(None)

    def _wait_listening(self, lines: queue.Queue[str | None]) -> str:
        while True:
            try:
                line = lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                line = None
            if line is None:
                self.stop()
                raise RuntimeError(f"server did not start:\n{''.join(self.output)}")
            match = LISTENING.search(line)
            if match:
                return match.group(1)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it is not gone within 15 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=15)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used, from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wrk_rate(url: str, *, connections: int, seconds: int) -> float:
    """Requests per second wrk gets from `url`; any socket error or non-2xx status fails."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian package wrk)")
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk run against {url} had errors:\n{out}")
    return float(match.group(1))
