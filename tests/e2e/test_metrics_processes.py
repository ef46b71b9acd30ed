"""`metrics` under `hostray start --processes 2`: request counts summed over both children, scraped
through a route on the public port and through the metrics port (bound once before the fork)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import ServerProcess

import os
import re
import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hostray.web.route_patterns import UNMATCHED_ROUTE

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


METRICS_PORT_CONFIG = """\
name: metrics port processes
component:
  metrics:
    port: {port}
controller:
  /alive:
    enum: server_alive
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        scrapes = _scrape_every_child(url + "/metrics", pids)
        totals = _requests_total(_get(url + "/metrics").decode())
        assert totals[("/alive", "GET", "200")] == REQUESTS
        # The scrape just before may not be counted yet if the other child answered it.
        assert scrapes - 1 <= totals[("/metrics", "GET", "200")] <= scrapes
        assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.text()
    assert not list(Path("/tmp").glob(f"hostray-metrics-*/*_{min(pids)}.db"))


def _scrape_every_child(url: str, pids: set[int]) -> int:
    """Scrape `url` until each child answered once; how many scrapes that took.

    A child counts a request right after sending its answer, before it reads another request;
    so once each child has answered a scrape, both have counted every request sent before."""
    answered_by: set[int] = set()
    scrapes = 0
    while answered_by != pids and scrapes < SCRAPE_LIMIT:
        text = _get(url).decode()
        scrapes += 1
        answered_by |= {int(p) for p in re.findall(r'in_flight\{pid="(\d+)"\}', text)}
    assert answered_by == pids
    return scrapes


def test_the_metrics_port_answers_from_any_child_with_the_summed_counts(
    serve: Callable[..., AbstractContextManager[ServerProcess]], tmp_path: Path
) -> None:
    project = tmp_path / "metrics_port"
    project.mkdir()
    metrics_port = _free_port()
    (project / "server_config.yaml").write_text(METRICS_PORT_CONFIG.format(port=metrics_port))
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    with serve(project, "--processes", "2", env=env) as server:
        url = server.wait_listening()
        assert server.wait_listening() == url
        pids = {int(p) for p in re.findall(r"\(pid (\d+)\)", server.text())}
        assert len(pids) == 2
        assert server.text().count(f"processes: metrics on {metrics_url}\n") == 2
        for _ in range(REQUESTS):
            assert _get(url + "/alive") == b"1"
        try:
            _get(url + "/metrics")
        except urllib.error.HTTPError as error:
            assert error.code == 404  # no route serves /metrics on the public port
        else:
            raise AssertionError("the public port answered /metrics")
        _scrape_every_child(metrics_url, pids)
        totals = _requests_total(_get(metrics_url).decode())
        # Exact: the metrics port's scrapes are not counted, only the public port's requests.
        assert totals == {("/alive", "GET", "200"): REQUESTS, (UNMATCHED_ROUTE, "GET", "404"): 1}
        assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.text()
    with pytest.raises(ConnectionRefusedError):  # no process listens on the port any more
        socket.create_connection(("127.0.0.1", metrics_port), timeout=10).close()
