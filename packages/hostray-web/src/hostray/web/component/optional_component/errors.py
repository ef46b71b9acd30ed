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


class SessionValueError(HostrayWebError, TypeError):
    """A value that cannot be kept in a session (only JSON types, date and datetime can)."""


class SessionStoreUnavailableError(HostrayWebError, RuntimeError):
    """The session store (Redis) cannot be reached; the request can be retried once it is back."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"session store {url} unavailable: {reason}")
