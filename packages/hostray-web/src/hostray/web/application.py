"""Turning a loaded `Project` into running parts: its components and its Tornado `Application`."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from tornado.httputil import HTTPServerRequest
from tornado.log import access_log, app_log
from tornado.routing import URLSpec
from tornado.web import (
    Application,
    ErrorHandler,
    RequestHandler,
    _HandlerDelegate,
    stream_request_body,
)

from hostray.config import LOG_CONTEXT, mask_secrets

from ._body_limit import LimitedHandlerDelegate
from ._reserved import declaring_into
from .component import ComponentManager
from .config_validator import DEFAULT_MAX_BODY_SIZE
from .errors import ProjectError
from .project import Project
from .request_context import ResponseHeadersTransform, request_id_of
from .route_patterns import RoutePatterns
from .tracebacks import code_frames

__all__ = ["HostrayApplication", "OpenWebSockets", "build_application", "build_components"]


class OpenWebSockets(set[Any]):
    """The open `WebSocketController`s; `wait_empty()` blocks until the last one has closed."""

    def __init__(self) -> None:
        super().__init__()
        self._empty = asyncio.Event()
        self._empty.set()

    def add(self, handler: Any) -> None:
        """Track a websocket that opened."""
        super().add(handler)
        self._empty.clear()

    def discard(self, handler: Any) -> None:
        """Forget a websocket that closed."""
        super().discard(handler)
        if not self:
            self._empty.set()

    def remove(self, handler: Any) -> None:
        """Forget a websocket that closed; KeyError if it was not tracked."""
        super().remove(handler)
        if not self:
            self._empty.set()

    async def wait_empty(self) -> None:
        """Return once no websocket is open."""
        await self._empty.wait()


class HostrayApplication(Application):
    """Tornado `Application` that carries the server's `component_manager` and open websockets.

    A request body past `max_body_size` bytes is answered 413 on every route that does not stream
    its body (404 and 405 included); a streaming route keeps its own limit.
    """

    def __init__(
        self,
        handlers: list[URLSpec],
        component_manager: ComponentManager,
        *,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        **settings: Any,
    ) -> None:
        super().__init__(handlers, **settings)
        self.add_transform(ResponseHeadersTransform)
        self.route_patterns = RoutePatterns(self.wildcard_router.rules)
        self.component_manager = component_manager
        self.open_websockets = OpenWebSockets()
        # Set when a graceful stop begins: the server_ready route answers 503 from then on.
        self.stopping = False
        self.max_body_size = max_body_size
        self._log_function: Callable[[RequestHandler], None] | None = self.settings.get(
            "log_function"
        )
        self.request_observer: Callable[[RequestHandler], None] | None = None
        """Called with every finished request after it is logged (the `metrics` component)."""

    def log_request(self, handler: RequestHandler) -> None:
        """Log the finished request as Tornado does (its status and duration also in the
        request's log context), then hand it to `request_observer`.

        Unlike Tornado, the access line is formatted only when `tornado.access` logs at its
        level: without `debug`, a 2xx request costs no formatting.
        """
        status = handler.get_status()
        request = handler.request
        duration_ms = 1000.0 * request.request_time()
        context = LOG_CONTEXT.get()
        if context is not None:
            context["status"] = status
            context["duration_ms"] = round(duration_ms, 3)
        log_function = self._log_function
        if log_function is not None:
            log_function(handler)
        else:
            level = logging.INFO if status < 400 else _error_level(status)
            if access_log.isEnabledFor(level):
                summary = f"{request.method} {request.uri} ({request.remote_ip})"
                access_log.log(level, "%d %s %.2fms", status, summary, duration_ms)
        if self.request_observer is not None:
            self.request_observer(handler)

    def get_handler_delegate(
        self,
        request: HTTPServerRequest,
        target_class: type[RequestHandler],
        target_kwargs: dict[str, Any] | None = None,
        path_args: list[bytes] | None = None,
        path_kwargs: dict[str, bytes] | None = None,
    ) -> _HandlerDelegate:
        """Tornado's delegate for the handler, with the server's body limit and a log context; a
        controller failing in `initialize()` answers 500."""
        delegate = _RequestDelegate(
            self, request, target_class, target_kwargs, path_args, path_kwargs
        )
        delegate.max_body_size = self.max_body_size
        return delegate

    def find_handler(self, request: HTTPServerRequest, **kwargs: Any) -> _HandlerDelegate:
        """Route the request; a path with a NUL byte (raw or `%00`) is a 400 for every handler."""
        path = request.path
        if "%00" in path or "\x00" in path:
            return self.get_handler_delegate(request, ErrorHandler, {"status_code": 400})
        return super().find_handler(request, **kwargs)


@stream_request_body
class _InitializeFailed(ErrorHandler):
    """The 500 of a controller whose `initialize()` raised; the body, if streamed, is dropped."""

    def set_default_headers(self) -> None:
        """The connection ends after the answer: the rest of a streamed body is never read."""
        self.set_header("Connection", "close")

    def data_received(self, chunk: bytes) -> None:
        """Ignore the body."""


class _RequestDelegate(LimitedHandlerDelegate):
    """Runs the handler in a context of its own holding the request's id and route; if making
    the handler fails (`initialize()` raised), logs the error with the project's frames and
    answers 500 instead of dropping the connection (Tornado's behaviour)."""

    application: HostrayApplication

    def execute(self) -> Any:
        """Tornado's `execute` with the request's log fields set: the handler's task copies the
        context when Tornado makes it, and the field is reset here once the task exists."""
        request = self.request
        route = self.application.route_patterns.route_of(self.handler_class, request)
        token = LOG_CONTEXT.set({"request_id": request_id_of(request), "route": route})
        try:
            return super().execute()
        except Exception as exc:
            if getattr(self, "handler", None) is not None:
                raise  # the handler exists: the failure is Tornado's own, not the controller's
            self._log_failed_initialize(exc)
            self.handler_class = _InitializeFailed
            self.handler_kwargs = {"status_code": 500}
            return super().execute()
        finally:
            LOG_CONTEXT.reset(token)

    def _log_failed_initialize(self, exc: Exception) -> None:
        settings = self.application.settings
        frames = code_frames(
            exc, settings.get("root_dir") or "", every_frame=bool(settings.get("serve_traceback"))
        )
        name = getattr(self.handler_class, "__name__", "controller")
        app_log.error(
            "\n".join(
                [
                    f"{self.request.method} {self.request.uri}: {name}.initialize() failed: "
                    f"{type(exc).__name__}: {exc}",
                    *frames,
                ]
            )
        )


def _error_level(status: int) -> int:
    """Tornado's access log levels of a failed request: WARNING below 500, else ERROR."""
    return logging.WARNING if status < 500 else logging.ERROR


async def build_components(project: Project, *, debug: bool = False) -> ComponentManager:
    """Create and `init` the project's components in order (Default → Optional → project).

    A failing `init` disposes the components already built and raises `ProjectError` naming the
    component key and the project, with the project's frames of the traceback (`debug`: all).
    """
    manager = ComponentManager()
    manager.root_dir = project.root_dir
    manager.shutdown_timeout = float(project.config["shutdown_timeout"])
    with declaring_into(project.declarative_bases):
        await _init_components(project, manager, debug)
    return manager


async def _init_components(project: Project, manager: ComponentManager, debug: bool) -> None:
    for spec in project.components:
        component = spec.component_class(spec.component_type)
        try:
            extra = {"root_dir": project.root_dir} if _accepts(component.init, "root_dir") else {}
            result = component.init(manager, **spec.config, **extra)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            await manager.dispose_async()
            raise ProjectError(
                f"{project.config_file or project.root_dir}: component.{spec.component_type.key}: "
                f"init failed: {type(exc).__name__}: {mask_secrets(str(exc))} "
                f"(project {project.name!r})",
                *code_frames(exc, project.root_dir, every_frame=debug),
            ) from exc
        manager.set_component(component)


def _accepts(func: Any, name: str) -> bool:
    """Whether `func` takes keyword `name` (by name or through `**kwargs`)."""
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind is inspect.Parameter.VAR_KEYWORD
        or (p.name == name and p.kind is not inspect.Parameter.POSITIONAL_ONLY)
        for p in parameters
    )


def build_application(
    project: Project, component_manager: ComponentManager, *, debug: bool
) -> HostrayApplication:
    """The Tornado application of the project's routes and settings.

    `debug` shows tracebacks on 500 pages; Tornado's own `debug` (autoreload) stays off. A
    handler class with a classmethod `on_server_start(params)` gets each of its routes' params
    first (the upload controller sweeps what a killed run left in its `upload_dir`).
    """
    settings: dict[str, Any] = {
        "serve_traceback": debug,
        "root_dir": project.root_dir,
        "name": project.name,
    }
    settings.update(project.config.get("settings") or {})
    if project.tracing is not None:
        settings["tracing"] = project.tracing.info()  # shown by components_info, masked
    problems = []
    for route in project.routes:
        on_server_start = getattr(route.handler_class, "on_server_start", None)
        if callable(on_server_start):
            try:
                on_server_start(dict(route.params))
            except ValueError as exc:
                where = project.config_file or project.root_dir
                problems.append(f"{where}: controller.{route.pattern}.params.{exc}")
    if problems:
        raise ProjectError(*problems)
    handlers = [URLSpec(r.pattern, r.handler_class, dict(r.params)) for r in project.routes]
    max_body_size = int(project.config.get("max_body_size", DEFAULT_MAX_BODY_SIZE))
    return HostrayApplication(handlers, component_manager, max_body_size=max_body_size, **settings)
