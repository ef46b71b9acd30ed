"""`server_ready` asks every component whether what it depends on is reachable: the PostgreSQL
pools of `orm_db`, the Redis of `memory_cache`, the Celery broker of `task_queue`. Reasons name the
component, never a password."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, Integer
from tornado.httpclient import AsyncHTTPClient

from hostray.orm import get_declarative_base
from hostray.web.component import OptionalComponentTypes
from hostray.web.server import HostrayServer

Base: Any = get_declarative_base()


class ReadyProbe(Base):  # type: ignore[misc]
    __tablename__ = "x16_ready_probe"
    id = Column(Integer, primary_key=True)


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_block(postgresql_url: str, port: int | None = None) -> dict[str, Any]:
    parts = urlsplit(postgresql_url)
    return {
        "module": "postgresql",
        "host": parts.hostname,
        "port": port or parts.port or 5432,
        "db_name": parts.path.lstrip("/"),
        "user": parts.username,
        "password": "s3cret",
    }


def config(memory_url: str, broker: str, database: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "ready",
        "controller": {"/ready": {"enum": "server_ready"}},
        "component": {
            "memory_cache": {"sess_lifetime": 60, "backend": "redis", "url": memory_url},
            "task_queue": {"backend": "celery", "broker": broker, "queue": "x16-ready"},
            "orm_db": {"db": database},
        },
    }


@asynccontextmanager
async def serving(settings: dict[str, Any]) -> AsyncIterator[Callable[[], Any]]:
    server = HostrayServer(settings, port=0, address="127.0.0.1")
    await server.start()
    assert server.component_manager is not None
    orm = server.component_manager.get_component(OptionalComponentTypes.OrmDB)
    assert orm is not None
    orm.init_db_declarative_base("db", Base)

    async def probe() -> tuple[int, dict[str, Any], str]:
        response = await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{server.port}/ready", raise_error=False, request_timeout=30
        )
        text = response.body.decode()
        return response.code, json.loads(text), text

    try:
        yield probe
    finally:
        await server.stop()


def with_password(url: str, port: int) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username or ''}:s3cret@127.0.0.1:{port}").geturl()


async def test_ready_while_every_dependency_answers(redis_url: str, postgresql_url: str) -> None:
    settings = config(redis_url, redis_url, pg_block(postgresql_url) | {"password": ""})
    async with serving(settings) as probe:
        assert (await probe())[:2] == (200, {"ready": True})


async def test_not_ready_names_each_unreachable_dependency_without_its_password(
    redis_url: str, amqp_url: str, postgresql_url: str
) -> None:
    port = dead_port()
    settings = config(
        with_password(redis_url, port),
        with_password(amqp_url, port),
        pg_block(postgresql_url, port),
    )
    async with serving(settings) as probe:
        status, body, text = await probe()
    assert status == 503
    assert body["ready"] is False
    assert set(body["problems"]) == {"memory_cache", "task_queue", "orm_db"}
    assert "unreachable" in body["problems"]["task_queue"]
    assert "s3cret" not in text
