"""The cost of observability: the hello project with the `metrics` component (scraped route
configured) and `logger.format: json`, and the hello project with `tracing:` (every trace
sampled, exported over OTLP/HTTP to a receiver on loopback), against the same project without
them, side by side.

Figures: requests per second on /hello under wrk, one process each (targets ≥ 0.95× for metrics
and JSON logs, ≥ 0.8× for tracing).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench._harness import Row
from bench.http import _hostray, _wrk

__all__ = ["run"]

RUNS = 3
OBSERVED = """
    metrics: {}
    logger:
        format: json
"""


def _observed(project: Path) -> None:
    """Add the metrics component, a /metrics route and JSON logs to a scaffolded project."""
    config = project / "server_config.yaml"
    text = config.read_text()
    text = text.replace("component:\n", "component:" + OBSERVED, 1)
    text = text.replace("controller:\n", "controller:\n    /metrics:\n        enum: metrics\n", 1)
    config.write_text(text)


class _Receiver(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that reads each export and answers 200 (an empty response)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _traced(project: Path, endpoint: str) -> None:
    """Give a scaffolded project a `tracing:` block sampling every trace."""
    config = project / "server_config.yaml"
    block = f"tracing:\n    endpoint: {endpoint}\n    sample_ratio: 1\n"
    config.write_text(block + config.read_text())


def run() -> list[Row]:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, name="otlp", daemon=True).start()
    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}/v1/traces"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plain, observed = Path(tmp) / "plain", Path(tmp) / "observed"
            traced = Path(tmp) / "traced"
            for project in (plain, observed, traced):
                subprocess.run(
                    [sys.executable, "-m", "hostray", "create", str(project)], check=True
                )
            _observed(observed)
            _traced(traced, endpoint)
            for project in (plain, observed, traced):  # bytecode caches for all
                _hostray(project).stop()
            rates: dict[Path, list[float]] = {plain: [], observed: [], traced: []}
            for _ in range(RUNS):
                for project in (observed, traced, plain):
                    server = _hostray(project)
                    try:
                        _wrk(server.url)  # warm-up
                        rates[project].append(_wrk(server.url))
                    finally:
                        server.stop()
    finally:
        receiver.shutdown()
        receiver.server_close()
    baseline = statistics.median(rates[plain])
    return [
        Row.compare(
            "hello req/s with metrics + JSON logs vs without (1 process)",
            statistics.median(rates[observed]),
            baseline,
            "req/s",
            0.95,
        ),
        Row.compare(
            "hello req/s with tracing (sample_ratio 1, OTLP/HTTP to loopback) vs without",
            statistics.median(rates[traced]),
            baseline,
            "req/s",
            0.8,
        ),
    ]
