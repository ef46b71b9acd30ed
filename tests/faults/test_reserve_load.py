"""Reservations under load: 1,000 connections for 20 s on a route that reserves an `orm_db`
worker per request (MariaDB, 4 workers), so about a thousand requests wait in line for a worker.

No socket error, no status other than 2xx; the p99 latency, the rate and the server's CPU use are
printed. Before 0.9 every release woke every waiting request, and the server spent its CPU on
wake-ups instead of requests.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from .load import run_wrk
from .processes import started_server
from .projects import ITEM, rest_database, write_project

pytestmark = pytest.mark.timeout(150)

CONNECTIONS = 1000
SECONDS = 20
WARM_UP_SECONDS = 5
WORKERS = 4


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process `pid` has used, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # USER_HZ is 100 on Linux


def test_a_reserved_orm_worker_per_request_under_a_thousand_connections(
    tmp_path: Path, mysql_url: str, mysql_table: str
) -> None:
    project = write_project(
        tmp_path / "faults",
        rest=rest_database(mysql_url, mysql_table, workers=WORKERS),
    )
    with started_server(project) as server:
        listening = server.next_listening()
        url = listening.url + "/rest-reserved/1"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.loads(response.read()) == ITEM
        warm = run_wrk(url, connections=CONNECTIONS, seconds=WARM_UP_SECONDS)
        cpu, wall = _cpu_seconds(listening.pid), time.monotonic()
        result = run_wrk(url, connections=CONNECTIONS, seconds=SECONDS)
        cpu_share = (_cpu_seconds(listening.pid) - cpu) / (time.monotonic() - wall)
        print(
            f"\n/rest-reserved: warm-up {warm.figures()}\n/rest-reserved: {CONNECTIONS} "
            f"connections × {SECONDS}s, {WORKERS} reserved workers: {result.figures()}\n"
            f"p99 latency {result.p99_ms:.0f} ms; server CPU {100 * cpu_share:.0f}% of a core"
        )
        assert result.ok > 0
        assert result.errors == 0, result.figures()
        assert result.non_2xx == 0, result.figures()
        assert server.stop() == 0, server.text()
