"""`services`: call the web APIs named in the config through one pooled aiohttp session per loop.

`invoke_async` uses the session of the running loop; `invoke` (blocking, any thread) runs on a
private loop thread with its own session. Both are closed at dispose.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from ....errors import ComponentClosedError
from ....request_context import REQUEST_ID_HEADER, current_request_id
from ... import Component, ComponentManager
from ..errors import (
    MethodNotEnabledError,
    ServiceArgumentError,
    ServiceConnectionError,
    ServiceError,
    ServiceRedirectError,
    ServiceResponseTooLargeError,
    ServiceRouteError,
    ServiceTimeoutError,
    UnknownServiceError,
)
from ..loop_thread import LoopThread
from ..outages import OutageLog, show_logger
from ..per_loop import PerLoop
from ..urls import mask_url
from .config import ServiceSettings, ServicesSettings, normalize_method
from .response import ServiceResponse

__all__ = ["ServiceResponse", "ServicesComponent"]

logger = logging.getLogger("hostray.web.services")

CHUNK_SIZE = 64 * 1024
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
QUERY_METHODS = frozenset({"get", "delete", "head", "options"})
REQUEST_OPTIONS = frozenset(
    {"headers", "cookies", "json", "data", "params", "timeout", "allow_redirects", "route_input"}
)
"""Keywords of `invoke` that shape the request; every other keyword is a service argument."""


def _new_session() -> aiohttp.ClientSession:
    # No cookie jar: the session is shared by every caller, and one user's cookies must not
    # travel with another's request. Cookies go per call with `cookies=`.
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())


async def _close_session(session: aiohttp.ClientSession) -> None:
    await session.close()


T = TypeVar("T")


class ServicesComponent(Component):
    """The seed's services client: `invoke(service_name, method, streaming_callback, **kwargs)`.

    GET, DELETE, HEAD and OPTIONS send the arguments as the query string; POST, PUT and PATCH as
    a form body, or pass `json=` for a JSON body. `headers=`, `cookies=`, `params=`, `data=`,
    `timeout=` (seconds), `allow_redirects=False` and `route_input=` (a path appended to the
    service URL, percent-encoded, `..` refused) shape the request. A body read whole is limited
    to the service's `max_response_size`; redirects are followed as its `redirects` allows.
    Errors: `UnknownServiceError`, `MethodNotEnabledError`, `ServiceArgumentError`,
    `ServiceRouteError`, `ServiceResponseTooLargeError`, `ServiceRedirectError` and
    `ServiceConnectionError` (`ServiceTimeoutError`) carrying the URL.
    """

    settings: ServicesSettings
    services: Mapping[str, ServiceSettings]

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **services: Any
    ) -> None:
        """Validate the `services` block (base URL → route → settings) with the schema."""
        self.settings = ServicesSettings.from_config(services)
        self.services = self.settings.services
        self._sessions: PerLoop[aiohttp.ClientSession] = PerLoop(_new_session, _close_session)
        self._loop_thread = LoopThread("hostray-services")
        self._disposed = False
        show_logger(component_manager, logger.name)
        self._unreachable = OutageLog(logger, "service")
        self._refused = OutageLog(logger, "service")
        self.call_observer: Callable[[str, float, str | None], None] | None = None
        """Called with (service name, seconds, None or the error: 'timeout', 'connection' or
        'refused') after each call (the `metrics` component's)."""

    def info(self) -> dict[str, Any]:
        """Every service with its URL (password masked), enabled methods and timeout."""
        details = {}
        for name, service in self.services.items():
            entry = service.info()
            entry["url"] = mask_url(entry["url"])
            details[name] = entry
        return {**super().info(), "info": details}

    def invoke(
        self,
        service_name: str,
        method: str = "get",
        streaming_callback: Callable[[bytes], Any] | None = None,
        **kwargs: Any,
    ) -> ServiceResponse:
        """Send the request and wait for the response (blocking; from any thread)."""
        if self._disposed:
            raise ComponentClosedError("services: the component is disposed")
        context = contextvars.copy_context()
        return self._loop_thread.run(
            _in_context(
                context, self.invoke_async(service_name, method, streaming_callback, **kwargs)
            )
        )

    async def invoke_async(
        self,
        service_name: str,
        method: str = "get",
        streaming_callback: Callable[[bytes], Any] | None = None,
        **kwargs: Any,
    ) -> ServiceResponse:
        """Send the request on this loop's pooled session; `streaming_callback` (plain or async)
        receives the body chunk by chunk instead of `content`."""
        if self._disposed:
            raise ComponentClosedError("services: the component is disposed")
        service = self.services.get(service_name)
        if service is None:
            raise UnknownServiceError(service_name, list(self.services))
        verb = normalize_method(method)
        if verb not in service.methods:
            raise MethodNotEnabledError(service_name, verb, list(service.methods))
        url, request = self._request(service, verb, kwargs)
        try:
            response = await self._observed_call(
                service, verb, url, request, streaming_callback=streaming_callback
            )
        except ServiceConnectionError as exc:
            self._unreachable.failed(service_name, str(exc))
            raise
        except (ServiceResponseTooLargeError, ServiceRedirectError) as exc:
            self._refused.failed(service_name, str(exc))
            raise
        self._unreachable.recovered(service_name)
        self._refused.recovered(service_name)
        return response

    async def _observed_call(
        self,
        service: ServiceSettings,
        verb: str,
        url: URL,
        request: dict[str, Any],
        *,
        streaming_callback: Callable[[bytes], Any] | None,
    ) -> ServiceResponse:
        """`_call`, timed and classified for `call_observer` when one is set."""
        observer = self.call_observer
        if observer is None:
            return await self._call(service, verb, url, request, streaming_callback)
        started = time.perf_counter()
        error: str | None = None
        try:
            return await self._call(service, verb, url, request, streaming_callback)
        except ServiceTimeoutError:
            error = "timeout"
            raise
        except ServiceConnectionError:
            error = "connection"
            raise
        except (ServiceResponseTooLargeError, ServiceRedirectError):
            error = "refused"
            raise
        finally:
            observer(service.name, time.perf_counter() - started, error)

    async def _call(
        self,
        service: ServiceSettings,
        verb: str,
        url: URL,
        request: dict[str, Any],
        streaming_callback: Callable[[bytes], Any] | None,
    ) -> ServiceResponse:
        session = self._sessions.get()
        try:
            async with await self._send(session, service, verb, url, request) as response:
                if streaming_callback is None:
                    content = await _read_limited(service, response)
                else:
                    content = b""
                    async for chunk in response.content.iter_chunked(CHUNK_SIZE):
                        result = streaming_callback(chunk)
                        if inspect.isawaitable(result):
                            await result
                return ServiceResponse(
                    status_code=response.status,
                    url=str(response.url),
                    reason=response.reason or "",
                    headers=CIMultiDict(response.headers),
                    cookies={name: morsel.value for name, morsel in response.cookies.items()},
                    content=content,
                )
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            seconds = request["timeout"].total
            raise ServiceTimeoutError(
                mask_url(str(url)), f"no response within {seconds:g} s"
            ) from exc
        except aiohttp.ClientError as exc:
            raise ServiceConnectionError(
                mask_url(str(url)), str(exc) or type(exc).__name__
            ) from exc

    async def _send(
        self,
        session: aiohttp.ClientSession,
        service: ServiceSettings,
        verb: str,
        url: URL,
        request: dict[str, Any],
    ) -> aiohttp.ClientResponse:
        """The response of the request, redirects followed as the service's `redirects` allows
        (`same_origin`: only to the scheme, host and port of the service's URL)."""
        follow = bool(request.pop("allow_redirects", True)) and service.redirects != "none"
        if service.redirects == "any" or not follow:
            return await session.request(verb.upper(), url, allow_redirects=follow, **request)
        origin = url.origin()
        for _ in range(MAX_REDIRECTS + 1):
            response = await session.request(verb.upper(), url, allow_redirects=False, **request)
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or location is None:
                return response
            response.release()
            target = response.url.join(URL(location))
            if target.origin() != origin:
                raise ServiceRedirectError(
                    service.name,
                    mask_url(str(url)),
                    mask_url(str(target)),
                    f"it leaves {origin} (set redirects: any for this service to follow it)",
                )
            url = target
            request.pop("params", None)  # the Location carries its own query
            if response.status == 303 or (response.status in (301, 302) and verb == "post"):
                verb = "head" if verb == "head" else "get"
                request.pop("data", None)
                request.pop("json", None)
        raise ServiceRedirectError(
            service.name, mask_url(str(url)), mask_url(str(url)), f"more than {MAX_REDIRECTS}"
        )

    def _request(
        self, service: ServiceSettings, verb: str, kwargs: dict[str, Any]
    ) -> tuple[URL, dict[str, Any]]:
        """The URL and aiohttp keywords of one call, arguments checked against the config."""
        options = {k: v for k, v in kwargs.items() if k in REQUEST_OPTIONS}
        arguments = {k: v for k, v in kwargs.items() if k not in REQUEST_OPTIONS}
        allowed = service.methods[verb]
        if allowed is not None:
            unexpected = sorted(set(arguments) - set(allowed))
            if unexpected:
                raise ServiceArgumentError(service.name, verb, unexpected, list(allowed))
        url = _route_url(service, str(options.pop("route_input", "") or ""))
        timeout = options.pop("timeout", None) or service.timeout
        request: dict[str, Any] = {"timeout": aiohttp.ClientTimeout(total=timeout), **options}
        if arguments:
            if verb in QUERY_METHODS:
                request["params"] = _pairs({**(options.get("params") or {}), **arguments})
            elif "json" in options or "data" in options:
                raise ServiceError(
                    f"service {service.name!r} method {verb!r}: send the body either as "
                    "keyword arguments (form) or as json=/data=, not both"
                )
            else:
                request["data"] = _pairs(arguments)
        request_id = current_request_id()
        if request_id is not None:
            headers = CIMultiDict(request.get("headers") or {})
            headers.setdefault(REQUEST_ID_HEADER, request_id)
            request["headers"] = headers
        return url, request

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Close every loop's session, then stop the private loop thread."""
        self._disposed = True
        await self._sessions.close_all()
        await asyncio.to_thread(self._loop_thread.stop)


def _route_url(service: ServiceSettings, route_input: str) -> URL:
    """The service's URL with `route_input` appended, each segment percent-encoded so that
    `?`, `#` and `%` stay in the path; a `..` or `.` segment is refused (it would climb out)."""
    base = URL(service.url)
    if not route_input:
        return base
    segments = route_input.strip("/").split("/")
    if any(segment in ("..", ".") for segment in segments):
        raise ServiceRouteError(service.name, route_input)
    encoded = "/".join(quote(segment, safe="") for segment in segments)
    return base.with_path(base.raw_path.rstrip("/") + "/" + encoded, encoded=True).with_query(
        base.raw_query_string
    )


async def _read_limited(service: ServiceSettings, response: aiohttp.ClientResponse) -> bytes:
    """The body, refused as soon as it passes `max_response_size` (by Content-Length or while
    reading): a large upstream body never sits in memory whole."""
    limit = service.max_response_size
    length = response.content_length
    if length is not None and length > limit:
        raise ServiceResponseTooLargeError(service.name, mask_url(str(response.url)), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            raise ServiceResponseTooLargeError(service.name, mask_url(str(response.url)), limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _pairs(arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Arguments as (name, value) pairs, a list value giving the name once per item."""
    pairs = []
    for name, value in arguments.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            pairs.append((name, _text(name, item)))
    return pairs


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ServiceError(
        f"argument {name!r}: cannot send a {type(value).__name__} (str, int, float, bool)"
    )


async def _in_context(context: contextvars.Context, call: Awaitable[T]) -> T:
    """Await `call` on the services loop in the calling thread's context: its request's log
    fields and its trace span."""
    for variable, value in context.items():
        variable.set(value)
    return await call
