"""CPU burnt by an idle hostray server: the percent of one core its process uses while nobody
calls it. Target ≤ 2 %.

The server is the scaffolded hello project with every default component plus `memory_cache`
(with `save_file`) and `orm_db` configured, so a timer or worker that polls instead of waiting
shows up. It answers one request, then its CPU time is read from /proc/PID/stat over `RUNS`
windows of `WINDOW_SECONDS`; the row reports the median.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._harness import Row
from bench._loadgen import ServerProcess, cpu_seconds

__all__ = ["run"]

RUNS = 3
WINDOW_SECONDS = 5.0
LIMIT_PERCENT = 2.0

CONFIG = """\
name: idle hello
port: 8888
debug: false
component:
    hello:
        p1: 'This is p1'
    localization:
        lang: en
    logger:
        dir: logs
    worker_pool:
        default: 4
    task_queue:
        worker_count: 2
    memory_cache:
        sess_lifetime: 600
        save_file: sessions.json
    orm_db:
        db:
            module: sqlite
            worker: 2
            file_name: data.db
controller:
    /hello:
        enum: hello_world
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _idle_percent(project: Path) -> float:
    argv = [sys.executable, "-m", "hostray", "start", str(project)]
    server = ServerProcess([*argv, "--address", "127.0.0.1", "--port", str(_free_port())])
    try:
        with urllib.request.urlopen(f"{server.url}/hello", timeout=10) as response:
            response.read()
        pid = server.process.pid
        percents = []
        for _ in range(RUNS):
            cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
            time.sleep(WINDOW_SECONDS)
            cpu1, wall1 = cpu_seconds(pid), time.perf_counter()
            percents.append(100.0 * (cpu1 - cpu0) / (wall1 - wall0))
        return statistics.median(percents)
    finally:
        server.stop()


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "hello"
        subprocess.run(
            [sys.executable, "-m", "hostray", "create", str(project)],
            check=True,
            capture_output=True,
        )
        (project / "server_config.yaml").write_text(CONFIG, encoding="utf-8")
        percent = _idle_percent(project)
    return [
        Row.ceiling(
            "CPU of an idle server (all default components, memory_cache, orm_db)",
            percent,
            "% of a core",
            LIMIT_PERCENT,
        )
    ]
