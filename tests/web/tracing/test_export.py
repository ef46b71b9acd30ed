"""A traced server in its own process, stopped by SIGTERM, has sent its spans over OTLP/HTTP to
a collector on loopback: the batch processor is flushed by the graceful stop."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .recorder import Recorder
from .traced_project import write_traced_project

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
START_TIMEOUT = 60.0
SERVER = "import sys; from hostray.web.server import HostrayServer; "
SERVER += "sys.exit(HostrayServer(sys.argv[1], port=int(sys.argv[2]), address='127.0.0.1').run())"

SPAN_KIND_SERVER = 2
SPAN_KIND_CLIENT = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(process: subprocess.Popen[str]) -> list[str]:
    """The lines the server printed up to its "serving on" line; the rest is read on, so the
    pipe never fills."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, name="server-output", daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    while not seen or "serving on" not in seen[-1]:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise AssertionError(f"the server did not start: {seen}") from None
        if not line:
            raise AssertionError(f"the server exited: {seen}")
        seen.append(line)
    return seen


def test_the_spans_are_exported_when_the_server_stops_on_sigterm(tmp_path: Path) -> None:
    with Recorder() as collector, Recorder() as upstream:
        tracing = {"endpoint": collector.url + "/v1/traces", "service_name": "exported"}
        root = write_traced_project(tmp_path / "traced", upstream.url, tracing)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(root), str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            _wait_listening(process)
            with _DIRECT.open(f"http://127.0.0.1:{port}/work", timeout=30) as response:
                assert json.loads(response.read()) == {"count": 0, "upstream": [200, 200]}
            # the batch processor waits 5 s before a batch: nothing is sent before the stop
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert returncode == 0
        spans = collector.spans()
    (server,) = [s for s in spans if s.kind == SPAN_KIND_SERVER]
    assert (server.name, server.service_name, server.parent_span_id) == (
        "GET /work",
        "exported",
        "",
    )
    children = [s for s in spans if s.parent_span_id == server.span_id]
    assert {s.kind for s in children} == {SPAN_KIND_CLIENT}
    assert sorted(s.name.split()[0] for s in children) == ["GET", "GET", "SELECT"]
    assert {s.trace_id for s in children} == {server.trace_id}
