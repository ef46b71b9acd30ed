"""How exceptions raised in controllers become HTTP statuses, with a short message for the client.

Errors of the client's input are 4xx with the message; everything else is a 500 with the status
reason only (and the traceback only when the server runs with `debug: true`).
"""

from __future__ import annotations

import sys

from tornado.web import HTTPError

__all__ = ["client_message", "http_error_for"]


def http_error_for(exc: BaseException) -> HTTPError | None:
    """The `HTTPError` an exception of a sibling package stands for, or None.

    A service that cannot be reached, answers too much or redirects elsewhere is a 502 (504 when it
    timed out); a `route_input` that climbs out of the route is a 400. hostray.orm and the services
    errors are looked up only if already imported: an application that never used them cannot raise
    their errors, and importing them here would load SQLAlchemy or aiohttp for nothing.
    """
    services = sys.modules.get("hostray.web.component.optional_component.errors")
    if services is not None:
        if isinstance(exc, services.ServiceTimeoutError):
            return HTTPError(504, "%s", exc)
        if isinstance(
            exc,
            (
                services.ServiceConnectionError,
                services.ServiceResponseTooLargeError,
                services.ServiceRedirectError,
            ),
        ):
            return HTTPError(502, "%s", exc)
        if isinstance(exc, services.ServiceRouteError):
            return HTTPError(400, "%s", exc)
    orm = sys.modules.get("hostray.orm")
    if orm is None:
        return None
    validation_error = getattr(orm, "EntityValidationError", None)
    if validation_error is not None and isinstance(exc, validation_error):
        return HTTPError(400, "%s", exc)
    unavailable_error = getattr(orm, "DatabaseUnavailableError", None)
    if unavailable_error is not None and isinstance(exc, unavailable_error):
        return HTTPError(503, "%s", exc)
    return None


def client_message(exc: BaseException | None, status_code: int) -> str | None:
    """The message of an `HTTPError` a client may read: only for 4xx, never for server errors."""
    if not isinstance(exc, HTTPError) or not 400 <= status_code < 500:
        return None
    get_message = getattr(exc, "get_message", None)  # Tornado >= 6.5
    if get_message is not None:
        return get_message()
    if exc.log_message and exc.args:
        return str(exc.log_message % exc.args)
    return exc.log_message
