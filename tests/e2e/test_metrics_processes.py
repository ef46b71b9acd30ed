"""`metrics` under `hostray start --processes 2`: request counts summed over both children."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import ServerProcess

import os
import re
import signal
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
REQUESTS = 40
SCRAPE_LIMIT = 200

CONFIG = """\
name: metrics processes
component:
  metrics: {}
controller:
  /alive:
    enum: server_alive
  /pid:
    enum: server_alive
  /metrics:
    enum: metrics
"""


def _get(url: str) -> bytes:
    with _DIRECT.open(url, timeout=10) as response:
        assert response.status == 200
        body: bytes = response.read()
        return body


def _requests_total(text: str) -> dict[tuple[str, str, str], float]:
    totals: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "hostray_http_requests_total":
                key = (sample.labels["route"], sample.labels["method"], sample.labels["status"])
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


def test_counts_are_summed_over_the_children(
    serve: Callable[..., AbstractContextManager[ServerProcess]], tmp_path: Path
) -> None:
    project = tmp_path / "metrics"
    project.mkdir()
    (project / "server_config.yaml").write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    with serve(project, "--processes", "2", env=env) as server:
        url = server.wait_listening()
        assert server.wait_listening() == url
        pids = {int(p) for p in re.findall(r"\(pid (\d+)\)", server.text())}
        assert len(pids) == 2
        for _ in range(REQUESTS):  # a fresh connection each: both children take some
            assert _get(url + "/alive") == b"1"
        # A child counts a request right after sending its answer, before it reads another
        # request; so once each child has answered a scrape, both have counted every /alive.
        answered_by: set[int] = set()
        scrapes = 0
        while answered_by != pids and scrapes < SCRAPE_LIMIT:
            text = _get(url + "/metrics").decode()
            scrapes += 1
            answered_by |= {int(p) for p in re.findall(r'in_flight\{pid="(\d+)"\}', text)}
        assert answered_by == pids
        totals = _requests_total(_get(url + "/metrics").decode())
        assert totals[("/alive", "GET", "200")] == REQUESTS
        # The scrape just before may not be counted yet if the other child answered it.
        assert scrapes - 1 <= totals[("/metrics", "GET", "200")] <= scrapes
        assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.text()
    assert not list(Path("/tmp").glob(f"hostray-metrics-*/*_{min(pids)}.db"))
