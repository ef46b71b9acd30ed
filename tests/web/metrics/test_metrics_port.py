"""`metrics.port`: `/metrics` served on a listener of its own, apart from the public port."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hostray.config import ConfigError
from hostray.web.project import load_project
from hostray.web.route_patterns import UNMATCHED_ROUTE
from hostray.web.server import HostrayServer
from hostray.web.testing import HostrayClient, RunningServer

from .scrape import labels, parse

TOKEN = "s3cret-token-0123456789"


def free_port() -> int:
    """A port nothing listens on right now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(metrics_port: int, **metrics: Any) -> dict[str, Any]:
    return {
        "name": "metrics port",
        "component": {"metrics": {"port": metrics_port, **metrics}},
        "controller": {"/alive": {"enum": "server_alive"}},
    }


async def test_metrics_are_served_on_their_port_and_not_on_the_public_one(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    metrics_port = free_port()
    server = hostray_server_factory(_config(metrics_port))
    public = HostrayClient(server.base_url)
    private = HostrayClient(f"http://127.0.0.1:{metrics_port}")
    for _ in range(3):
        assert (await public.get("/alive")).code == 200
    assert (await public.get("/metrics")).code == 404
    assert (await private.get("/alive")).code == 404  # the metrics listener serves /metrics only
    assert server.server.metrics_url == f"http://127.0.0.1:{metrics_port}/metrics"

    response = await private.get("/metrics")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = parse(response.body.decode())
    total = "hostray_http_requests_total"
    assert samples[(total, labels(route="/alive", method="GET", status="200"))] == 3
    assert samples[(total, labels(route=UNMATCHED_ROUTE, method="GET", status="404"))] == 1
    # Only the public port's requests are counted: not the scrapes, nor the listener's 404.
    assert sum(v for (name, _), v in samples.items() if name == total) == 4
    assert samples[("hostray_http_requests_in_flight", ())] == 0

    again = parse((await private.get("/metrics")).body.decode())
    assert sum(v for (name, _), v in again.items() if name == total) == 4


async def test_the_token_is_required_on_the_metrics_port(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    metrics_port = free_port()
    hostray_server_factory(_config(metrics_port, token=TOKEN))
    private = HostrayClient(f"http://127.0.0.1:{metrics_port}")
    refused = await private.get("/metrics")
    assert refused.code == 401
    assert TOKEN not in refused.body.decode()
    answered = await private.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answered.code == 200
    assert b"hostray_http_requests_total" in answered.body


def test_a_stopped_server_closes_the_metrics_port(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    metrics_port = free_port()
    server = hostray_server_factory(_config(metrics_port))
    with socket.create_connection(("127.0.0.1", metrics_port), timeout=10):
        pass
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", metrics_port), timeout=10).close()


async def test_a_route_may_serve_the_same_series_too(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    metrics_port = free_port()
    config = _config(metrics_port)
    config["controller"]["/metrics"] = {"enum": "metrics"}
    server = hostray_server_factory(config)
    manager = server.server.component_manager
    assert manager is not None
    assert manager.info["metrics"]["info"]["listener"] == f"127.0.0.1:{metrics_port}"
    public = HostrayClient(server.base_url)
    assert (await public.get("/alive")).code == 200
    assert (await public.get("/metrics")).code == 200
    samples = parse(
        (await HostrayClient(f"http://127.0.0.1:{metrics_port}").get("/metrics")).body.decode()
    )
    total = "hostray_http_requests_total"
    assert samples[(total, labels(route="/alive", method="GET", status="200"))] == 1
    assert samples[(total, labels(route="/metrics", method="GET", status="200"))] == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "expected a port number (1-65535), got 0 (int)"),
        ("65536", "expected a port number (1-65535), got 65536 (int)"),
        ("nine", "expected a port number (1-65535), got 'nine' (str)"),
        ("true", "expected a port number (1-65535), got True (bool)"),
    ],
)
def test_a_bad_port_is_one_line_with_file_and_line(
    tmp_path: Path, value: str, expected: str
) -> None:
    (tmp_path / "server_config.yaml").write_text(
        f"name: bad metrics port\ncomponent:\n  metrics:\n    port: {value}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    where = tmp_path / "server_config.yaml"
    assert caught.value.problems == [f"{where}:4: component.metrics.port: {expected}"]


async def test_the_servers_own_port_is_a_config_error(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "server_config.yaml").write_text(
        f"name: same port\nport: {port}\naddress: 127.0.0.1\ncomponent:\n  metrics:\n"
        f"    port: {port}\n",
        encoding="utf-8",
    )
    server = HostrayServer(load_project(tmp_path))
    with pytest.raises(ConfigError) as caught:
        await server.start()
    where = tmp_path / "server_config.yaml"
    assert caught.value.problems == [
        f"{where}:6: component.metrics.port: {port} is the server's port too; the metrics "
        "listener needs a port of its own"
    ]
    with socket.socket() as sock:  # the server's own socket was closed again
        sock.bind(("127.0.0.1", port))


async def test_a_port_in_use_is_a_config_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "server_config.yaml").write_text(
            f"name: port in use\ncomponent:\n  metrics:\n    port: {port}\n", encoding="utf-8"
        )
        server = HostrayServer(load_project(tmp_path), port=0, address="127.0.0.1")
        with pytest.raises(ConfigError) as caught:
            await server.start()
    where = tmp_path / "server_config.yaml"
    (problem,) = caught.value.problems
    assert problem.startswith(f"{where}:4: component.metrics.port: cannot listen on 127.0.0.1:")
    assert "in use" in problem
