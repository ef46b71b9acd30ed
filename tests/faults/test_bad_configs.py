"""Bad configs: each broken `server_config.yaml` of `bad_configs/` makes `hostray start` exit 2
within 5 s, printing one line per problem that names the file and the problem, and no traceback.

`port_in_use.yaml` takes its port from ${FAULTS_BUSY_PORT}, a port this test holds; every other
file is started with `--port 0`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

CORPUS = Path(__file__).with_name("bad_configs")
EXIT_TIMEOUT = 5

EXPECTED: dict[str, tuple[str, ...]] = {
    "controller_not_a_mapping.yaml": (":2:", "controller", "mapping"),
    "controller_without_enum.yaml": (":3:", "controller./x.enum", "missing"),
    "debug_type.yaml": (":2:", "debug", "'maybe'"),
    "duplicate_key.yaml": (":3:", "duplicate", "'port'"),
    "empty.yaml": ("empty",),
    "frontend_without_path.yaml": ("controller./static/(.*)", "path"),
    "localization_missing_dir.yaml": ("component.localization", "no_such_dir"),
    "memory_cache_unknown_backend.yaml": (":5:", "component.memory_cache.backend", "'mongodb'"),
    "memory_cache_without_lifetime.yaml": (":3:", "component.memory_cache.sess_lifetime"),
    "not_a_mapping.yaml": (":1:", "mapping", "list"),
    "orm_db_mysql_without_host.yaml": (":4:", "component.orm_db.db.host", "missing"),
    "orm_db_sqlite_without_file_name.yaml": (":4:", "component.orm_db.db.file_name", "missing"),
    "orm_db_unknown_module.yaml": (":5:", "component.orm_db.db.module", "'oracle'"),
    "orm_db_worker_type.yaml": (":6:", "component.orm_db.db.worker", "'many'"),
    "port_in_use.yaml": ("port", "127.0.0.1:{busy_port}", "in use"),
    "port_range.yaml": (":2:", "port", "70000"),
    "port_type.yaml": (":2:", "port", "'eighty'"),
    "services_without_name.yaml": (":5:", "component.services.http://127.0.0.1:9./.name"),
    "services_zero_response_size.yaml": (
        ":7:",
        "component.services.http://127.0.0.1:9./.max_response_size",
        "bytes ≥ 1",
    ),
    "shutdown_timeout_negative.yaml": (":2:", "shutdown_timeout", "-1"),
    "ssl_missing_files.yaml": (":3:", "ssl.crt", "missing.crt"),
    "ssl_without_key.yaml": (":2:", "ssl.key", "missing"),
    "tab_indent.yaml": (":3:", "YAML syntax error"),
    "task_queue_type.yaml": (":4:", "component.task_queue.worker_count", "'two'"),
    "undefined_variable.yaml": (":1:", "FAULTS_UNDEFINED_VARIABLE"),
    "unknown_component.yaml": (":3:", "component.no_such_component", "unknown"),
    "unknown_controller_enum.yaml": (":4:", "controller./x.enum", "no_such_controller"),
    "unknown_key.yaml": (":2:", "colour", "unknown"),
    "worker_pool_zero.yaml": (":4:", "component.worker_pool.default", "0"),
    "yaml_syntax.yaml": (":3:", "YAML syntax error"),
}


# A file with several problems prints one line for each (each naming the file); the rest have one.
LINES = {"ssl_missing_files.yaml": 2}


def test_the_corpus_and_its_expectations_match() -> None:
    files = sorted(path.name for path in CORPUS.glob("*.yaml"))
    assert files == sorted(EXPECTED)
    assert len(files) >= 15


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that someone already listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_config_exits_2_with_one_line(name: str, tmp_path: Path, busy_port: int) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = project / "server_config.yaml"
    shutil.copyfile(CORPUS / name, config)
    argv = [sys.executable, "-m", "hostray", "start", str(project), "--address", "127.0.0.1"]
    if name != "port_in_use.yaml":
        argv += ["--port", "0"]
    env = {**os.environ, "FAULTS_BUSY_PORT": str(busy_port)}
    env.pop("FAULTS_UNDEFINED_VARIABLE", None)
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=EXIT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{name}: still running after {EXIT_TIMEOUT}s; output: {exc.stdout!r}")
    print(f"\n{name}: {done.stderr.strip()}")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == LINES.get(name, 1), done.stderr
    assert all(str(config) in line for line in lines), done.stderr
    for fragment in EXPECTED[name]:
        assert fragment.format(busy_port=busy_port) in lines[0], fragment
