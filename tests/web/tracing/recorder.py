"""`Recorder`: an HTTP server on 127.0.0.1, port 0, that answers every request and keeps it.

It stands in for the upstream of a `services` call (to see the `traceparent` it is sent) and for
an OpenTelemetry collector (OTLP/HTTP: `POST /v1/traces`, a protobuf ExportTraceServiceRequest).
"""

from __future__ import annotations

import functools
import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

__all__ = ["ExportedSpan", "Recorded", "Recorder"]

TRACES_PATH = "/v1/traces"
WAIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Recorded:
    """One request the recorder answered."""

    method: str
    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes


@dataclass(frozen=True)
class ExportedSpan:
    """A span as an OTLP export carried it."""

    service_name: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]


class _Handler(BaseHTTPRequestHandler):
    """Records the request in its `Recorder` and answers 200."""

    def __init__(self, recorder: Recorder, *args: Any) -> None:
        self.recorder = recorder
        super().__init__(*args)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.recorder.add(Recorded(self.command, self.path, headers, body))
        otlp = self.path == TRACES_PATH
        answer = b"" if otlp else b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf" if otlp else "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read what was recorded."""


class Recorder:
    """A running recording server; `with Recorder() as r:` stops it at the end."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="recorder", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, recorded: Recorded) -> None:
        """Keep a request and wake the waiters."""
        with self._changed:
            self.requests.append(recorded)
            self._changed.notify_all()

    def wait_for(self, done: Callable[[list[Recorded]], bool]) -> list[Recorded]:
        """The requests once `done(requests)` holds (AssertionError after WAIT_TIMEOUT)."""
        with self._changed:
            if not self._changed.wait_for(lambda: done(self.requests), WAIT_TIMEOUT):
                raise AssertionError(f"recorder: still waiting, got {self.requests!r}")
            return list(self.requests)

    def spans(self) -> list[ExportedSpan]:
        """Every span of the OTLP exports received so far."""
        found: list[ExportedSpan] = []
        for recorded in list(self.requests):
            if recorded.path != TRACES_PATH:
                continue
            export = ExportTraceServiceRequest()
            export.ParseFromString(recorded.body)
            for resource_spans in export.resource_spans:
                resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    found.extend(
                        ExportedSpan(
                            service_name=resource.get("service.name", ""),
                            name=span.name,
                            kind=span.kind,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            attributes={a.key: _value(a.value) for a in span.attributes},
                        )
                        for span in scope_spans.spans
                    )
        return found

    def close(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(WAIT_TIMEOUT)

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _value(value: Any) -> Any:
    """The Python value of an OTLP AnyValue (string, int, double or bool)."""
    kind = value.WhichOneof("value")
    return None if kind is None else getattr(value, kind)
