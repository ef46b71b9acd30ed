"""`metrics` component and controller: a real server scraped after known traffic."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from hostray.config import ConfigError
from hostray.web.component import DefaultComponentTypes, OptionalComponentTypes
from hostray.web.pytest_plugin import HostrayClient, RunningServer
from hostray.web.route_patterns import UNMATCHED_ROUTE

from .scrape import labels, parse

TOKEN = "s3cret-token-0123456789"


def _component(server: RunningServer, enum: Any) -> Any:
    """The server's component of `enum` (it must be loaded)."""
    manager = server.server.component_manager
    assert manager is not None
    component = manager.get_component(enum)
    assert component is not None
    return component


def _config(**metrics: Any) -> dict[str, Any]:
    return {
        "name": "metrics test",
        "component": {"metrics": metrics, "worker_pool": {"default": 3, "io": 2}},
        "controller": {
            "/alive": {"enum": "server_alive"},
            "/item/\\d+": {"enum": "server_alive"},
            "/metrics": {"enum": "metrics"},
        },
    }


async def test_requests_are_counted_by_route_pattern_method_and_status(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    server = hostray_server_factory(_config())
    client = HostrayClient(server.base_url)
    for _ in range(3):
        assert (await client.get("/alive")).code == 200
    for n in range(4):
        assert (await client.get(f"/item/{n}")).code == 200
    assert (await client.post("/alive")).code == 405
    for path in ("/nope", "/nope/again"):
        assert (await client.get(path)).code == 404

    response = await client.get("/metrics")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = parse(response.body.decode())
    total = "hostray_http_requests_total"
    assert samples[(total, labels(route="/alive", method="GET", status="200"))] == 3
    assert samples[(total, labels(route="/item/\\d+", method="GET", status="200"))] == 4
    assert samples[(total, labels(route="/alive", method="POST", status="405"))] == 1
    assert samples[(total, labels(route=UNMATCHED_ROUTE, method="GET", status="404"))] == 2
    assert sum(v for (name, _), v in samples.items() if name == total) == 10
    count = "hostray_http_request_duration_seconds_count"
    assert samples[(count, labels(route="/alive", method="GET", status="200"))] == 3
    assert samples[("hostray_http_requests_in_flight", ())] == 1  # the scrape itself
    assert samples[("hostray_websocket_connections", ())] == 0
    assert samples[("hostray_worker_pool_worker_limit", labels(pool="io"))] == 2
    assert samples[("hostray_worker_pool_worker_limit", labels(pool="default"))] == 3
    assert samples[("process_resident_memory_bytes", ())] > 0

    again = parse((await client.get("/metrics")).body.decode())
    assert again[(total, labels(route="/metrics", method="GET", status="200"))] == 1


async def test_task_queue_and_worker_pool_state(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    server = hostray_server_factory(_config())
    client = HostrayClient(server.base_url)
    release = threading.Event()
    finished = threading.Semaphore(0)

    def boom() -> None:
        raise ValueError("task failed on purpose")

    queue = _component(server, DefaultComponentTypes.TaskQueue)
    queue.run_method_in_queue(lambda: None, on_finish=lambda _: finished.release())
    queue.run_method_in_queue(boom, on_exception=lambda _: finished.release())
    assert finished.acquire(timeout=10) and finished.acquire(timeout=10)
    queue.run_method_in_queue(release.wait, 10)
    queue.run_method_in_queue(lambda: None)
    try:
        samples = parse((await client.get("/metrics")).body.decode())
    finally:
        release.set()
    assert samples[("hostray_task_queue_done", ())] == 2
    assert samples[("hostray_task_queue_failed", ())] == 1
    assert (
        samples[("hostray_task_queue_running", ())] + samples[("hostray_task_queue_queued", ())]
        == 2
    )


async def test_a_token_guards_the_route(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    server = hostray_server_factory(_config(token=TOKEN))
    client = HostrayClient(server.base_url)
    refused = await client.get("/metrics")
    assert refused.code == 401
    assert TOKEN not in refused.body.decode()
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456"})
    assert wrong.code == 401
    answered = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answered.code == 200
    assert b"hostray_http_requests_total" in answered.body


async def test_route_without_the_component_is_503(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    config = _config()
    del config["component"]["metrics"]
    server = hostray_server_factory(config)
    response = await HostrayClient(server.base_url).get("/metrics")
    assert response.code == 503


@pytest.mark.parametrize(
    ("token", "expected"),
    [(12345678901234567, "expected a token"), ("short", "a token of 16-256")],
)
def test_bad_token_is_one_config_line(token: Any, expected: str) -> None:
    component = OptionalComponentTypes.Metrics.import_class()(OptionalComponentTypes.Metrics)
    with pytest.raises(ConfigError) as caught:
        component.init(None, token=token)
    text = str(caught.value)
    assert "component.metrics" in text and "token" in text and expected in text
    assert "\n" not in text
