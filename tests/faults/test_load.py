"""Load: 1,000 concurrent keep-alive connections for 30 s, on /hello and on the REST endpoint.

No socket error, no status other than 2xx, and the server's resident memory after the run within
20 MB of its level after a warm-up under the same load.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from .load import run_wrk
from .processes import rss_bytes, started_server
from .projects import HELLO_BODY, ITEM, rest_database, write_project

pytestmark = pytest.mark.timeout(150)

CONNECTIONS = 1000
SECONDS = 30
WARM_UP_SECONDS = 5
MEMORY_SLACK = 20 * 1024 * 1024


def _load(project: Path, path: str, expected: object, decode: Callable[[bytes], object]) -> None:
    with started_server(project) as server:
        listening = server.next_listening()
        url = listening.url + path
        with urllib.request.urlopen(url, timeout=10) as response:
            assert decode(response.read()) == expected
        warm = run_wrk(url, connections=CONNECTIONS, seconds=WARM_UP_SECONDS)
        warm_rss = rss_bytes(listening.pid)
        result = run_wrk(url, connections=CONNECTIONS, seconds=SECONDS)
        after_rss = rss_bytes(listening.pid)
        print(
            f"\n{path}: warm-up {warm.figures()}\n{path}: {CONNECTIONS} connections × {SECONDS}s: "
            f"{result.figures()}\nRSS after warm-up {warm_rss / 2**20:.1f} MiB, after the run "
            f"{after_rss / 2**20:.1f} MiB"
        )
        assert result.ok > 0
        assert result.errors == 0, result.figures()
        assert result.non_2xx == 0, result.figures()
        assert after_rss - warm_rss <= MEMORY_SLACK
        assert server.stop() == 0, server.text()


def test_hello_under_a_thousand_connections(tmp_path: Path) -> None:
    project = write_project(tmp_path / "faults")
    _load(project, "/hello", HELLO_BODY, bytes.decode)


def test_rest_endpoint_under_a_thousand_connections(
    tmp_path: Path, mysql_url: str, mysql_table: str
) -> None:
    project = write_project(
        tmp_path / "faults", rest=rest_database(mysql_url, mysql_table, workers=4)
    )
    _load(project, "/rest/1", ITEM, json.loads)
