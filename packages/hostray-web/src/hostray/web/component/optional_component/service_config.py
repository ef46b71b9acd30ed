"""The `services` block as a table of named services: URL, enabled methods, argument lists.

services:
    http://127.0.0.1:8000:        # base URL
        /api/users:               # route
            name: users           # what invoke() calls it
            timeout: 5            # seconds, default 30
            max_response_size: 1048576  # bytes of a body read whole, default 10 MiB
            redirects: same_origin      # same_origin (default) | any | none
            get:                  # enabled, any argument
            post: [name, email]   # enabled, only these arguments
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hostray.config import ConfigError, mask_secrets

from .schema import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_REDIRECTS,
    DEFAULT_SERVICE_TIMEOUT,
    HTTP_METHODS,
    REDIRECT_POLICIES,
)

__all__ = ["Service", "join_url", "normalize_method", "parse_services"]

_ALIASES = {"option": "options"}
_SETTINGS = ("name", "timeout", "max_response_size", "redirects")


def normalize_method(method: str) -> str:
    """Lower-case method name; the seed's `option` is `options`."""
    lowered = method.lower()
    return _ALIASES.get(lowered, lowered)


def join_url(base: str, path: str) -> str:
    """`base` and `path` joined by exactly one slash (`path` '' leaves `base` as it is)."""
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True)
class Service:
    """One configured service: where it is and what may be sent to it."""

    name: str
    url: str
    methods: Mapping[str, tuple[str, ...] | None]
    """Enabled methods → the argument names allowed (None: any)."""
    timeout: float = DEFAULT_SERVICE_TIMEOUT
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    """Bytes of a body read whole (a `streaming_callback` is not limited)."""
    redirects: str = DEFAULT_REDIRECTS
    """`same_origin`: follow redirects to the scheme, host and port of `url` only; `any`; `none`."""

    def info(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "methods": {m: list(a) if a is not None else None for m, a in self.methods.items()},
            "timeout": self.timeout,
            "max_response_size": self.max_response_size,
            "redirects": self.redirects,
        }


def parse_services(config: Mapping[str, Any]) -> dict[str, Service]:
    """Services by name; every problem (duplicate name, bad method list) in one `ConfigError`.

    A route that enables no method enables them all, as in hostray 0.7.5.
    """
    services: dict[str, Service] = {}
    problems: list[str] = []
    for base, routes in config.items():
        if not isinstance(routes, Mapping):
            problems.append(f"component.services.{base}: expected a mapping of routes")
            continue
        for route, settings in routes.items():
            where = f"component.services.{base}.{route}"
            service = _parse_route(join_url(base, route), settings, where, problems)
            if service is None:
                continue
            if service.name in services:
                problems.append(
                    f"{where}.name: {service.name!r} is already the name of "
                    f"{services[service.name].url}"
                )
                continue
            services[service.name] = service
    if problems:  # the base URLs name the services: never print their secrets
        raise ConfigError(*(mask_secrets(problem) for problem in problems))
    return services


def _parse_route(url: str, settings: Any, where: str, problems: list[str]) -> Service | None:
    if not isinstance(settings, Mapping) or not isinstance(settings.get("name"), str):
        problems.append(f"{where}.name: missing required key")
        return None
    timeout = settings.get("timeout", DEFAULT_SERVICE_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        problems.append(f"{where}.timeout: expected seconds > 0, got {timeout!r}")
        return None
    max_size = settings.get("max_response_size", DEFAULT_MAX_RESPONSE_SIZE)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        problems.append(f"{where}.max_response_size: expected bytes ≥ 1, got {max_size!r}")
        return None
    redirects = settings.get("redirects", DEFAULT_REDIRECTS)
    if redirects not in REDIRECT_POLICIES:
        allowed = ", ".join(REDIRECT_POLICIES)
        problems.append(f"{where}.redirects: expected one of {allowed}, got {redirects!r}")
        return None
    methods: dict[str, tuple[str, ...] | None] = {}
    for key, arguments in settings.items():
        if key in _SETTINGS:
            continue
        method = normalize_method(str(key))
        if method not in HTTP_METHODS:
            allowed = ", ".join(HTTP_METHODS)
            problems.append(
                f"{where}.{key}: unknown key (expected {', '.join(_SETTINGS)}, {allowed})"
            )
            continue
        if arguments is None:
            methods[method] = None
        elif isinstance(arguments, list) and all(isinstance(a, str) for a in arguments):
            methods[method] = tuple(arguments)
        else:
            problems.append(f"{where}.{key}: expected a list of argument names, got {arguments!r}")
    return Service(
        name=settings["name"],
        url=url,
        methods=methods or dict.fromkeys(HTTP_METHODS),
        timeout=float(timeout),
        max_response_size=max_size,
        redirects=redirects,
    )
