"""`metrics`: Prometheus metrics of the server, served by the `metrics` controller.

Requests are counted once each, when Tornado logs them (`HostrayApplication.log_request`): one
dict lookup and two uncontended per-value locks of prometheus-client, on the event loop thread,
never held across an await, so requests are never serialised. Everything else is read from the
components at scrape time (`collectors.py`).

Under `hostray start --processes N` the CLI points `PROMETHEUS_MULTIPROC_DIR` at a fresh
directory before forking (`processes.py`); request counters and histograms are then
summed over every child by prometheus-client's multiprocess collector, and the gauges read at
scrape time carry the `pid` of the process that answered.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, values
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from tornado.web import RequestHandler

from hostray.config import LOG_CONTEXT

from ....route_patterns import UNMATCHED_ROUTE
from ... import Component, ComponentManager, DefaultComponentTypes, OptionalComponentTypes
from ..settings import MetricsSettings
from .collectors import ComponentsCollector, ServerCollector

__all__ = ["MULTIPROC_ENV", "UNMATCHED_ROUTE", "MetricsComponent"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

_LABELS = ("route", "method", "status")


def _use_multiprocess_values() -> None:
    """Make prometheus-client keep values in the shared directory even when it was imported
    before the CLI set `PROMETHEUS_MULTIPROC_DIR` (the project is loaded before the fork)."""
    if values.ValueClass is values.MutexValue:
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


class MetricsComponent(Component):
    """Holds the registry `/metrics` serves and records every finished request."""

    settings: MetricsSettings
    registry: CollectorRegistry

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Validate the block (`MetricsSettings`) and build the registry and its collectors."""
        self.settings = MetricsSettings.from_config(config)
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.registry = CollectorRegistry()
        own = None if self.multiprocess else self.registry
        if self.multiprocess:
            _use_multiprocess_values()
            MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        else:
            ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "hostray_http_requests", "Requests answered.", _LABELS, registry=own
        )
        self.latency = Histogram(
            "hostray_http_request_duration_seconds",
            "Time from the request's start to its answer.",
            _LABELS,
            registry=own,
        )
        self.pool_calls = Histogram(
            "hostray_worker_pool_call_duration_seconds",
            "Time of a worker_pool run_method_async call, waiting for a worker included.",
            ("pool",),
            registry=own,
        )
        self.service_calls = Histogram(
            "hostray_service_request_duration_seconds",
            "Time of a services call, until its body was read.",
            ("service",),
            registry=own,
        )
        self.service_errors = Counter(
            "hostray_service_errors",
            "services calls that got no answer, by error: timeout or connection.",
            ("service", "error"),
            registry=own,
        )
        self._server = ServerCollector(lambda: 0, lambda: 0)
        self._server.pid_label = self.multiprocess
        self.registry.register(self._server)
        self.registry.register(ComponentsCollector(component_manager, self.multiprocess))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, app: Any, http_server: Any) -> None:
        """Start recording `app`'s requests; read in-flight requests from `http_server`."""
        self._server.in_flight = lambda: int(http_server.in_flight)
        self._server.websockets = lambda: len(app.open_websockets)
        app.request_observer = self.record
        self._attach(app.component_manager)

    def record(self, handler: RequestHandler) -> None:
        """Count a finished request and observe its duration (its route from the log context)."""
        request = handler.request
        context = LOG_CONTEXT.get()
        route = UNMATCHED_ROUTE if context is None else context["route"]
        key = (route, request.method or "", handler.get_status())
        children = self._children.get(key)
        if children is None:
            labels = (route, key[1], str(key[2]))
            children = (self.requests.labels(*labels), self.latency.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(request.request_time())

    def _attach(self, manager: ComponentManager) -> None:
        """Observe the calls of the worker pools and services components."""
        pools = manager.get_component(DefaultComponentTypes.WorkerPool)
        if pools is not None:
            pools.call_observer = self._pool_call
        services = manager.get_component(OptionalComponentTypes.Service)
        if services is not None:
            services.call_observer = self._service_call

    def _pool_call(self, pool_id: str, seconds: float) -> None:
        self.pool_calls.labels(pool_id).observe(seconds)

    def _service_call(self, service: str, seconds: float, error: str | None) -> None:
        self.service_calls.labels(service).observe(seconds)
        if error is not None:
            self.service_errors.labels(service, error).inc()

    def exposition(self) -> bytes:
        """The Prometheus text format of everything the registry collects."""
        return generate_latest(self.registry)

    def info(self) -> dict[str, Any]:
        """Whether the series are aggregated over processes, whether a token guards them and
        the metrics listener's `address:port` (None: `/metrics` only where a route serves it)."""
        settings = self.settings
        listener = None if settings.port is None else f"{settings.address}:{settings.port}"
        details = {
            "multiprocess": self.multiprocess,
            "protected": settings.token is not None,
            "listener": listener,
        }
        return {**super().info(), "info": details}
