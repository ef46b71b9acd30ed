"""Validators of `server_config.yaml`, and the seed's documented home of the validator metaclasses.

`HostrayWebConfigValidator` is the root; its `component` and `controller` children are the very
classes `HostrayWebConfigComponentValidator` and `HostrayWebConfigControllerValidator`, so a project
that extends them with `set_cls_parameters` (as the seed's hello example does) extends the root too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hostray.config import (
    LOG_FORMATS,
    ConfigBaseElementMeta,
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigScalableContainerMeta,
    ConfigScalableElementMeta,
    ConfigSwitchableElementMeta,
    config_path,
)
from hostray.web.component.base import DEFAULT_SHUTDOWN_TIMEOUT
from hostray.web.component.optional_component.schema import OPTIONAL_COMPONENT_VALIDATORS
from hostray.web.component.task_queue_settings import TaskQueueValidator
from hostray.web.tracing.schema import TracingValidator

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_IDLE_CONNECTION_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_PORT",
    "DEFAULT_READY_GRACE",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "ConfigBaseElementMeta",
    "ConfigContainerMeta",
    "ConfigElementMeta",
    "ConfigScalableContainerMeta",
    "ConfigScalableElementMeta",
    "ConfigSwitchableElementMeta",
    "HostrayWebConfigComponentValidator",
    "HostrayWebConfigControllerValidator",
    "HostrayWebConfigValidator",
    "TornadoSettingsValidator",
]

DEFAULT_PORT = 8888
DEFAULT_READY_GRACE = 0.0
"""Seconds `server_ready` answers 503 before a stopping server closes its listener."""
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
"""Bytes a request body may have on a route without a limit of its own (1 MiB)."""
DEFAULT_IDLE_CONNECTION_TIMEOUT = 60.0
"""Seconds a connection may wait for (or take to send) the headers of its next request."""
DEFAULT_BODY_TIMEOUT = 60.0
"""Seconds a request body may take to arrive."""
DEFAULT_MAX_CONNECTIONS = 10_000
"""Open connections a server process keeps at most."""


def _number_between(
    kind: type, low: float, high: float | None, label: str, *, above: bool = False
) -> Callable[[Any], Any]:
    """A parameter type accepting a `kind` number in [low, high] (or (low, high] when `above`);
    `label` names it in problems."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(label)
        if kind is int and not isinstance(value, int):
            raise TypeError(label)
        if value < low or (above and value == low) or (high is not None and value > high):
            raise ValueError(label)
        return kind(value)

    check.__name__ = label
    return check


_workers = _number_between(int, 1, None, "an int >= 1")
_port = _number_between(int, 0, 65535, "a port number (0-65535)")
_seconds = _number_between(float, 0, None, "a number of seconds >= 0")
_timeout = _number_between(float, 0, None, "a number of seconds > 0", above=True)
_bytes = _number_between(int, 0, None, "a number of bytes >= 0")

HostrayWebConfigComponentValidator = ConfigContainerMeta(
    "component",
    False,
    ConfigContainerMeta(
        "localization",
        False,
        ConfigElementMeta("dir", config_path, False),
        ConfigElementMeta("lang", str, False, default="en"),
    ),
    ConfigContainerMeta(
        "logger",
        False,
        ConfigElementMeta("dir", config_path, False),
        ConfigElementMeta("format", str, False, default="text", choices=LOG_FORMATS),
    ),
    ConfigContainerMeta("worker_pool", False, ConfigScalableElementMeta(str, _workers)),
    TaskQueueValidator,
    *OPTIONAL_COMPONENT_VALIDATORS,
)
"""The `component` block: one child per component key; projects add theirs."""

HostrayWebConfigControllerValidator = ConfigContainerMeta(
    "controller",
    False,
    ConfigScalableContainerMeta(
        str,
        ConfigElementMeta("enum", str, True),
        ConfigContainerMeta("params", False),
    ),
)
"""The `controller` block: `route: {enum: controller_key, params: {…initialize() arguments}}`."""

TornadoSettingsValidator = ConfigContainerMeta(
    "settings",
    False,
    ConfigElementMeta("cookie_secret", str, False),
    ConfigElementMeta("xsrf_cookies", bool, False),
    ConfigContainerMeta("xsrf_cookie_kwargs", False),
    ConfigElementMeta("xsrf_cookie_version", int, False, choices=(1, 2)),
    ConfigElementMeta("compress_response", bool, False),
    ConfigElementMeta("gzip", bool, False),
    ConfigElementMeta("serve_traceback", bool, False),
    ConfigElementMeta("static_path", str, False),
    ConfigElementMeta("static_url_prefix", str, False),
    ConfigElementMeta("static_hash_cache", bool, False),
    ConfigElementMeta("template_path", str, False),
    ConfigElementMeta("template_whitespace", str, False, choices=("all", "single", "oneline")),
    ConfigElementMeta("compiled_template_cache", bool, False),
    ConfigElementMeta("autoescape", (str, type(None)), False),
    ConfigElementMeta("login_url", str, False),
    ConfigElementMeta("websocket_ping_interval", _seconds, False),
    ConfigElementMeta("websocket_ping_timeout", _seconds, False),
    ConfigElementMeta("websocket_max_message_size", _workers, False),
)
"""Tornado `Application` settings passed through from the `settings` block."""

HostrayWebConfigValidator = ConfigContainerMeta(
    "server_config",
    True,
    ConfigElementMeta("name", str, False),
    ConfigElementMeta("address", str, False, default=""),
    ConfigElementMeta("port", _port, False, default=DEFAULT_PORT),
    ConfigElementMeta("debug", bool, False, default=False),
    ConfigElementMeta("shutdown_timeout", _seconds, False, default=DEFAULT_SHUTDOWN_TIMEOUT),
    ConfigElementMeta("ready_grace", _seconds, False, default=DEFAULT_READY_GRACE),
    ConfigElementMeta("max_body_size", _bytes, False, default=DEFAULT_MAX_BODY_SIZE),
    ConfigElementMeta(
        "idle_connection_timeout", _timeout, False, default=DEFAULT_IDLE_CONNECTION_TIMEOUT
    ),
    ConfigElementMeta("body_timeout", _timeout, False, default=DEFAULT_BODY_TIMEOUT),
    ConfigElementMeta("max_connections", _workers, False, default=DEFAULT_MAX_CONNECTIONS),
    ConfigContainerMeta(
        "ssl",
        False,
        ConfigElementMeta("crt", str, True),
        ConfigElementMeta("key", str, True),
        ConfigElementMeta("ca", str, False),
    ),
    TornadoSettingsValidator,
    TracingValidator,
    HostrayWebConfigComponentValidator,
    HostrayWebConfigControllerValidator,
)
"""The whole `server_config.yaml`."""
