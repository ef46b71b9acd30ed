"""What a traced server records, patched in once per process with OpenTelemetry's own
instrumentation libraries, all holding the `switch.SWITCH` provider:

- Tornado: a SERVER span per request, named `METHOD route` (`GET /notes`), continuing the trace
  of an incoming `traceparent` (OTEL_PYTHON_TORNADO_EXCLUDED_URLS leaves routes out), with the
  route pattern as configured (`http.route`) and the request's id (`hostray.request_id`); and a
  CLIENT span per `AsyncHTTPClient.fetch` of the project's code.
- aiohttp: a CLIENT span per `services` call, its `traceparent` sent upstream.
- SQLAlchemy: a CLIENT span per statement of the engines `orm_db` makes, through hostray-orm's
  `add_engine_hook`, for engines made while a traced server runs.
- JSON log lines: `trace_id` and `span_id` of the recording span they are written in, through
  hostray-config's `add_log_fields`.
"""

from __future__ import annotations

import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__ as sqlalchemy_version
from opentelemetry.instrumentation.tornado import TornadoInstrumentor
from opentelemetry.metrics import get_meter
from opentelemetry.trace import ProxyTracerProvider, format_span_id, format_trace_id

from hostray.config import LOG_CONTEXT, add_log_fields
from hostray.orm import add_engine_hook

from .switch import SWITCH

__all__ = [
    "REQUEST_ID_ATTRIBUTE",
    "SQLALCHEMY_SCOPE",
    "instrument",
    "tag_request_span",
    "trace_engine",
    "trace_log_fields",
]

REQUEST_ID_ATTRIBUTE = "hostray.request_id"
"""The span attribute holding the request's `X-Request-ID`, which its log lines carry too."""

SQLALCHEMY_SCOPE = "opentelemetry.instrumentation.sqlalchemy"
"""The instrumentation scope of the statement spans, as the SQLAlchemy instrumentor names it."""

_LOCK = threading.Lock()
_instrumented = False


def instrument() -> None:
    """Patch Tornado and aiohttp, hook `orm_db`'s engines and the JSON log lines, and make the
    switch the global provider (unless one was set); the second call does nothing."""
    global _instrumented
    with _LOCK:
        if _instrumented:
            return
        TornadoInstrumentor().instrument(  # type: ignore[no-untyped-call]
            tracer_provider=SWITCH, server_request_hook=tag_request_span
        )
        AioHttpClientInstrumentor().instrument(tracer_provider=SWITCH)
        add_engine_hook(trace_engine)
        add_log_fields(trace_log_fields)
        if isinstance(trace.get_tracer_provider(), ProxyTracerProvider):
            # the project's own `trace.get_tracer(...)` spans then join the server's traces
            trace.set_tracer_provider(SWITCH)
        _instrumented = True


def tag_request_span(span: trace.Span, handler: Any) -> None:
    """Put the request's route pattern and id (from its log context) on its SERVER span."""
    context = LOG_CONTEXT.get()
    if context is not None and span.is_recording():
        span.set_attribute("http.route", context["route"])
        span.set_attribute(REQUEST_ID_ATTRIBUTE, context["request_id"])


def trace_engine(engine: Any) -> None:
    """Record the statements of a new `orm_db` engine while a traced server runs."""
    if SWITCH.active is None:
        return
    tracer = SWITCH.get_tracer(SQLALCHEMY_SCOPE, sqlalchemy_version)
    usage = get_meter(SQLALCHEMY_SCOPE, sqlalchemy_version).create_up_down_counter(
        "db.client.connections.usage",
        unit="connections",
        description="Connections of the pool, by state (idle or used).",
    )
    EngineTracer(tracer, engine, usage)  # type: ignore[no-untyped-call]


def trace_log_fields() -> dict[str, str] | None:
    """`trace_id` (32 hex digits) and `span_id` (16) of the recording span here, if any."""
    span = trace.get_current_span()
    if not span.is_recording():
        return None
    context = span.get_span_context()
    return {
        "trace_id": format_trace_id(context.trace_id),
        "span_id": format_span_id(context.span_id),
    }
