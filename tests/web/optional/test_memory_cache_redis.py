"""memory_cache with `backend: redis`: the same sessions in the real Redis, server-side expiry,
sharing between processes and surviving a Redis restart."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest
import redis

from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component import MemoryCacheComponent
from hostray.web.component.optional_component.errors import (
    SessionStoreUnavailableError,
    SessionValueError,
)

from .conftest import dispose
from .redis_server import PrivateRedis

pytestmark = pytest.mark.redis

MEMORY_CACHE = OptionalComponentTypes.MemoryCache


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    value = f"hostray-test:{uuid.uuid4().hex}:"
    yield value
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=value + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def cache(make_component: Callable[..., Any], redis_url: str, prefix: str) -> MemoryCacheComponent:
    return cast(
        MemoryCacheComponent,
        make_component(
            MEMORY_CACHE, sess_lifetime=600, backend="redis", url=redis_url, key_prefix=prefix
        ),
    )


def test_sessions_live_in_redis_with_a_ttl(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = cache.get()
    assert len(sid) >= 43
    session["user"] = "ada"  # written through at once
    stored = json.loads(cast(bytes, raw.get(prefix + sid)))
    assert stored == {"user": "ada"}
    assert 590_000 < raw.pttl(prefix + sid) <= 600_000
    again, same = cache.get(sid)
    assert (same, dict(again)) == (sid, {"user": "ada"})


def test_datetimes_round_trip(cache: MemoryCacheComponent) -> None:
    session, sid = cache.get()
    stamp = datetime(2024, 1, 2, 3, 4, 5, 6)
    session["at"] = stamp
    again, _ = cache.get(sid)
    assert again["at"] == stamp


def test_unstorable_value_rejected_before_anything_is_written(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = cache.get()
    with pytest.raises(SessionValueError, match="set cannot be stored"):
        session["bad"] = {1}
    assert raw.exists(prefix + sid) == 0  # nothing was stored, so no key was made


def test_unknown_and_expired_sessions_are_new(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    _, sid = cache.get("unknown")
    assert sid != "unknown"
    raw.delete(prefix + sid)  # what server-side expiry does
    _, other = cache.get(sid)
    assert other != sid


def test_renew_lifetime_resets_the_ttl(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = cache.get()
    session["n"] = 1
    raw.pexpire(prefix + sid, 5_000)
    cache.get(sid)
    assert raw.pttl(prefix + sid) <= 5_000
    cache.get(sid, renew_lifetime=True)
    assert raw.pttl(prefix + sid) > 590_000


def test_renew_id_renames_the_key(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = cache.get()
    session["n"] = 1
    moved, new_sid = cache.get(sid, renew_id=True)
    assert new_sid != sid
    assert raw.exists(prefix + sid) == 0
    assert json.loads(cast(bytes, raw.get(prefix + new_sid))) == {"n": 1}
    assert dict(moved) == {"n": 1}
    moved["n"] = 2
    assert json.loads(cast(bytes, raw.get(prefix + new_sid))) == {"n": 2}


def test_get_expired_datetime_follows_the_server_ttl(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = cache.get()
    session["n"] = 1
    raw.pexpire(prefix + sid, 100_000)
    expires = cache.get_expired_datetime(sid)
    assert 90 < (expires - datetime.now()).total_seconds() <= 100
    assert cache.get_expired_datetime("unknown") <= datetime.now()


def test_clear_session_deletes_the_key(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = cache.get()
    session["n"] = 1
    assert raw.exists(prefix + sid) == 1
    cache.clear_session(sid)
    assert raw.exists(prefix + sid) == 0
    session["late"] = 1  # a write after logout does not bring the session back
    assert raw.exists(prefix + sid) == 0


async def test_async_methods_track_changes_until_saved(
    cache: MemoryCacheComponent, raw: redis.Redis, prefix: str
) -> None:
    session, sid = await cache.get_async()
    session["user"] = "ada"
    assert raw.exists(prefix + sid) == 0  # a new session is stored when saved
    assert session.modified
    assert await cache.save_session_async(sid, session) is True
    assert not session.modified
    assert json.loads(cast(bytes, raw.get(prefix + sid))) == {"user": "ada"}
    again, same = await cache.get_async(sid, renew_id=True)
    assert same != sid and again["user"] == "ada"
    expires = await cache.get_expired_datetime_async(same)
    assert expires > datetime.now()
    await cache.clear_session_async(same)
    again["x"] = 1
    assert await cache.save_session_async(same, again) is False
    assert raw.exists(prefix + same) == 0


def test_save_file_methods_are_no_ops(cache: MemoryCacheComponent) -> None:
    cache.save_to_file()
    cache.load_from_file()


def test_info_masks_the_password(
    make_component: Callable[..., Any], redis_url: str, prefix: str
) -> None:
    url = redis_url.replace("redis://", "redis://:s3cret@") if "@" not in redis_url else redis_url
    cache = make_component(
        MEMORY_CACHE, sess_lifetime=60, backend="redis", url=url, key_prefix=prefix
    )
    info = cache.info()["info"]
    assert "s3cret" not in json.dumps(info)
    assert info["backend"] == "redis"


def test_two_processes_share_sessions(
    cache: MemoryCacheComponent, redis_url: str, prefix: str
) -> None:
    session, sid = cache.get()
    session["from"] = "parent"
    script = textwrap.dedent(
        f"""
        from hostray.web.component import ComponentManager, OptionalComponentTypes
        from hostray.web.component.optional_component import MemoryCacheComponent

        manager = ComponentManager()
        cache = MemoryCacheComponent(OptionalComponentTypes.MemoryCache)
        cache.init(manager, sess_lifetime=600, backend="redis", url={redis_url!r},
                   key_prefix={prefix!r})
        session, sid = cache.get({sid!r})
        assert sid == {sid!r}, "the child got a new session"
        print(session["from"])
        session["from"] = "child"
        manager.set_component(cache)
        manager.dispose()
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "parent"
    again, _ = cache.get(sid)
    assert again["from"] == "child"


