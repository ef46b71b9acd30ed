"""`hostray start --processes 2` with `tracing:`: each child exports its own spans over OTLP/HTTP
(its batch processor made after the fork), and SIGTERM to the parent loses none of them."""

from __future__ import annotations

import signal
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

if TYPE_CHECKING:
    from .conftest import ServerProcess

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
REQUESTS = 20
SPAN_KIND_SERVER = 2


class _Collector(BaseHTTPRequestHandler):
    """Keeps the (pid, span name) of every SERVER span of the exports it receives."""

    spans: list[tuple[int, str]]
    lock: threading.Lock

    def do_POST(self) -> None:
        export = ExportTraceServiceRequest()
        export.ParseFromString(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        for resource_spans in export.resource_spans:
            pids = [
                a.value.int_value
                for a in resource_spans.resource.attributes
                if a.key == "process.pid"
            ]
            for scope_spans in resource_spans.scope_spans:
                with self.lock:
                    self.spans.extend(
                        (pids[0], span.name)
                        for span in scope_spans.spans
                        if span.kind == SPAN_KIND_SERVER
                    )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def _collector() -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """An OTLP/HTTP receiver on loopback: its traces URL and the spans it got."""
    spans: list[tuple[int, str]] = []
    handler = type("Handler", (_Collector,), {"spans": spans, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces", spans
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)


def test_every_child_flushes_its_spans_on_sigterm(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    with _collector() as (endpoint, spans):
        config = hello_project / "server_config.yaml"
        block = f"tracing:\n    endpoint: {endpoint}\n    service_name: forked\n"
        config.write_text(block + config.read_text(encoding="utf-8"), encoding="utf-8")
        with serve(hello_project, "--processes", "2") as server:
            url = server.wait_listening()
            for _ in range(REQUESTS):
                with _DIRECT.open(url + "/hello", timeout=30) as response:
                    assert response.status == 200
            assert server.stop(signal.SIGTERM) == 0
            pid = server.process.pid
        assert "Traceback" not in server.text()
        got = list(spans)
    assert [name for _, name in got] == ["GET /hello"] * REQUESTS
    assert pid not in {span_pid for span_pid, _ in got}  # made in the children, not the parent
