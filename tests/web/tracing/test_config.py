"""The `tracing:` block: each bad value is one line naming file:line, the OTEL_* variables fill
in what the block leaves out (the block wins), the endpoint's credentials are never shown, and a
server without the block never imports OpenTelemetry."""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from hostray.config import ConfigError
from hostray.web.project import load_project
from hostray.web.running_server import RunningServer
from hostray.web.tracing import TracingSettings
from hostray.web.tracing import settings as tracing_settings

from .recorder import Recorder

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
ENDPOINT = "http://127.0.0.1:4318/v1/traces"
SECRET = "s3cret-pass"


def _project(root: Path, block: str, head: str = "name: configured\nport: 0\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    config = (
        head
        + textwrap.dedent(block)
        + ("controller:\n    /components_info:\n        enum: components_info\n")
    )
    (root / "server_config.yaml").write_text(config, encoding="utf-8")
    return root


def _settings(tmp_path: Path, block: str) -> TracingSettings:
    project = load_project(_project(tmp_path / "svc", block))
    assert project.tracing is not None
    return project.tracing


def _one_problem(tmp_path: Path, block: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_project(_project(tmp_path / "svc", block))
    assert len(caught.value.problems) == 1, caught.value.problems
    (problem,) = caught.value.problems
    assert "\n" not in problem
    return problem


def test_a_bad_endpoint_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    problem = _one_problem(tmp_path, "tracing:\n    endpoint: ftp://127.0.0.1/v1/traces\n")
    assert re.match(r".*server_config\.yaml:4: tracing\.endpoint: expected an http:// or", problem)
    assert "'ftp://127.0.0.1/v1/traces'" in problem


def test_a_sample_ratio_above_one_is_one_line(tmp_path: Path) -> None:
    block = f"tracing:\n    endpoint: {ENDPOINT}\n    sample_ratio: 1.5\n"
    problem = _one_problem(tmp_path, block)
    assert re.match(
        r".*server_config\.yaml:5: tracing\.sample_ratio: expected a number from 0", problem
    )
    assert "1.5" in problem


def test_no_endpoint_anywhere_is_one_line_naming_the_variables(tmp_path: Path) -> None:
    problem = _one_problem(tmp_path, "tracing:\n    service_name: svc\n")
    assert re.match(r".*server_config\.yaml:3: tracing\.endpoint: expected an http", problem)
    assert "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" in problem
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in problem


def test_an_empty_block_traces_with_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    settings = _settings(tmp_path, "tracing:\n")
    assert settings.endpoint == ENDPOINT
    assert settings.sample_ratio == 0.25
    assert settings.service_name == "svc"  # the project directory's name


def test_the_block_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9999/traces")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.5")
    assert _settings(tmp_path, "tracing:\n").service_name == "from-env"
    assert _settings(tmp_path, "tracing:\n").endpoint == "http://127.0.0.1:9999/traces"
    block = f"tracing:\n    endpoint: {ENDPOINT}\n    service_name: mine\n    sample_ratio: 1\n"
    settings = _settings(tmp_path, block)
    assert (settings.endpoint, settings.service_name, settings.sample_ratio) == (
        ENDPOINT,
        "mine",
        1.0,
    )


def test_a_bad_variable_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "lots")
    problem = _one_problem(tmp_path, f"tracing:\n    endpoint: {ENDPOINT}\n")
    assert problem == "OTEL_TRACES_SAMPLER_ARG: expected a number from 0 to 1, got 'lots'"


def test_the_endpoint_credentials_are_masked_everywhere(tmp_path: Path) -> None:
    endpoint = f"http://collector:{SECRET}@127.0.0.1:4318/v1/traces"
    problem = _one_problem(tmp_path, f"tracing:\n    endpoint: {endpoint}\n    sample_ratio: 2\n")
    assert SECRET not in problem
    bad = f"tracing:\n    endpoint: ftp://collector:{SECRET}@127.0.0.1/v1/traces\n"
    assert SECRET not in _one_problem(tmp_path, bad)

    with Recorder() as collector:
        port = collector.url.rsplit(":", 1)[1]
        endpoint = f"http://collector:{SECRET}@127.0.0.1:{port}/v1/traces"
        root = _project(tmp_path / "masked", f"tracing:\n    endpoint: {endpoint}\n")
        settings = load_project(root).tracing
        assert settings is not None and settings.endpoint == endpoint  # the exporter's, whole
        assert SECRET not in repr(settings)
        server = RunningServer(root)
        try:
            with _DIRECT.open(server.url("/components_info"), timeout=30) as response:
                text = response.read().decode()
        finally:
            server.stop()
        exports = [r for r in collector.requests if r.path == "/v1/traces"]
    assert SECRET not in text
    assert json.loads(text)["tracing"] == {
        "endpoint": f"http://collector:***@127.0.0.1:{port}/v1/traces",
        "service_name": "masked",
        "sample_ratio": 1.0,
    }
    credentials = base64.b64encode(f"collector:{SECRET}".encode()).decode()
    assert [r.headers.get("authorization") for r in exports] == [f"Basic {credentials}"]


def test_without_the_extra_the_block_is_one_line_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = "hostray-test-distribution-not-installed"
    distributions = (*tracing_settings.OTEL_DISTRIBUTIONS, missing)
    monkeypatch.setattr(tracing_settings, "OTEL_DISTRIBUTIONS", distributions)
    problem = _one_problem(tmp_path, f"tracing:\n    endpoint: {ENDPOINT}\n")
    assert re.match(r".*server_config\.yaml:3: tracing: needs " + missing, problem)
    assert problem.endswith("pip install 'hostray-web[otel]'")


def test_a_server_without_the_block_never_imports_opentelemetry(tmp_path: Path) -> None:
    root = _project(tmp_path / "plain", "")
    script = textwrap.dedent(
        f"""
        import sys
        from hostray.web.running_server import RunningServer
        server = RunningServer({str(root)!r})
        server.stop()
        print(sorted(name for name in sys.modules if name.startswith("opentelemetry")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_collector_that_is_down_does_not_hold_the_stop_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:  # a port nothing listens on: every export is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = f"http://collector:{SECRET}@127.0.0.1:{port}/v1/traces"
    head = "name: down\nshutdown_timeout: 0.2\n"
    root = _project(tmp_path / "down", f"tracing:\n    endpoint: {endpoint}\n", head)
    server = RunningServer(root)
    with _DIRECT.open(server.url("/components_info"), timeout=30) as response:
        assert response.status == 200
    with caplog.at_level(logging.WARNING, logger="hostray.web.tracing"):
        server.stop()  # returns: the refused exports were given up
    (warning,) = [r for r in caplog.records if r.name == "hostray.web.tracing"]
    assert warning.getMessage() == (
        f"tracing: http://collector:***@127.0.0.1:{port}/v1/traces did not take the queued "
        "spans in time; they are dropped"
    )
