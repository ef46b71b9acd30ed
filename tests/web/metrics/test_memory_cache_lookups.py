"""`hostray_memory_cache_hits_total` / `…_misses_total`: exact counts after known lookups, with
the memory and the Redis backend, on a real server."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from hostray.web.component import OptionalComponentTypes
from hostray.web.testing import HostrayClient, RunningServer

from .scrape import Samples, parse

THREADS = 8
LOOKUPS_PER_THREAD = 2000


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The memory_cache settings of each backend (Redis: a key prefix of this test's own)."""
    if request.param == "memory":
        yield {"backend": "memory"}
        return
    redis_url: str = request.getfixturevalue("redis_url")
    prefix = f"hostray-test:{uuid.uuid4().hex}:"
    yield {"backend": "redis", "url": redis_url, "key_prefix": prefix}
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def _server(
    factory: Callable[..., RunningServer], lifetime: float, backend: dict[str, Any]
) -> tuple[RunningServer, Any]:
    config = {
        "name": "cache lookups",
        "component": {"metrics": {}, "memory_cache": {"sess_lifetime": lifetime, **backend}},
        "controller": {"/metrics": {"enum": "metrics"}},
    }
    server = factory(config)
    manager = server.server.component_manager
    assert manager is not None
    return server, manager.get_component(OptionalComponentTypes.MemoryCache)


async def _lookups(server: RunningServer) -> tuple[float, float]:
    samples: Samples = parse((await HostrayClient(server.base_url).get("/metrics")).body.decode())
    return (
        samples[("hostray_memory_cache_hits_total", ())],
        samples[("hostray_memory_cache_misses_total", ())],
    )


async def test_hits_and_misses_are_counted_exactly(
    hostray_server_factory: Callable[..., RunningServer], backend: dict[str, Any]
) -> None:
    server, cache = _server(hostray_server_factory, 600, backend)
    assert await _lookups(server) == (0, 0)

    session, session_id = cache.get()  # no id: a miss
    session["n"] = 1  # now stored
    for _ in range(3):
        assert cache.get(session_id)[1] == session_id  # hits
    found, _ = server.call(cache.get_async, session_id)  # a hit, on the event loop
    assert found["n"] == 1
    cache.get("no-such-session-id")  # a miss
    _, renamed = cache.get(session_id, renew_id=True)  # a hit, under a new id
    cache.get(session_id)  # the old id is gone: a miss
    cache.clear_session(renamed)
    cache.get(renamed)  # cleared: a miss
    assert await _lookups(server) == (5, 4)


async def test_an_expired_session_is_a_miss(
    hostray_server_factory: Callable[..., RunningServer], backend: dict[str, Any]
) -> None:
    server, cache = _server(hostray_server_factory, 0.05, backend)
    session, session_id = cache.get()
    session["n"] = 1
    await asyncio.sleep(0.2)  # four lifetimes: the session has expired
    fresh, new_id = cache.get(session_id)
    assert new_id != session_id and dict(fresh) == {}
    assert await _lookups(server) == (0, 2)


async def test_threads_lose_no_count(
    hostray_server_factory: Callable[..., RunningServer],
) -> None:
    server, cache = _server(hostray_server_factory, 600, {"backend": "memory"})
    session, session_id = cache.get()
    session["n"] = 1
    start = threading.Barrier(THREADS)

    def look_up() -> None:
        start.wait()
        for _ in range(LOOKUPS_PER_THREAD):
            cache.get(session_id)

    threads = [threading.Thread(target=look_up) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert await _lookups(server) == (THREADS * LOOKUPS_PER_THREAD, 1)
