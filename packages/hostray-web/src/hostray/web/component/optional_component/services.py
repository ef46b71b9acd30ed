"""`services`: call the web APIs named in the config through one pooled aiohttp session per loop.

`invoke_async` uses the session of the running loop; `invoke` (blocking, any thread) runs on a
private loop thread with its own session. Both are closed at dispose.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from multidict import CIMultiDict

from .. import Component, ComponentManager
from .errors import (
    MethodNotEnabledError,
    ServiceArgumentError,
    ServiceConnectionError,
    ServiceError,
    ServiceTimeoutError,
    UnknownServiceError,
)
from .loop_thread import LoopThread
from .per_loop import PerLoop
from .service_config import Service, join_url, normalize_method, parse_services
from .service_response import ServiceResponse
from .urls import mask_url

__all__ = ["ServiceResponse", "ServicesComponent"]

CHUNK_SIZE = 64 * 1024
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


class ServicesComponent(Component):
    """The seed's services client: `invoke(service_name, method, streaming_callback, **kwargs)`.

    GET, DELETE, HEAD and OPTIONS send the arguments as the query string; POST, PUT and PATCH as
    a form body, or pass `json=` for a JSON body. `headers=`, `cookies=`, `params=`, `data=`,
    `timeout=` (seconds) and `route_input=` (a path appended to the service URL) shape the
    request. Errors: `UnknownServiceError`, `MethodNotEnabledError`, `ServiceArgumentError`,
    and `ServiceConnectionError` (`ServiceTimeoutError`) carrying the URL.
    """

    services: dict[str, Service]

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **services: Any
    ) -> None:
        """Read the `services` block (base URL → route → settings)."""
        self.services = parse_services(services)
        self._sessions: PerLoop[aiohttp.ClientSession] = PerLoop(_new_session, _close_session)
        self._loop_thread = LoopThread("hostray-services")
        self._disposed = False
        self.call_observer: Callable[[str, float, str | None], None] | None = None
        """Called with (service name, seconds, None or the error: 'timeout' or 'connection')
        after each call (the `metrics` component's)."""

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
            raise RuntimeError("services: the component is disposed")
        return self._loop_thread.run(
            self.invoke_async(service_name, method, streaming_callback, **kwargs)
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
            raise RuntimeError("services: the component is disposed")
        service = self.services.get(service_name)
        if service is None:
            raise UnknownServiceError(service_name, list(self.services))
        verb = normalize_method(method)
        if verb not in service.methods:
            raise MethodNotEnabledError(service_name, verb, list(service.methods))
        observer = self.call_observer
        if observer is None:
            return await self._send(service, verb, streaming_callback, kwargs)
        started = time.perf_counter()
        error: str | None = None
        try:
            return await self._send(service, verb, streaming_callback, kwargs)
        except ServiceTimeoutError:
            error = "timeout"
            raise
        except ServiceConnectionError:
            error = "connection"
            raise
        finally:
            observer(service_name, time.perf_counter() - started, error)

    async def _send(
        self,
        service: Service,
        verb: str,
        streaming_callback: Callable[[bytes], Any] | None,
        kwargs: dict[str, Any],
    ) -> ServiceResponse:
        """One request of `service`; transport problems as the component's errors."""
        url, request = self._request(service, verb, kwargs)
        session = self._sessions.get()
        try:
            async with session.request(verb.upper(), url, **request) as response:
                if streaming_callback is None:
                    content = await response.read()
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
            raise ServiceTimeoutError(mask_url(url), f"no response within {seconds:g} s") from exc
        except aiohttp.ClientError as exc:
            raise ServiceConnectionError(mask_url(url), str(exc) or type(exc).__name__) from exc

    def _request(
        self, service: Service, verb: str, kwargs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """The URL and aiohttp keywords of one call, arguments checked against the config."""
        options = {k: v for k, v in kwargs.items() if k in REQUEST_OPTIONS}
        arguments = {k: v for k, v in kwargs.items() if k not in REQUEST_OPTIONS}
        allowed = service.methods[verb]
        if allowed is not None:
            unexpected = sorted(set(arguments) - set(allowed))
            if unexpected:
                raise ServiceArgumentError(service.name, verb, unexpected, list(allowed))
        url = join_url(service.url, str(options.pop("route_input", "") or ""))
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
        return url, request

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Close every loop's session, then stop the private loop thread."""
        self._disposed = True
        await self._sessions.close_all()
        await asyncio.to_thread(self._loop_thread.stop)


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
