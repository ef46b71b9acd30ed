"""A traced server's spans, seen by the SDK's in-memory exporter: one request makes a SERVER span
for its route with a CLIENT child for the `orm_db` statement and one for the `services` call,
whose upstream gets the trace in `traceparent`; JSON log lines carry the ids."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id

from hostray.web.running_server import RunningServer

from .recorder import Recorder
from .traced_project import write_traced_project

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
SAMPLED = 0x01
"""The `sampled` bit of a traceparent's flags (the SDK may set the `random` bit 0x02 too)."""


@pytest.fixture
def collector() -> Iterator[Recorder]:
    with Recorder() as recorder:
        yield recorder


@pytest.fixture
def upstream() -> Iterator[Recorder]:
    with Recorder() as recorder:
        yield recorder


def _get(url: str) -> dict[str, object]:
    with _DIRECT.open(url, timeout=30) as response:
        assert response.status == 200
        body: dict[str, object] = json.loads(response.read())
        return body


def _serve_once(root: Path, path: str = "/work") -> tuple[list[ReadableSpan], dict[str, object]]:
    """Start the project, send one request, stop gracefully: the spans and the answer."""
    server = RunningServer(root)
    try:
        tracing = server.server.tracing
        assert tracing is not None
        memory = InMemorySpanExporter()
        tracing.provider.add_span_processor(SimpleSpanProcessor(memory))
        body = _get(server.url(path))
    finally:
        server.stop()
    return list(memory.get_finished_spans()), body


def _ids(span: ReadableSpan) -> tuple[str, str]:
    context = span.get_span_context()
    assert context is not None
    return format_trace_id(context.trace_id), format_span_id(context.span_id)


def _span_id(span: ReadableSpan) -> int:
    context = span.get_span_context()
    assert context is not None
    return context.span_id


def test_a_request_is_a_server_span_with_database_and_service_children(
    tmp_path: Path, collector: Recorder, upstream: Recorder
) -> None:
    tracing = {"endpoint": collector.url + "/v1/traces", "service_name": "traced-test"}
    root = write_traced_project(tmp_path / "traced", upstream.url, tracing)
    spans, body = _serve_once(root)
    assert body == {"count": 0, "upstream": [200, 200]}

    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.name == "GET /work"
    assert server.resource.attributes["service.name"] == "traced-test"
    assert server.parent is None
    trace_id, server_span_id = _ids(server)
    children = [s for s in spans if s.parent is not None and s.parent.span_id == _span_id(server)]
    assert {s.kind for s in children} == {SpanKind.CLIENT}
    statements = [s for s in children if s.attributes and "db.system" in s.attributes]
    calls = [s for s in children if s not in statements]
    assert [s.name.split()[0] for s in statements] == ["SELECT"]
    assert (statements[0].attributes or {})["db.system"] == "sqlite"
    assert [s.name for s in calls] == ["GET", "GET"]  # invoke_async, then invoke from a thread
    assert all(_ids(s)[0] == trace_id for s in children)

    seen = [r for r in upstream.requests if r.path == "/seen"]
    sent = [r.headers["traceparent"].split("-") for r in seen]
    assert sorted((v, t, p) for v, t, p, _ in sent) == sorted(
        ("00", trace_id, _ids(call)[1]) for call in calls
    )
    assert all(int(flags, 16) & SAMPLED for *_, flags in sent)
    assert server_span_id not in {p for _, _, p, _ in sent}


def test_an_incoming_traceparent_is_continued(
    tmp_path: Path, collector: Recorder, upstream: Recorder
) -> None:
    root = write_traced_project(
        tmp_path / "traced", upstream.url, {"endpoint": collector.url + "/v1/traces"}
    )
    caller_trace, caller_span = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    server = RunningServer(root)
    try:
        tracing = server.server.tracing
        assert tracing is not None
        memory = InMemorySpanExporter()
        tracing.provider.add_span_processor(SimpleSpanProcessor(memory))
        request = urllib.request.Request(
            server.url("/work"), headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"}
        )
        with _DIRECT.open(request, timeout=30) as response:
            assert response.status == 200
            request_id = response.headers["X-Request-ID"]
    finally:
        server.stop()
    (span,) = [s for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert span.attributes is not None
    assert (span.attributes["http.route"], span.attributes["hostray.request_id"]) == (
        "/work",
        request_id,
    )
    assert _ids(span)[0] == caller_trace
    assert span.parent is not None and format_span_id(span.parent.span_id) == caller_span
    assert span.resource.attributes["service.name"] == "traced"  # the directory's name


def test_sample_ratio_zero_records_nothing(
    tmp_path: Path, collector: Recorder, upstream: Recorder
) -> None:
    tracing = {"endpoint": collector.url + "/v1/traces", "sample_ratio": 0}
    root = write_traced_project(tmp_path / "traced", upstream.url, tracing)
    spans, body = _serve_once(root)
    assert body == {"count": 0, "upstream": [200, 200]}
    assert spans == []
    assert collector.spans() == []
    seen = [r for r in upstream.requests if r.path == "/seen"]
    assert len(seen) == 2
    for request in seen:  # the trace goes on upstream, not sampled
        assert not int(request.headers["traceparent"].rsplit("-", 1)[1], 16) & SAMPLED


def test_json_log_lines_carry_the_trace_and_span_ids(
    tmp_path: Path, collector: Recorder, upstream: Recorder
) -> None:
    root = write_traced_project(
        tmp_path / "traced", upstream.url, {"endpoint": collector.url + "/v1/traces"}
    )
    spans, _ = _serve_once(root)
    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    trace_id, span_id = _ids(server)
    lines = [json.loads(line) for line in (root / "logs" / "traced.log").read_text().splitlines()]
    by_message = {line["message"]: line for line in lines}
    for message in ("in handler", "in worker"):
        assert by_message[message]["trace_id"] == trace_id
        assert by_message[message]["span_id"] == span_id
        assert by_message[message]["route"] == "/work"


def test_the_service_name_comes_from_otel_service_name(
    tmp_path: Path, collector: Recorder, upstream: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-the-environment")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
    root = write_traced_project(tmp_path / "traced", upstream.url, {})
    spans, _ = _serve_once(root)
    assert spans
    assert {s.resource.attributes["service.name"] for s in spans} == {"from-the-environment"}
    exported = collector.wait_for(lambda got: any(r.path == "/v1/traces" for r in got))
    assert exported and {s.service_name for s in collector.spans()} == {"from-the-environment"}
