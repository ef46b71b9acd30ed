"""Config validators of the optional components' blocks (`services`, `memory_cache`, `orm_db`,
`metrics`, `channels`).

Only hostray.config is imported here, so `hostray.web.config_validator` can register these
validators without loading aiohttp, SQLAlchemy or redis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hostray.config import (
    ConfigBaseElementMeta,
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigScalableContainerMeta,
    ConfigSwitchableElementMeta,
    config_path,
)

__all__ = [
    "CHANNEL_BACKENDS",
    "DEFAULT_CHANNEL_BACKEND",
    "DEFAULT_CHANNEL_PREFIX",
    "DEFAULT_CONNECTION_REFRESH",
    "DEFAULT_KEY_PREFIX",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_METRICS_ADDRESS",
    "DEFAULT_REDIRECTS",
    "DEFAULT_REDIS_URL",
    "DEFAULT_SERVICE_TIMEOUT",
    "DEFAULT_SESSION_BACKEND",
    "HTTP_METHODS",
    "OPTIONAL_COMPONENT_VALIDATORS",
    "REDIRECT_POLICIES",
    "SESSION_BACKENDS",
    "ChannelsValidator",
    "MemoryCacheValidator",
    "MetricsValidator",
    "OrmDBValidator",
    "ServicesValidator",
]

SESSION_BACKENDS = ("memory", "redis")
"""The `backend` choices of `memory_cache`, one `SessionStore` class each."""
DEFAULT_SESSION_BACKEND = "memory"

CHANNEL_BACKENDS = ("memory", "redis")
"""The `backend` choices of `channels`, one `ChannelBackend` class each."""
DEFAULT_CHANNEL_BACKEND = "memory"

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
"""Methods a service route may enable; the seed's `option` is accepted as `options`."""

DEFAULT_SERVICE_TIMEOUT = 30.0
DEFAULT_MAX_RESPONSE_SIZE = 10 * 1024 * 1024
"""Bytes of a service response read whole into memory (10 MiB)."""
REDIRECT_POLICIES = ("same_origin", "any", "none")
"""Which redirects a service follows: to its own scheme, host and port only; any; none."""
DEFAULT_REDIRECTS = "same_origin"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_CONNECTION_REFRESH = 30
DEFAULT_KEY_PREFIX = "hostray:session:"
DEFAULT_CHANNEL_PREFIX = "hostray:channel:"


