"""Shared test plumbing: where the real loopback services are, and what to do when one is down.

Only the standard library and pytest are imported here, so every package's isolated venv can load
this file. A service that is unreachable is a skip locally and a failure under CI=true
(ARCHITECTURE.md §5).
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

SERVICE_URLS = {
    "mysql": ("HOSTRAY_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306/test"),
    "postgresql": ("HOSTRAY_TEST_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    "redis": ("HOSTRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    "amqp": ("HOSTRAY_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}


def service_url(kind: str) -> str:
    """The URL of a loopback service, after checking that it answers on its port."""
    variable, default = SERVICE_URLS[kind]
    url = os.environ.get(variable, default)
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            pass
    except OSError as exc:
        reason = f"{kind} server not reachable at {parts.hostname}:{parts.port} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def mysql_url() -> str:
    return service_url("mysql")


@pytest.fixture
def postgresql_url() -> str:
    return service_url("postgresql")


@pytest.fixture
def redis_url() -> str:
    return service_url("redis")


@pytest.fixture
def amqp_url() -> str:
    return service_url("amqp")