async def test_redis_restart_gives_a_clear_error_then_recovers(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        cache = make_component(MEMORY_CACHE, sess_lifetime=600, backend="redis", url=server.url)
        session, sid = cache.get()
        session["user"] = "ada"
        async_session, async_sid = await cache.get_async()

        server.stop()
        with pytest.raises(SessionStoreUnavailableError, match=f"127.0.0.1:{server.port}") as err:
            cache.get(sid)
        assert err.value.url == server.url
        with pytest.raises(SessionStoreUnavailableError):
            await cache.get_async(sid)
        with pytest.raises(SessionStoreUnavailableError):
            session["more"] = 1
        async_session["x"] = 1
        with pytest.raises(SessionStoreUnavailableError):
            await cache.save_session_async(async_sid, async_session)

        server.start()
        again, same = cache.get(sid)
        assert (same, again["user"]) == (sid, "ada")
        again_async, same_async = await cache.get_async(sid)
        assert (same_async, again_async["user"]) == (sid, "ada")
        assert await cache.save_session_async(async_sid, async_session) is True
    finally:
        server.kill()


def test_starting_while_redis_is_down_warns_and_serves_once_it_is_up(
    make_component: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = PrivateRedis(tmp_path)
    try:
        cache = make_component(MEMORY_CACHE, sess_lifetime=600, backend="redis", url=server.url)
        assert "not reachable" in caplog.text
        with pytest.raises(SessionStoreUnavailableError):
            cache.get()[0]["ok"] = False
        server.start()
        session, sid = cache.get()
        session["ok"] = True
        assert cache.get(sid)[0]["ok"] is True
    finally:
        server.kill()


async def test_dispose_closes_the_clients(
    make_component: Callable[..., Any], redis_url: str, prefix: str
) -> None:
    cache = make_component(
        MEMORY_CACHE, sess_lifetime=600, backend="redis", url=redis_url, key_prefix=prefix
    )
    await cache.get_async()
    await dispose(cache, None)
    cache.disposed = True
    assert len(cache.store._clients) == 0
