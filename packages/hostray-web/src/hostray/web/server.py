"""`HostrayServer`: serve a project over HTTP(S) and stop it gracefully.

Start: components (Default → Optional → project), the Tornado application, an `HTTPServer` on
`address:port` (TLS when `ssl` is set), and the metrics listener when `component.metrics.port` is
set (metrics_listener.py). Stop (SIGINT/SIGTERM or `stop()`): the `server_ready` route answers 503
at once and the server keeps serving for `ready_grace` seconds; then it stops accepting, lets
in-flight requests finish up to `shutdown_timeout`, closes websockets with 1001 and the metrics
listener, and disposes the components in reverse order. A second signal during the stop exits at
once. With a `tracing:` block the server starts its `TracingSession` before its components (so
their HTTP sessions and engines are instrumented) and flushes it last.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
import ssl
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tornado.netutil import bind_sockets

from hostray.config import ConfigError, location_of

from ._connections import DrainingHTTPServer
from .application import HostrayApplication, build_application, build_components
from .component import ComponentManager, DefaultComponentTypes, OptionalComponentTypes
from .config_validator import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_IDLE_CONNECTION_TIMEOUT,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_CONNECTIONS,
)
from .messages import message
from .metrics_listener import MetricsListener, bind_metrics_sockets
from .project import Project, load_project, project_from_config

if TYPE_CHECKING:
    from .tracing.session import TracingSession

__all__ = ["WEBSOCKET_GOING_AWAY", "HostrayServer", "listen_sockets"]

WEBSOCKET_GOING_AWAY = 1001
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

SERVER_LOGGER = "hostray.web.server"


class HostrayServer:
    """A project's server; `port`, `address` and `debug` override the config's values.

    `metrics_sockets` are the metrics listener's, bound before a fork (`bind_metrics_sockets`);
    without them `start` binds `component.metrics.port` itself when it is set.
    """

    def __init__(
        self,
        project: str | os.PathLike[str] | Project | Mapping[str, Any],
        *,
        port: int | None = None,
        address: str | None = None,
        debug: bool | None = None,
        metrics_sockets: Sequence[socket.socket] | None = None,
    ) -> None:
        if isinstance(project, Project):
            self.project = project
        elif isinstance(project, Mapping):
            self.project = project_from_config(project, os.getcwd(), debug=bool(debug))
        else:
            self.project = load_project(project, debug=bool(debug))
        config = self.project.config
        self._port: int = config["port"] if port is None else port
        self.address: str = config["address"] if address is None else address
        self.debug: bool = config["debug"] if debug is None else debug
        self.shutdown_timeout: float = float(config["shutdown_timeout"])
        self.ready_grace: float = float(config.get("ready_grace") or 0.0)
        self.port: int | None = None
        self.app: HostrayApplication | None = None
        self.component_manager: ComponentManager | None = None
        self._http: DrainingHTTPServer | None = None
        self._metrics_sockets = metrics_sockets
        self._metrics: MetricsListener | None = None
        self._stop_requested: asyncio.Event | None = None
        self._stopping: asyncio.Task[None] | None = None
        self.tracing: TracingSession | None = None
        """The server's spans, from `start` on, when the project configures `tracing:`."""

    async def start(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Build components and application, then listen (on `sockets` if given: after a fork)."""
        ssl_context = _ssl_context(self.project)
        self._stop_requested = asyncio.Event()
        if self.project.tracing is not None:
            from .tracing.session import TracingSession

            self.tracing = TracingSession(self.project.tracing)
        try:
            self.component_manager = await build_components(self.project, debug=self.debug)
        except BaseException:
            await self._close_tracing()
            raise
        self._apply_debug(self.component_manager)
        bound_here: list[socket.socket] = []
        try:
            self.app = build_application(self.project, self.component_manager, debug=self.debug)
            if sockets is None:
                sockets = bound_here = listen_sockets(self.project, self._port, self.address)
            metrics_sockets = self._metrics_sockets
            if metrics_sockets is None:
                metrics_sockets = bind_metrics_sockets(self.project, sockets[0].getsockname()[1])
        except ConfigError:
            for sock in bound_here:
                sock.close()
            await self.component_manager.dispose_async()
            await self._close_tracing()
            raise
        self._http = DrainingHTTPServer(
            self.app,
            ssl_options=ssl_context,
            **_connection_limits(self.project.config),
        )
        metrics = self.component_manager.get_component(OptionalComponentTypes.Metrics)
        if metrics is not None:
            metrics.observe(self.app, self._http)
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self._log(logging.INFO, 100, self.project.name, f"{self.address or '*'}:{self.port}")
        if metrics_sockets:
            self._metrics = MetricsListener(self.component_manager, self.project)
            self._metrics.start(metrics_sockets)
            self._log(logging.INFO, 111, self.project.name, self.metrics_url)

    @property
    def metrics_url(self) -> str | None:
        """`http://address:port/metrics` of the metrics listener once it listens, else None."""
        return None if self._metrics is None else self._metrics.url

    @property
    def url(self) -> str:
        """The server's base URL once it listens (`localhost` when bound to every interface)."""
        host = self.address or "localhost"
        host = f"[{host}]" if ":" in host else host
        scheme = "https" if self.project.config.get("ssl") else "http"
        return f"{scheme}://{host}:{self.port}"

    def _apply_debug(self, manager: ComponentManager) -> None:
        """Default loggers echo and log everything in debug mode, errors only otherwise."""
        logger = manager.get_component(DefaultComponentTypes.Logger)
        if logger is not None:
            logger.set_debug(self.debug)

    def _log(self, level: int, code: int, *args: Any) -> None:
        """Log hostray's message `code` in the server's language, to stdout and the log dir."""
        manager = self.component_manager
        loggers = manager.get_component(DefaultComponentTypes.Logger) if manager else None
        logger = loggers.get_logger(SERVER_LOGGER, echo=True) if loggers else None
        (logger or logging.getLogger(SERVER_LOGGER)).log(level, message(manager, code, *args))

    def request_stop(self) -> None:
        """Ask `serve_forever` to stop gracefully (what SIGINT/SIGTERM do)."""
        if self._stop_requested is not None:
            self._stop_requested.set()

    async def stop(self) -> None:
        """Stop gracefully; calling it again waits for the same stop."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        self.request_stop()
        self._log(logging.INFO, 101, self.project.name)
        if self.app is not None:
            self.app.stopping = True
        if self.ready_grace > 0 and self._http is not None:
            # server_ready answers 503 while the listener stays open, so a load balancer stops
            # sending new requests before the socket closes.
            self._log(logging.INFO, 110, self.ready_grace)
            await asyncio.sleep(self.ready_grace)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.shutdown_timeout
        if self._http is not None:
            unfinished = await self._http.drain(self.shutdown_timeout)
            if unfinished:
                self._log(logging.WARNING, 103, unfinished, self.shutdown_timeout)
        if self.app is not None:
            await self._close_websockets(self.app, max(deadline - loop.time(), 0.0))
        if self._metrics is not None:
            await self._metrics.stop(max(deadline - loop.time(), 0.0))
        if self.component_manager is not None:
            self.component_manager.shutdown_timeout = max(deadline - loop.time(), 0.0)
            await self.component_manager.dispose_async()
        await self._close_tracing(deadline - loop.time())
        self._log(logging.INFO, 102, self.project.name)

    async def _close_tracing(self, seconds_left: float | None = None) -> None:
        """Export the spans still queued, within what is left of `shutdown_timeout` (or the
        session's minimum), and shut the tracing session down (if there is one)."""
        if self.tracing is not None:
            await self.tracing.close(seconds_left)

    async def _close_websockets(self, app: HostrayApplication, timeout: float) -> None:
        if not app.open_websockets:
            return
        for handler in list(app.open_websockets):
            handler.close(WEBSOCKET_GOING_AWAY, "server shutting down")
        try:
            await asyncio.wait_for(app.open_websockets.wait_empty(), timeout)
        except asyncio.TimeoutError:
            if app.open_websockets:
                self._log(logging.WARNING, 104, len(app.open_websockets))

    async def serve_forever(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Start, serve until SIGINT/SIGTERM (or `request_stop()`), then stop gracefully."""
        await self.start(sockets)
        assert self._stop_requested is not None
        loop = asyncio.get_running_loop()
        installed: list[signal.Signals] = []
        for signum in _STOP_SIGNALS:
            try:
                loop.add_signal_handler(signum, self._on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread, or no signal support: request_stop() still works
            installed.append(signum)
        try:
            await self._stop_requested.wait()
            await self.stop()
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    def _on_signal(self, signum: signal.Signals) -> None:
        if self._stop_requested is not None and self._stop_requested.is_set():
            self._log(logging.WARNING, 109, signum.name)
            os._exit(128 + signum.value)
        self._log(logging.INFO, 108, signum.name)
        self.request_stop()

    def run(self, sockets: Sequence[socket.socket] | None = None) -> int:
        """Serve until stopped, blocking; the process exit status (0 after a graceful stop)."""
        asyncio.run(self.serve_forever(sockets))
        return 0


def listen_sockets(
    project: Project,
    port: int | None = None,
    address: str | None = None,
    *,
    port_source: str | None = None,
    address_source: str | None = None,
) -> list[socket.socket]:
    """Bind the sockets the project listens on (`port`/`address` override the config's).

    A failure is one `ConfigError` line naming what chose the culprit: for an address problem
    `address_source` (the CLI passes `--address A`) or else the config file's `address` key, for
    any other `port_source` (`--port N`) or the `port` key; then where and the system's reason.
    """
    listen_port: int = project.config["port"] if port is None else port
    listen_address: str = project.config["address"] if address is None else address
    try:
        return bind_sockets(listen_port, listen_address or None)
    except (OSError, OverflowError, ValueError) as exc:
        config = project.config_file or project.root_dir
        if _is_address_problem(exc):
            source = address_source or f"{config}: address"
        else:
            source = port_source or f"{config}: port"
        where = f"{listen_address or '*'}:{listen_port}"
        raise ConfigError(f"{source}: cannot listen on {where}: {_reason(exc)}") from exc


def _is_address_problem(exc: BaseException) -> bool:
    """Whether a bind failed for its address (unknown name, not an address of this host)."""
    return isinstance(exc, socket.gaierror) or getattr(exc, "errno", None) == errno.EADDRNOTAVAIL


def _connection_limits(config: Mapping[str, Any]) -> dict[str, Any]:
    """The `HTTPServer` arguments of the config's limits (defaults for a hand-made config)."""
    return {
        "max_body_size": config.get("max_body_size", DEFAULT_MAX_BODY_SIZE),
        "idle_connection_timeout": config.get(
            "idle_connection_timeout", DEFAULT_IDLE_CONNECTION_TIMEOUT
        ),
        "body_timeout": config.get("body_timeout", DEFAULT_BODY_TIMEOUT),
        "max_connections": config.get("max_connections", DEFAULT_MAX_CONNECTIONS),
    }


def _ssl_context(project: Project) -> ssl.SSLContext | None:
    """The server's TLS context from `ssl` (crt + key, and `ca` to require client certificates)."""
    settings = project.config.get("ssl")
    if not settings:
        return None
    where = project.config_file or project.root_dir
    missing = [
        f"{location_of(settings, key) or where}: ssl.{key}: no such file: {settings[key]}"
        for key in ("crt", "key", "ca")
        if settings.get(key) and not os.path.isfile(settings[key])
    ]
    if missing:
        raise ConfigError(*missing)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(settings["crt"], settings["key"])
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"{where}: ssl.crt/ssl.key: cannot load {settings['crt']} with {settings['key']}: "
            f"{_reason(exc)}"
        ) from exc
    if settings.get("ca"):
        try:
            context.load_verify_locations(cafile=settings["ca"])
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"{where}: ssl.ca: cannot load {settings['ca']}: {_reason(exc)}"
            ) from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc)
