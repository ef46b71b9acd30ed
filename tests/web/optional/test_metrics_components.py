"""`metrics` series of worker pool calls, services upstreams and orm_db, on a real server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hostray.web.component import DefaultComponentTypes, OptionalComponentTypes
from hostray.web.component.optional_component.errors import ServiceConnectionError
from hostray.web.pytest_plugin import HostrayClient, RunningServer

from .http_server import echo_server
from .redis_server import free_port


def _component(server: RunningServer, enum: Any) -> Any:
    """The server's component of `enum` (it must be loaded)."""
    manager = server.server.component_manager
    assert manager is not None
    component = manager.get_component(enum)
    assert component is not None
    return component


def _parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _config(upstream: str) -> dict[str, Any]:
    return {
        "name": "metrics components",
        "component": {
            "metrics": {},
            "worker_pool": {"io": 2},
            "services": {
                upstream: {"/echo": {"name": "echo", "get": None}},
                f"http://127.0.0.1:{free_port()}": {"/": {"name": "down", "get": None}},
            },
            "orm_db": {"main": {"module": "sqlite_memory"}},
        },
        "controller": {"/metrics": {"enum": "metrics"}},
    }


async def test_pool_calls_upstreams_and_databases_are_measured(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    with echo_server() as upstream:
        server = hostray_server_factory(_config(upstream))
        pools = _component(server, DefaultComponentTypes.WorkerPool)
        services = _component(server, OptionalComponentTypes.Service)
        for _ in range(3):
            assert server.call(pools.run_method_async, sum, [1, 2], pool_id="io") == 3
        for _ in range(2):
            assert server.call(services.invoke_async, "echo", "get").status_code == 200
        with pytest.raises(ServiceConnectionError):
            server.call(services.invoke_async, "down", "get")
        samples = _parse((await HostrayClient(server.base_url).get("/metrics")).body.decode())

    pool_count = ("hostray_worker_pool_call_duration_seconds_count", (("pool", "io"),))
    assert samples[pool_count] == 3
    echo = ("hostray_service_request_duration_seconds_count", (("service", "echo"),))
    down = ("hostray_service_request_duration_seconds_count", (("service", "down"),))
    assert samples[echo] == 2 and samples[down] == 1
    errors = "hostray_service_errors_total"
    assert samples[(errors, (("error", "connection"), ("service", "down")))] == 1
    assert not any(n == errors and ("service", "echo") in labels for n, labels in samples)
    assert samples[("hostray_orm_db_reconnects_total", (("db_id", "main"),))] == 0
    assert samples[("hostray_orm_db_unavailable_errors_total", (("db_id", "main"),))] == 0


async def test_busy_workers_are_seen_at_scrape_time(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    with echo_server() as upstream:
        server = hostray_server_factory(_config(upstream))
    pools = _component(server, DefaultComponentTypes.WorkerPool)
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    caller = threading.Thread(target=pools.run_method, args=(hold,), kwargs={"pool_id": "io"})
    caller.start()
    try:
        assert started.wait(10)
        samples = _parse((await HostrayClient(server.base_url).get("/metrics")).body.decode())
    finally:
        release.set()
        caller.join(10)
    assert samples[("hostray_worker_pool_busy", (("pool", "io"),))] == 1
    assert samples[("hostray_worker_pool_workers", (("pool", "io"),))] == 1
    assert samples[("hostray_worker_pool_busy", (("pool", "default"),))] == 0


async def test_memory_cache_sessions_and_saves(
    hostray_server_factory: Callable[..., RunningServer], tmp_path: Path
) -> None:
    config = {
        "name": "metrics sessions",
        "component": {
            "metrics": {},
            "memory_cache": {"sess_lifetime": 60, "save_file": str(tmp_path / "sessions.json")},
        },
        "controller": {"/metrics": {"enum": "metrics"}},
    }
    server = hostray_server_factory(config)
    cache = _component(server, OptionalComponentTypes.MemoryCache)
    for n in range(3):
        session, _ = cache.get()
        session["n"] = n
    cache.save_to_file()
    cache.save_to_file()
    samples = _parse((await HostrayClient(server.base_url).get("/metrics")).body.decode())
    assert samples[("hostray_memory_cache_sessions", ())] == 3
    assert samples[("hostray_memory_cache_saves_total", ())] == 2
    assert samples[("hostray_memory_cache_save_seconds_total", ())] > 0
