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
from types import MappingProxyType
from typing import Any

from hostray.config import ConfigError, mask_secrets

from ...settings import validated_block
from ..schema import HTTP_METHODS, ServicesValidator

__all__ = [
    "ServiceSettings",
    "ServicesSettings",
    "join_url",
    "normalize_method",
    "parse_services",
]

_ALIASES = {"option": "options"}
_ROUTE = "component.services"


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
class ServiceSettings:
    """One route of the `services` block: where the service is and what may be sent to it.

    Built only from a block `ServicesValidator` validated, so every value (and default) is the
    schema's.
    """

    name: str
    url: str
    methods: Mapping[str, tuple[str, ...] | None]
    """Enabled methods → the argument names allowed (None: any)."""
    timeout: float
    max_response_size: int
    """Bytes of a body read whole (a `streaming_callback` is not limited)."""
    redirects: str
    """`same_origin`: follow redirects to the scheme, host and port of `url` only; `any`; `none`."""

    @classmethod
    def from_route(cls, url: str, route: Mapping[str, Any]) -> ServiceSettings:
        """The settings of one validated route; a route that enables no method enables them
        all, as in hostray 0.7.5."""
        methods: dict[str, tuple[str, ...] | None] = {}
        for key, arguments in route.items():
            method = normalize_method(key)
            if method in HTTP_METHODS:
                methods[method] = None if arguments is None else tuple(arguments)
        return cls(
            name=route["name"],
            url=url,
            methods=MappingProxyType(methods or dict.fromkeys(HTTP_METHODS)),
            timeout=float(route["timeout"]),
            max_response_size=route["max_response_size"],
            redirects=route["redirects"],
        )

    def info(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "methods": {m: list(a) if a is not None else None for m, a in self.methods.items()},
            "timeout": self.timeout,
            "max_response_size": self.max_response_size,
            "redirects": self.redirects,
        }


@dataclass(frozen=True)
class ServicesSettings:
    """The `services` block: every route's settings by service name."""

    services: Mapping[str, ServiceSettings]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ServicesSettings:
        """Validate a `services` block; its problems and every name given to two routes in one
        `ConfigError` (base URLs masked: they may carry a password)."""
        try:
            block = validated_block(ServicesValidator, config, _ROUTE)
        except ConfigError as exc:
            raise ConfigError(*exc.problems, *_duplicate_names(config)) from None
        duplicates = _duplicate_names(block)
        if duplicates:
            raise ConfigError(*duplicates)
        services = {
            route["name"]: ServiceSettings.from_route(join_url(base, path), route)
            for base, routes in block.items()
            for path, route in routes.items()
        }
        return cls(services=MappingProxyType(services))


def parse_services(config: Mapping[str, Any]) -> dict[str, ServiceSettings]:
    """Services by name from a `services` block; every problem in one `ConfigError`."""
    return dict(ServicesSettings.from_config(config).services)


def _duplicate_names(config: Mapping[str, Any]) -> list[str]:
    """A problem for each route whose `name` an earlier route has already taken."""
    urls: dict[str, str] = {}
    problems = []
    for base, routes in config.items():
        for path, route in routes.items() if isinstance(routes, Mapping) else ():
            name = route.get("name") if isinstance(route, Mapping) else None
            if not isinstance(name, str):
                continue
            if name in urls:
                problems.append(
                    mask_secrets(
                        f"{_ROUTE}.{base}.{path}.name: {name!r} is already the name of {urls[name]}"
                    )
                )
            else:
                urls[name] = join_url(base, path)
    return problems
