"""The session mixin of controllers: cookie handling and both backends, over real HTTP."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import AsyncIterator, Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
import trustme
from tornado.httpserver import HTTPServer
from tornado.web import Application

from hostray.web.component import ComponentManager, OptionalComponentTypes
from hostray.web.controller import RequestController
from hostray.web.controller.session import SessionMixin

from .redis_server import PrivateRedis

MEMORY_CACHE = OptionalComponentTypes.MemoryCache
COOKIE = SessionMixin.session_cookie_name


class CounterController(RequestController):
    async def get(self) -> None:
        session = await self.get_session()
        session["count"] = session.get("count", 0) + 1
        self.write({"count": session["count"], "id": self.session_id})


class ReadController(RequestController):
    """Only reads the session, as a page showing "not logged in" does."""

    async def get(self) -> None:
        session = await self.get_session()
        self.write({"user": session.get("user")})


class LogoutController(RequestController):
    async def post(self) -> None:
        await self.clear_session()
        self.write("bye")


class StopRedisController(RequestController):
    """Changes the session, then takes Redis down before the response is finished."""

    redis_server: PrivateRedis | None = None

    async def get(self) -> None:
        session = await self.get_session()
        session["count"] = session.get("count", 0) + 1
        assert self.redis_server is not None
        self.redis_server.stop()
        self.write({"count": session["count"]})


class RenewController(RequestController):
    async def get(self) -> None:
        session = await self.get_session(renew_id=True)
        self.write({"count": session.get("count", 0), "id": self.session_id})


Serve = Callable[..., Any]


@pytest.fixture
async def serve(make_component: Callable[..., Any]) -> AsyncIterator[Serve]:
    """`await serve(**memory_cache_config, ssl_options=None)` → base URL of a Tornado server."""
    servers: list[HTTPServer] = []

    async def start(ssl_options: ssl.SSLContext | None = None, **config: Any) -> str:
        cache = make_component(MEMORY_CACHE, **config)
        start.caches.append(cache)  # type: ignore[attr-defined]
        manager = ComponentManager()
        manager.set_component(cache)
        app = Application(
            [
                ("/count", CounterController),
                ("/read", ReadController),
                ("/logout", LogoutController),
                ("/renew", RenewController),
                ("/stop-redis", StopRedisController),
            ]
        )
        app.component_manager = manager  # type: ignore[attr-defined]
        server = HTTPServer(app, ssl_options=ssl_options)
        server.listen(0, "127.0.0.1")
        servers.append(server)
        port = next(iter(server._sockets.values())).getsockname()[1]
        scheme = "https" if ssl_options else "http"
        return f"{scheme}://127.0.0.1:{port}"

    start.caches = []  # type: ignore[attr-defined]
    yield start
    for server in servers:
        server.stop()
        await server.close_all_connections()


def client(**kwargs: Any) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), **kwargs)


def session_cookie(response: aiohttp.ClientResponse) -> str:
    for header in response.headers.getall("Set-Cookie", []):
        if header.startswith(COOKIE + "="):
            return header
    raise AssertionError("no session cookie was set")


async def test_cookie_flags_and_a_session_across_requests(serve: Serve) -> None:
    base = await serve(sess_lifetime=600)
    async with client() as http:
        async with http.get(base + "/count") as first:
            header = session_cookie(first)
            body = await first.json()
        assert body["count"] == 1
        morsel = SimpleCookie(header)[COOKIE]
        assert morsel.value == body["id"]
        assert morsel["httponly"] is True
        assert morsel["samesite"] == "Lax"
        assert not morsel["secure"]
        assert morsel["max-age"] == "600"
        async with http.get(base + "/count") as second:
            assert "Set-Cookie" not in second.headers  # same id, nothing to set
            assert await second.json() == {"count": 2, "id": body["id"]}


async def test_logout_clears_the_session_and_cookie(serve: Serve) -> None:
    base = await serve(sess_lifetime=600)
    async with client() as http:
        async with http.get(base + "/count") as response:
            first_id = (await response.json())["id"]
        async with http.post(base + "/logout") as response:
            assert response.status == 200
            assert "expires=" in session_cookie(response).lower()
        async with http.get(base + "/count") as response:
            body = await response.json()
        assert body["count"] == 1 and body["id"] != first_id


async def test_renew_id_sets_a_new_cookie(serve: Serve) -> None:
    base = await serve(sess_lifetime=600)
    async with client() as http:
        async with http.get(base + "/count") as response:
            first_id = (await response.json())["id"]
        async with http.get(base + "/renew") as response:
            body = await response.json()
            assert SimpleCookie(session_cookie(response))[COOKIE].value == body["id"]
        assert body == {"count": 1, "id": body["id"]} and body["id"] != first_id


async def test_secure_flag_under_tls(serve: Serve, tmp_path: Path) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    base = await serve(sess_lifetime=600, ssl_options=server_context)
    async with (
        client(connector=aiohttp.TCPConnector(ssl=client_context)) as http,
        http.get(base + "/count") as response,
    ):
        assert SimpleCookie(session_cookie(response))[COOKIE]["secure"] is True


@pytest.mark.redis
async def test_redis_sessions_are_saved_before_the_response(serve: Serve, redis_url: str) -> None:
    prefix = f"hostray-test:{uuid.uuid4().hex}:"
    base = await serve(sess_lifetime=600, backend="redis", url=redis_url, key_prefix=prefix)
    raw = redis.Redis.from_url(redis_url)
    try:
        async with client() as http:
            for expected in (1, 2, 3):
                async with http.get(base + "/count") as response:
                    body = await response.json()
                assert body["count"] == expected
                assert raw.get(prefix + body["id"]) == b'{"count":%d}' % expected
    finally:
        keys = list(raw.scan_iter(match=prefix + "*"))
        if keys:
            raw.delete(*keys)
        raw.close()


async def test_requests_that_only_read_store_no_session_in_memory(serve: Serve) -> None:
    base = await serve(sess_lifetime=600)
    async with aiohttp.ClientSession() as http:  # no cookie jar: every request is cookieless
        for _ in range(50):
            async with http.get(base + "/read") as response:
                assert await response.json() == {"user": None}
        async with http.get(base + "/count") as response:
            assert (await response.json())["count"] == 1
    (cache,) = serve.caches  # type: ignore[attr-defined]
    assert len(cache.store) == 1  # only the session something was stored in


@pytest.mark.redis
async def test_requests_that_only_read_make_no_redis_keys(serve: Serve, redis_url: str) -> None:
    prefix = f"hostray-test:{uuid.uuid4().hex}:"
    base = await serve(sess_lifetime=600, backend="redis", url=redis_url, key_prefix=prefix)
    raw = redis.Redis.from_url(redis_url)
    try:
        async with aiohttp.ClientSession() as http:  # cookieless, as crawlers and probes are
            for _ in range(50):
                async with http.get(base + "/read") as response:
                    assert await response.json() == {"user": None}
            assert list(raw.scan_iter(match=prefix + "*")) == []
            async with http.get(base + "/count") as response:
                body = await response.json()
        assert list(raw.scan_iter(match=prefix + "*")) == [(prefix + body["id"]).encode()]
    finally:
        keys = list(raw.scan_iter(match=prefix + "*"))
        if keys:
            raw.delete(*keys)
        raw.close()


async def test_redis_down_is_a_503_then_recovers(serve: Serve, tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        base = await serve(sess_lifetime=600, backend="redis", url=server.url)
        async with client() as http:
            async with http.get(base + "/count") as response:
                assert (await response.json())["count"] == 1
            server.stop()
            async with http.get(base + "/count") as response:
                assert response.status == 503
                assert (await response.text()).startswith("503 Service Unavailable")
            server.start()
            async with http.get(base + "/count") as response:
                assert response.status == 200
                assert (await response.json())["count"] == 2
    finally:
        server.kill()


async def test_a_session_that_cannot_be_saved_is_a_503_not_a_lost_write(
    serve: Serve, tmp_path: Path
) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    StopRedisController.redis_server = server
    try:
        base = await serve(sess_lifetime=600, backend="redis", url=server.url)
        async with client() as http:
            async with http.get(base + "/count") as response:
                assert (await response.json())["count"] == 1
            async with http.get(base + "/stop-redis") as response:
                assert response.status == 503  # the change was not stored, and the client knows
            server.start()
            async with http.get(base + "/count") as response:
                assert (await response.json())["count"] == 2
    finally:
        StopRedisController.redis_server = None
        server.kill()


async def test_without_memory_cache_the_error_names_the_component(
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = ComponentManager()
    app = Application([("/count", CounterController)])
    app.component_manager = manager  # type: ignore[attr-defined]
    server = HTTPServer(app)
    server.listen(0, "127.0.0.1")
    port = next(iter(server._sockets.values())).getsockname()[1]
    try:
        async with client() as http, http.get(f"http://127.0.0.1:{port}/count") as response:
            assert response.status == 500
        assert "sessions need the memory_cache component" in caplog.text
    finally:
        server.stop()
        await server.close_all_connections()
