"""The one `TracerProvider` the instrumentation is given: it starts spans with the provider of
the traced server running in this process, and no-op spans while none is.

OpenTelemetry's instrumentors patch Tornado, aiohttp and SQLAlchemy once per process and keep
the tracer they were given; the global provider can be set only once. Tests and `hostray
start --debug` reloads start many servers in one process, each with its own provider (its own
exporter, sampler and service name), so the patches hold this switch instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry.context import Context
from opentelemetry.trace import Link, NoOpTracer, Span, SpanKind, Tracer, TracerProvider
from opentelemetry.util.types import Attributes

__all__ = ["SWITCH", "SwitchingTracerProvider"]

_Scope = tuple[str, str | None, str | None, Attributes]


class SwitchingTracerProvider(TracerProvider):
    """Hands out tracers that follow `active`: the provider of the running traced server."""

    def __init__(self) -> None:
        self.active: TracerProvider | None = None
        self._lock = threading.Lock()

    def activate(self, provider: TracerProvider) -> None:
        """Start spans with `provider` from now on (the last traced server started wins)."""
        with self._lock:
            self.active = provider

    def deactivate(self, provider: TracerProvider) -> None:
        """Stop using `provider`, unless another server's provider replaced it already."""
        with self._lock:
            if self.active is provider:
                self.active = None

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: Attributes = None,
    ) -> Tracer:
        """A tracer of this scope that starts its spans with the active provider's tracer."""
        scope = (instrumenting_module_name, instrumenting_library_version, schema_url, attributes)
        return _SwitchingTracer(self, scope)


class _SwitchingTracer(Tracer):
    """Delegates to the active provider's tracer of the same scope, made once per provider."""

    def __init__(self, switch: SwitchingTracerProvider, scope: _Scope) -> None:
        self._switch = switch
        self._scope = scope
        self._made: tuple[TracerProvider | None, Tracer] = (None, NoOpTracer())

    def _tracer(self) -> Tracer:
        provider = self._switch.active
        made_for, tracer = self._made
        if provider is not made_for:
            tracer = NoOpTracer() if provider is None else provider.get_tracer(*self._scope)
            self._made = (provider, tracer)
        return tracer

    def start_span(  # noqa: PLR0913, PLR0917 -- OpenTelemetry's Tracer.start_span
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> Span:
        """A span of the active provider (a non-recording one when no server traces)."""
        return self._tracer().start_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
        )

    # OpenTelemetry's own decorator (`_agnosticcontextmanager`) is private: contextmanager's
    # object does the same, but mypy sees another type.
    @contextmanager
    def start_as_current_span(  # type: ignore[override]  # noqa: PLR0913, PLR0917
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[Span]:
        """`start_span`, made the current span while the block runs."""
        with self._tracer().start_as_current_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
            end_on_exit,
        ) as span:
            yield span


SWITCH = SwitchingTracerProvider()
"""The process's switch: what the instrumentation and the global provider are set to."""
