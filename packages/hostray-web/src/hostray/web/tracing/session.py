"""`TracingSession`: one traced server's TracerProvider, from its start to its graceful stop.

Made in `HostrayServer.start`, so under `hostray start --processes N` each child makes its own
after the fork (the BatchSpanProcessor's export thread is the child's); nothing is made in the
parent. `close` flushes what is still queued and shuts the exporter down, so the spans of the
last requests before SIGTERM are sent; a collector that does not take them in time does not hold
the stop up: they are dropped with a warning.
"""

from __future__ import annotations

import asyncio
import logging
import os

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import PROCESS_PID, SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from hostray.config import mask_url

from .instrumentation import instrument
from .settings import TracingSettings
from .switch import SWITCH

__all__ = ["MIN_FLUSH_TIMEOUT", "TracingSession"]

MIN_FLUSH_TIMEOUT = 1.0
"""Seconds the queued spans get at least, even when the stop used up its `shutdown_timeout`."""

logger = logging.getLogger("hostray.web.tracing")


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
        self.exporter = OTLPSpanExporter(endpoint=settings.endpoint)
        self.processor = BatchSpanProcessor(self.exporter)
        self.provider.add_span_processor(self.processor)
        self._closed = False
        instrument()
        SWITCH.activate(self.provider)

    async def close(self, timeout: float | None = None) -> None:
        """Stop making spans with this provider, export what is queued and shut the exporter
        down; a second call does nothing. After `timeout` seconds (at least
        `MIN_FLUSH_TIMEOUT`) the export is given up: only the request already sent may still
        take up to the exporter's own timeout (OTEL_EXPORTER_OTLP_TIMEOUT, 10 s)."""
        if self._closed:
            return
        self._closed = True
        SWITCH.deactivate(self.provider)
        flush = asyncio.ensure_future(asyncio.to_thread(self.processor.force_flush))
        done, _ = await asyncio.wait({flush}, timeout=max(timeout or 0.0, MIN_FLUSH_TIMEOUT))
        if not done:
            logger.warning(
                "tracing: %s did not take the queued spans in time; they are dropped",
                mask_url(self.settings.endpoint),
            )
            await asyncio.to_thread(self.exporter.shutdown)  # ends the export's retries
        await flush
        await asyncio.to_thread(self.provider.shutdown)
