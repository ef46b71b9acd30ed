"""Exceptions the optional components raise, importable without aiohttp, SQLAlchemy or redis.

Controllers catch these to answer a request: an unreachable service or session store is a 503,
a value that cannot be kept in a session is the caller's mistake. Every class here derives from
`HostrayWebError`; `hostray.web.errors` draws the whole tree.
"""

from __future__ import annotations

from ...errors import HostrayWebError

__all__ = [
    "MethodNotEnabledError",
    "ServiceArgumentError",
    "ServiceConnectionError",
    "ServiceError",
    "ServiceRedirectError",
    "ServiceResponseTooLargeError",
    "ServiceRouteError",
    "ServiceTimeoutError",
    "SessionStoreUnavailableError",
    "SessionValueError",
    "UnknownServiceError",
]


class ServiceError(HostrayWebError):
    """Base of every error `ServicesComponent.invoke` raises itself."""


class UnknownServiceError(ServiceError, LookupError):
    """`invoke` was given a service name the `services` block does not define."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        listed = ", ".join(sorted(known)) or "none configured"
        super().__init__(f"unknown service {name!r} (configured: {listed})")


class MethodNotEnabledError(ServiceError, ValueError):
    """The HTTP method is not enabled for the service in the `services` block."""

    def __init__(self, name: str, method: str, enabled: list[str]) -> None:
        self.name = name
        self.method = method
        self.enabled = enabled
        super().__init__(
            f"method {method!r} is not enabled for service {name!r} (enabled: {', '.join(enabled)})"
        )


class ServiceArgumentError(ServiceError, ValueError):
    """An argument outside the list the `services` block allows for that method."""

    def __init__(self, name: str, method: str, unexpected: list[str], allowed: list[str]) -> None:
        self.name = name
        self.method = method
        self.unexpected = unexpected
        self.allowed = allowed
        super().__init__(
            f"service {name!r} method {method!r} does not accept argument(s) "
            f"{', '.join(unexpected)} (allowed: {', '.join(allowed) or 'none'})"
        )


class ServiceConnectionError(ServiceError, ConnectionError):
    """The request failed: refused, reset, unresolvable or timed out; `.url` says where."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"service request to {url} failed: {reason}")


class ServiceTimeoutError(ServiceConnectionError, TimeoutError):
    """The service did not answer within its `timeout`."""


class ServiceRouteError(ServiceError, ValueError):
    """`route_input` would leave the service's route (a `..` or `.` segment): the caller's input."""

    def __init__(self, name: str, route_input: str) -> None:
        self.name = name
        self.route_input = route_input
        super().__init__(
            f"service {name!r}: route_input {route_input!r} has a '..' or '.' segment (refused)"
        )


class ServiceResponseTooLargeError(ServiceError):
    """The response body is larger than the service's `max_response_size`; nothing was kept."""

    def __init__(self, name: str, url: str, limit: int) -> None:
        self.name = name
        self.url = url
        self.limit = limit
        super().__init__(
            f"service {name!r}: the response of {url} is larger than max_response_size "
            f"({limit} bytes); raise it for this service or pass streaming_callback="
        )


class ServiceRedirectError(ServiceError):
    """The service redirected where its `redirects` setting does not allow to follow."""

    def __init__(self, name: str, url: str, target: str, reason: str) -> None:
        self.name = name
        self.url = url
        self.target = target
        super().__init__(f"service {name!r}: redirect from {url} to {target} refused: {reason}")


class SessionValueError(HostrayWebError, TypeError):
    """A value that cannot be kept in a session (only JSON types, date and datetime can)."""


class SessionStoreUnavailableError(HostrayWebError, RuntimeError):
    """The session store (Redis) cannot be reached; the request can be retried once it is back."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"session store {url} unavailable: {reason}")