def _positive(kind: type, label: str) -> Callable[[Any], Any]:
    """A parameter type accepting a number > 0 (an int for `kind` int); `label` names it."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int if kind is int else (int, float)):
            raise TypeError(label)
        if not value > 0 or value == float("inf"):
            raise ValueError(label)
        return value

    check.__name__ = label
    return check


def _redis_url(value: Any) -> str:
    """A `redis://`, `rediss://` or `unix://` URL (what redis-py's `from_url` takes)."""
    if not isinstance(value, str):
        raise TypeError(_redis_url.__name__)
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(_redis_url.__name__)
    return value


_redis_url.__name__ = "a redis:// URL"


def _argument_names(value: Any) -> list[str]:
    """A list of argument names (str): the arguments a service method accepts."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise TypeError("a list of argument names")
    return value


_argument_names.__name__ = "a list of argument names"
_seconds = _positive(float, "seconds > 0")
_workers = _positive(int, "an integer >= 1")
_response_bytes = _positive(int, "bytes ≥ 1")

ServicesValidator = ConfigContainerMeta(
    "services",
    False,
    ConfigScalableContainerMeta(
        str,
        ConfigScalableContainerMeta(
            str,
            ConfigElementMeta("name", str, True),
            ConfigElementMeta("timeout", _seconds, False, default=DEFAULT_SERVICE_TIMEOUT),
            ConfigElementMeta(
                "max_response_size", _response_bytes, False, default=DEFAULT_MAX_RESPONSE_SIZE
            ),
            ConfigElementMeta(
                "redirects", str, False, default=DEFAULT_REDIRECTS, choices=REDIRECT_POLICIES
            ),
            *(ConfigElementMeta(method, _argument_names, False) for method in HTTP_METHODS),
            ConfigElementMeta("option", _argument_names, False),
        ),
    ),
)
"""`services: {base_url: {route: {name, timeout, max_response_size, redirects, get: […], …}}}`;
a method set to nothing (`get:`) accepts any argument."""

MemoryCacheValidator = ConfigContainerMeta(
    "memory_cache",
    False,
    ConfigElementMeta("sess_lifetime", _seconds, True),
    ConfigElementMeta("renew_lifetime", bool, False, default=False),
    ConfigElementMeta("renew_id", bool, False, default=False),
    ConfigElementMeta("save_file", config_path, False),
    ConfigElementMeta("save_interval", _seconds, False),
    ConfigElementMeta(
        "backend", str, False, default=DEFAULT_SESSION_BACKEND, choices=SESSION_BACKENDS
    ),
    ConfigElementMeta("url", str, False, default=DEFAULT_REDIS_URL),
    ConfigElementMeta("key_prefix", str, False, default=DEFAULT_KEY_PREFIX),
    ConfigElementMeta("allow_per_process", bool, False, default=False),
)
"""Sessions kept in memory (optionally saved to `save_file`) or in Redis (`backend: redis`);
`allow_per_process: true` lets `hostray start --processes N` keep sessions in each process."""


def _db_module(name: str, *parameters: ConfigBaseElementMeta) -> ConfigContainerMeta:
    """One `module:` choice of an orm_db entry with the settings every module shares."""
    return ConfigContainerMeta(
        name,
        False,
        ConfigElementMeta("worker", _workers, False, default=1),
        ConfigElementMeta(
            "connection_refresh", _seconds, False, default=DEFAULT_CONNECTION_REFRESH
        ),
        *parameters,
    )


def _server_parameters() -> tuple[ConfigBaseElementMeta, ...]:
    """Connection settings of a database server module (mysql, postgresql); the default `port`
    is the engine's (`hostray.orm.engines.DEFAULT_PORTS`)."""
    return (
        ConfigElementMeta("host", str, True),
        ConfigElementMeta("port", int, False),
        ConfigElementMeta("db_name", str, True),
        ConfigElementMeta("user", str, True),
        ConfigElementMeta("password", str, False, default=""),
    )


OrmDBValidator = ConfigContainerMeta(
    "orm_db",
    False,
    ConfigScalableContainerMeta(
        str,
        ConfigSwitchableElementMeta(
            "module",
            str,
            True,
            _db_module("sqlite_memory"),
            _db_module("sqlite", ConfigElementMeta("file_name", config_path, True)),
            _db_module("mysql", *_server_parameters()),
            _db_module("postgresql", *_server_parameters()),
        ),
    ),
)
"""`orm_db: {db_id: {module: sqlite_memory | sqlite | mysql | postgresql, worker, …}}`."""


def _token(value: Any) -> str:
    """A bearer token: 16 to 256 visible ASCII characters."""
    if not isinstance(value, str):
        raise TypeError("a token of 16-256 visible ASCII characters")
    if not 16 <= len(value) <= 256 or not all("!" <= c <= "~" for c in value):
        raise ValueError("a token of 16-256 visible ASCII characters")
    return value


_token.__name__ = "a token of 16-256 visible ASCII characters"


def _listen_port(value: Any) -> int:
    """A TCP port to listen on: an int from 1 to 65535."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(_listen_port.__name__)
    if not 1 <= value <= 65535:
        raise ValueError(_listen_port.__name__)
    return value


_listen_port.__name__ = "a port number (1-65535)"
DEFAULT_METRICS_ADDRESS = "127.0.0.1"
"""Where the metrics listener binds when `port` is set: loopback, so it is not public."""

MetricsValidator = ConfigContainerMeta(
    "metrics",
    False,
    ConfigElementMeta("token", _token, False),
    ConfigElementMeta("port", _listen_port, False),
    ConfigElementMeta("address", str, False, default=DEFAULT_METRICS_ADDRESS),
)
"""`metrics: {token, port, address}`: the `metrics` controller answers only `Authorization:
Bearer <token>` when a token is set; with `port`, the server also serves `/metrics` (and nothing
else) on `address:port` (default address 127.0.0.1)."""

ChannelsValidator = ConfigContainerMeta(
    "channels",
    False,
    ConfigElementMeta(
        "backend", str, False, default=DEFAULT_CHANNEL_BACKEND, choices=CHANNEL_BACKENDS
    ),
    ConfigElementMeta("url", _redis_url, False, default=DEFAULT_REDIS_URL),
    ConfigElementMeta("prefix", str, False, default=DEFAULT_CHANNEL_PREFIX),
    ConfigElementMeta("allow_per_process", bool, False, default=False),
)
"""Publish/subscribe in this process (`backend: memory`) or through Redis (`backend: redis`);
`allow_per_process: true` lets `hostray start --processes N` keep memory channels per process."""

OPTIONAL_COMPONENT_VALIDATORS: tuple[ConfigContainerMeta, ...] = (
    ServicesValidator,
    MemoryCacheValidator,
    OrmDBValidator,
    MetricsValidator,
    ChannelsValidator,
)
"""The blocks `hostray.web.config_validator` adds to the `component` container."""
