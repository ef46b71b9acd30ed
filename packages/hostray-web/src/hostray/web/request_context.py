"""Every request's id and route, in `hostray.config.LOG_CONTEXT` while it is served.

The id is the incoming `X-Request-ID` when it is well formed (1-128 of `A-Za-z0-9._:-`), else a
new random one; it is returned in the `X-Request-ID` response header (`ResponseHeadersTransform`),
is on every JSON log line written while serving the request, follows the request into worker
pools, task_queue and `services` calls (`in_request_context`) and is sent upstream by `services`.

This runs on every request: each helper is one call deep, since a Python call is a measurable
share of a hello request (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
from collections.abc import Callable
from typing import TypeVar

from tornado import httputil
from tornado.httputil import HTTPServerRequest
from tornado.web import OutputTransform

from hostray.config import LOG_CONTEXT

__all__ = [
    "REQUEST_ID_HEADER",
    "ResponseHeadersTransform",
    "current_request_id",
    "in_request_context",
    "request_id_of",
]

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

T = TypeVar("T")


def request_id_of(request: HTTPServerRequest) -> str:
    """The request's incoming `X-Request-ID` if well formed, else a new random id."""
    given = request.headers.get_list(REQUEST_ID_HEADER)  # no KeyError raised when absent
    if len(given) == 1 and _WELL_FORMED.fullmatch(given[0]):
        return given[0]
    return os.urandom(16).hex()


def current_request_id() -> str | None:
    """The id of the request being served here, if any."""
    context = LOG_CONTEXT.get()
    return None if context is None else context.get("request_id")


def in_request_context(func: Callable[..., T]) -> Callable[..., T]:
    """`func`, to run in a copy of the current context when a request is being served (so a
    worker thread logs with the request's id); `func` itself otherwise."""
    if LOG_CONTEXT.get() is None:
        return func
    return functools.partial(contextvars.copy_context().run, func)


class ResponseHeadersTransform(OutputTransform):
    """Returns the request's id in the `X-Request-ID` response header and drops Tornado's
    `Server: TornadoServer/<version>` header (no version for an attacker): one transform, since
    Tornado makes each transform anew for every request. It runs in the handler's task, whose
    context holds the request's log fields."""

    def transform_first_chunk(
        self, status_code: int, headers: httputil.HTTPHeaders, chunk: bytes, finishing: bool
    ) -> tuple[int, httputil.HTTPHeaders, bytes]:
        server = headers.get_list("Server")  # one call; `get` takes two
        if server and server[0].startswith("TornadoServer/"):
            del headers["Server"]
        context = LOG_CONTEXT.get()
        if context is not None and "request_id" in context:
            headers[REQUEST_ID_HEADER] = context["request_id"]
        return status_code, headers, chunk
