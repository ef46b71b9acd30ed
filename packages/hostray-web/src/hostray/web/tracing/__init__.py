"""OpenTelemetry traces of a hostray server: the top-level `tracing:` block (hostray-web[otel]).

`schema` and `settings` import only hostray.config, so a project loads without OpenTelemetry
unless it configures the block. The rest imports OpenTelemetry when a traced server starts:
`session` (the server's TracerProvider, batch processor and OTLP/HTTP exporter), `switch` (the
one provider the instrumentation is given, pointing at the running server's), `instrumentation`
(Tornado requests, the aiohttp client of `services`, the engines of `orm_db`, and the trace ids
on JSON log lines).
"""

from __future__ import annotations

from .schema import DEFAULT_SAMPLE_RATIO, OTEL_EXTRA, TracingValidator
from .settings import TracingSettings

__all__ = ["DEFAULT_SAMPLE_RATIO", "OTEL_EXTRA", "TracingSettings", "TracingValidator"]
