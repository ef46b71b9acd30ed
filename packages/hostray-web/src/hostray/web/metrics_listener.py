"""The metrics listener: `/metrics` on `component.metrics.port`, apart from the public port.

With `port` set in the `metrics` block, the server also listens on `address:port` (default
127.0.0.1, so it is not public) with a small HTTP server on the same event loop whose only route
is `/metrics` (the `metrics` controller: the token is still required when set). Its scrapes are
not counted in `hostray_http_requests_total`. `hostray start --processes N` binds its socket
before forking, as it does the public ones, so whichever child accepts a scrape answers it.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tornado.netutil import bind_sockets
from tornado.routing import URLSpec

from hostray.config import ConfigError, location_of

from ._connections import DrainingHTTPServer
from .application import HostrayApplication
from .component import ComponentManager
from .component.optional_component.settings import MetricsSettings
from .controller.metrics_controller import MetricsController

__all__ = [
    "METRICS_MAX_CONNECTIONS",
    "METRICS_PATH",
    "MetricsAddress",
    "MetricsListener",
    "bind_metrics_sockets",
    "metrics_address",
]

METRICS_PATH = "/metrics"
METRICS_MAX_CONNECTIONS = 64
"""Open connections the metrics listener keeps at most (scrapers are few)."""
_EVERY_INTERFACE = ("", "0.0.0.0", "::")
_MAX_BODY_SIZE = 0
"""A scrape is a `GET`: the metrics listener accepts no request body."""


@dataclass(frozen=True)
class MetricsAddress:
    """Where the metrics listener binds, and `file:line` of the `port` key that asked for it."""

    address: str
    port: int
    where: str

    @property
    def display(self) -> str:
        """`address:port` as a log line shows it (`*` for every interface)."""
        host = self.address or "*"
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"


def metrics_address(project: Any) -> MetricsAddress | None:
    """The metrics listener's address of a loaded project; None without `metrics.port`."""
    components = project.config.get("component")
    block = components.get("metrics") if isinstance(components, Mapping) else None
    if not isinstance(block, Mapping):
        return None
    settings = MetricsSettings.from_config(block)
    if settings.port is None:
        return None
    where = location_of(block, "port") or project.config_file or project.root_dir
    return MetricsAddress(settings.address, settings.port, where)


def bind_metrics_sockets(
    project: Any, server_port: int, *, port_source: str | None = None
) -> list[socket.socket] | None:
    """Bind the metrics listener's sockets (None without `metrics.port`).

    `server_port` is the port the server listens on; the same port is one `ConfigError` line
    (`port_source` names what chose the server's port, e.g. `--port 8080`), so is a failed bind.
    """
    target = metrics_address(project)
    if target is None:
        return None
    if target.port == server_port:
        chosen = f" ({port_source})" if port_source else ""
        raise ConfigError(
            f"{target.where}: component.metrics.port: {target.port} is the server's port too"
            f"{chosen}; the metrics listener needs a port of its own"
        )
    try:
        return bind_sockets(target.port, target.address or None)
    except (OSError, OverflowError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(
            f"{target.where}: component.metrics.port: cannot listen on {target.display}: {reason}"
        ) from exc


class MetricsListener:
    """The HTTP server of the metrics listener: one route, `/metrics`, on the server's loop."""

    def __init__(self, component_manager: ComponentManager, project: Any) -> None:
        app = HostrayApplication(
            [URLSpec(METRICS_PATH, MetricsController)],
            component_manager,
            max_body_size=_MAX_BODY_SIZE,
            serve_traceback=False,
            root_dir=project.root_dir,
            name=project.name,
        )
        self._http = DrainingHTTPServer(
            app, max_body_size=_MAX_BODY_SIZE, max_connections=METRICS_MAX_CONNECTIONS
        )
        self.address = ""
        self.port: int | None = None

    def start(self, sockets: Sequence[socket.socket]) -> None:
        """Serve on `sockets` (bound by `bind_metrics_sockets`)."""
        self._http.add_sockets(sockets)
        self.address, self.port = sockets[0].getsockname()[:2]

    @property
    def url(self) -> str | None:
        """`http://host:port/metrics` once listening (`localhost` for every interface)."""
        if self.port is None:
            return None
        host = "localhost" if self.address in _EVERY_INTERFACE else self.address
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{METRICS_PATH}"

    async def stop(self, timeout: float) -> None:
        """Stop accepting and close the connections, giving a scrape being answered `timeout`
        seconds to finish."""
        await self._http.drain(timeout)
