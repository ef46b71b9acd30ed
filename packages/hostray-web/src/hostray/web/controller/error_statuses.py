"""How exceptions raised in controllers become HTTP statuses, with a short message for the client.

Errors of the client's input are 4xx with the message; everything else is a 500 with the status
reason only (and the traceback only when the server runs with `debug: true`).
"""

from __future__ import annotations

from tornado.web import HTTPError

from hostray.orm.errors import DatabaseUnavailableError, EntityValidationError
from hostray.web.component.optional_component.errors import (
    ServiceConnectionError,
    ServiceRedirectError,
    ServiceResponseTooLargeError,
    ServiceRouteError,
    ServiceTimeoutError,
)

__all__ = ["ERROR_STATUSES", "client_message", "http_error_for"]

ERROR_STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (ServiceTimeoutError, 504),
    (ServiceConnectionError, 502),
    (ServiceResponseTooLargeError, 502),
    (ServiceRedirectError, 502),
    (ServiceRouteError, 400),
    (EntityValidationError, 400),
    (DatabaseUnavailableError, 503),
)
"""The sibling packages' errors that stand for an HTTP status, the first match wins. These
modules import neither SQLAlchemy nor aiohttp."""


def http_error_for(exc: BaseException) -> HTTPError | None:
    """The `HTTPError` an exception of a sibling package stands for, or None.

    A service that cannot be reached, answers too much or redirects elsewhere is a 502 (504 when it
    timed out); a `route_input` that climbs out of its route and bad entity input a 400; a
    database that cannot be reached a 503.
    """
    for error_type, status in ERROR_STATUSES:
        if isinstance(exc, error_type):
            return HTTPError(status, "%s", exc)
    return None


def client_message(exc: BaseException | None, status_code: int) -> str | None:
    """The message of an `HTTPError` a client may read: only for 4xx, never for server errors."""
    if not isinstance(exc, HTTPError) or not 400 <= status_code < 500:
        return None
    get_message = getattr(exc, "get_message", None)  # Tornado >= 6.5
    if get_message is not None:
        message: str | None = get_message()
        return message
    if exc.log_message and exc.args:
        return str(exc.log_message % exc.args)
    return exc.log_message
