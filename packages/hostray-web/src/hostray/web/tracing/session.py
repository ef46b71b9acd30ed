"""`TracingSession`: one traced server's TracerProvider, from its start to its graceful stop.

Made in `HostrayServer.start`, so under `hostray start --processes N` each child makes its own
after the fork (the BatchSpanProcessor's export thread is the child's); nothing is made in the
parent. `close` flushes what is still queued and shuts the exporter down, so the spans of the
last requests before SIGTERM are sent.
"""

from __future__ import annotations

import asyncio
import os

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import PROCESS_PID, SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from .instrumentation import instrument
from .settings import TracingSettings
from .switch import SWITCH

__all__ = ["FLUSH_TIMEOUT", "TracingSession"]

FLUSH_TIMEOUT = 10.0
"""Seconds a graceful stop waits at most for the queued spans to be exported."""


class TracingSession:
    """The provider a server's spans are made by: its resource (service name, and the pid that
    tells `--processes` children apart), its sampler, and a batch processor exporting to the
    OTLP/HTTP endpoint. Other OTEL_* settings (headers, timeout, compression,
    OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*) are read by the SDK itself."""

    def __init__(self, settings: TracingSettings) -> None:
        """Make the provider, patch the libraries in (once per process) and switch to it."""
        self.settings = settings
        self.provider = TracerProvider(
            sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
            resource=Resource.create(
                {SERVICE_NAME: settings.service_name, PROCESS_PID: os.getpid()}
            ),
        )
        self.provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.endpoint))
        )
        self._closed = False
        instrument()
        SWITCH.activate(self.provider)

    async def close(self, timeout: float = FLUSH_TIMEOUT) -> None:
        """Stop making spans with this provider, export what is queued (up to `timeout`
        seconds) and shut the exporter down; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        SWITCH.deactivate(self.provider)
        await asyncio.to_thread(self._flush_and_shut_down, timeout)

    def _flush_and_shut_down(self, timeout: float) -> None:
        """Blocking part of `close`, run on a thread: the export may take a round trip."""
        self.provider.force_flush(int(timeout * 1000))
        self.provider.shutdown()
