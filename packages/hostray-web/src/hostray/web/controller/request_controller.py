"""`RequestController`: the base of hostray's HTTP controllers, a Tornado `RequestHandler`.

It adds the `ControllerAddon` shortcuts and answers errors briefly: a 4xx carries its message, a
500 only its reason; the traceback is sent only when the application runs in debug mode.
"""

from __future__ import annotations

from enum import Enum
from types import TracebackType
from typing import Any

from tornado.log import app_log
from tornado.web import HTTPError, RequestHandler

from ..tracebacks import code_frames
from .addon import ControllerAddon
from .error_statuses import client_message, http_error_for
from .session import SessionMixin

__all__ = ["RESTfulMethodType", "RequestController"]


class RESTfulMethodType(Enum):
    """The HTTP methods of a REST controller, as 0.7.5 named them (`OPTION` is 0.7.5's spelling;
    its value is the real method name `OPTIONS`)."""

    GET = "GET"
    POST = "POST"
    PATCH = "PATCH"
    PUT = "PUT"
    DELETE = "DELETE"
    OPTION = "OPTIONS"


class RequestController(SessionMixin, ControllerAddon, RequestHandler):
    """Base HTTP controller; the route's `params` arrive as keyword arguments of `initialize()`."""

    def _handle_request_exception(self, e: BaseException) -> None:
        """Map errors of sibling packages (an invalid ORM entity → 400, …) to HTTP statuses."""
        mapped = http_error_for(e)
        if mapped is None:
            super()._handle_request_exception(e)
            return
        try:  # Tornado reads the exception from sys.exc_info()
            raise mapped from e
        except HTTPError as exc:
            super()._handle_request_exception(exc)

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Log an uncaught error as one line and the project's frames of its traceback (the whole
        traceback in debug mode, and Tornado's own logging for `HTTPError`s)."""
        if value is None or isinstance(value, HTTPError) or self.settings.get("serve_traceback"):
            super().log_exception(typ, value, tb)
            return
        frames = code_frames(value, str(self.settings.get("root_dir") or ""))
        summary = f"Uncaught exception {self._request_summary()}: {type(value).__name__}: {value}"
        app_log.error("\n".join([summary, *frames]))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer `status_code` with a one-line text body (a traceback only in debug mode)."""
        if self.settings.get("serve_traceback") and "exc_info" in kwargs:
            super().write_error(status_code, **kwargs)
            return
        exc = kwargs["exc_info"][1] if "exc_info" in kwargs else None
        message = client_message(exc, status_code)
        line = f"{status_code} {self._reason}"
        if message:
            line = f"{line}: {message}"
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(line + "\n")
