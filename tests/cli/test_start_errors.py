"""`hostray start` on bad projects: one line per problem naming the file and key, exit 2."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Result


def _project(root: Path, config: str, *, hello: bool = True) -> Path:
    """A hello project (via `create`) whose server_config.yaml is replaced by `config`."""
    from hostray.cli.create import create_project

    project = root / "proj"
    if hello:
        create_project(project)
    else:
        project.mkdir()
    (project / "server_config.yaml").write_text(config, encoding="utf-8")
    return project


def _one_error_line(result: Result) -> str:
    lines = result.err.splitlines()
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    return lines[0]


GOOD_HELLO = "name: t\nport: 8888\ncomponent:\n  hello:\n    p1: x\n"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("name: t\nport: [8888\n", ["server_config.yaml:", "YAML"]),
        (
            "name: t\nport: eighty\ncomponent:\n  hello:\n    p1: x\n",
            ["server_config.yaml:2", "port"],
        ),
        ("name: t\ncomponent:\n  hello: {}\n", ["component.hello.p1"]),
        ("name: t\ncomponent:\n  hello:\n    p1: 5\n", ["component.hello.p1"]),
        (
            GOOD_HELLO + "controller:\n  /hello:\n    enum: hello_wrld\n",
            ["server_config.yaml:8", "controller./hello.enum", "hello_wrld"],
        ),
        (
            GOOD_HELLO + "  orm_db:\n    db_0:\n      module: oracle\n",
            ["component.orm_db.db_0.module", "oracle"],
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(
    cli: Callable[..., Result], tmp_path: Path, config: str, expected: list[str]
) -> None:
    project = _project(tmp_path, config)
    line = _one_error_line(cli("start", str(project), "--port", "0", "--address", "127.0.0.1"))
    assert str(project / "server_config.yaml") in line
    for fragment in expected:
        assert fragment in line


def test_several_problems_are_one_line_each(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path, "name: t\nport: eighty\ncomponent:\n  hello: {}\n")
    result = cli("start", str(project))
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 2, result.err
    assert any("port" in line for line in lines)
    assert any("component.hello.p1" in line for line in lines)


def test_missing_server_config_and_missing_directory(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    line = _one_error_line(cli("start", str(tmp_path / "empty")))
    assert f"{tmp_path / 'empty' / 'server_config.yaml'}: not found" in line
    line = _one_error_line(cli("start", str(tmp_path / "nowhere")))
    assert f"{tmp_path / 'nowhere'}: no such directory" in line


def test_port_in_use_names_the_option(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path, GOOD_HELLO)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_error_line(
            cli("start", str(project), "--port", str(port), "--address", "127.0.0.1")
        )
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in line
    assert "in use" in line


def test_port_in_use_from_config_names_the_key(cli: Callable[..., Result], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        project = _project(tmp_path, GOOD_HELLO.replace("8888", str(port)))
        line = _one_error_line(cli("start", str(project), "--address", "127.0.0.1"))
    assert f"{project / 'server_config.yaml'}: port: cannot listen on 127.0.0.1:{port}" in line


@pytest.mark.parametrize("processes", ["1", "2"])
def test_the_servers_port_as_metrics_port_names_the_key_and_the_option(
    cli: Callable[..., Result], tmp_path: Path, processes: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = f"name: t\ncomponent:\n  metrics:\n    port: {port}\n"
    project = _project(tmp_path, config, hello=False)
    line = _one_error_line(
        cli(
            "start",
            str(project),
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
            "--processes",
            processes,
        )
    )
    assert line == (
        f"error: {project / 'server_config.yaml'}:4: component.metrics.port: {port} is the "
        f"server's port too (--port {port}); the metrics listener needs a port of its own"
    )


def test_missing_ssl_files_name_the_keys_and_files(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    config = GOOD_HELLO + "ssl:\n  crt: missing.crt\n  key: missing.key\n"
    project = _project(tmp_path, config)
    result = cli("start", str(project), "--port", "0", "--address", "127.0.0.1")
    assert result.code == 2, result.err
    config_file = project / "server_config.yaml"
    assert result.err.splitlines() == [
        f"error: {config_file}:7: ssl.crt: no such file: {project / 'missing.crt'}",
        f"error: {config_file}:8: ssl.key: no such file: {project / 'missing.key'}",
    ]


def test_an_ssl_file_that_is_missing_is_named_alone(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path, GOOD_HELLO)
    (project / "server.key").write_text("not a key", encoding="utf-8")
    with (project / "server_config.yaml").open("a", encoding="utf-8") as config:
        config.write("ssl:\n  crt: missing.crt\n  key: server.key\n")
    line = _one_error_line(cli("start", str(project), "--port", "0", "--address", "127.0.0.1"))
    assert line == (
        f"error: {project / 'server_config.yaml'}:7: ssl.crt: no such file: "
        f"{project / 'missing.crt'}"
    )


def test_the_create_hint_quotes_a_directory_with_a_space(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("create", "with space")
    assert result.code == 0, result.err
    assert "start it with: hostray start 'with space'" in result.out


def test_debug_refuses_several_processes(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path, GOOD_HELLO)
    line = _one_error_line(cli("start", str(project), "--debug", "--processes", "2"))
    assert "--debug" in line and "--processes 2" in line


def test_debug_true_in_the_config_refuses_several_processes_like_the_option(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path, GOOD_HELLO + "debug: true\n")
    line = _one_error_line(cli("start", str(project), "--processes", "2"))
    config = project / "server_config.yaml"
    assert line.startswith(f"error: {config}:6: debug: true autoreloads a single process"), line
    assert "--processes 2" in line


FAILING_INIT = """\
from hostray.web.component import Component


def check(p1):
    return {"x": 1}[p1]


class HelloComponent(Component):
    def init(self, component_manager, p1, **kwargs):
        check(p1)
"""


def test_an_init_that_raises_shows_the_projects_frames(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path, GOOD_HELLO.replace("p1: x", "p1: y"))
    hello = project / "component" / "hello.py"
    hello.write_text(FAILING_INIT, encoding="utf-8")
    result = cli("start", str(project), "--port", "0", "--address", "127.0.0.1")
    assert result.code == 2, result.err
    lines = result.err.splitlines()
    assert lines[0].startswith("error: ") and "init failed: KeyError: 'y'" in lines[0]
    assert lines[1:] == [
        f"      {hello}:10: in init: check(p1)",
        f'      {hello}:5: in check: return {{"x": 1}}[p1]',
    ]


MEMORY_SESSIONS = GOOD_HELLO + "  memory_cache:\n    sess_lifetime: 600\n"


@pytest.mark.parametrize("processes", ["2", "0"])
def test_processes_with_in_memory_sessions_are_refused(
    cli: Callable[..., Result], tmp_path: Path, processes: str
) -> None:
    project = _project(tmp_path, MEMORY_SESSIONS)
    line = _one_error_line(
        cli(
            "start", str(project), "--port", "0", "--address", "127.0.0.1", "--processes", processes
        )
    )
    assert f"{project / 'server_config.yaml'}:6: component.memory_cache:" in line
    assert "backend: redis" in line
    assert "allow_per_process: true" in line


@pytest.mark.parametrize("block", ["  channels: {}\n", "  channels:\n    backend: memory\n"])
def test_processes_with_in_memory_channels_are_refused(
    cli: Callable[..., Result], tmp_path: Path, block: str
) -> None:
    project = _project(tmp_path, GOOD_HELLO + block)
    line = _one_error_line(
        cli("start", str(project), "--port", "0", "--address", "127.0.0.1", "--processes", "2")
    )
    assert f"{project / 'server_config.yaml'}:6: component.channels:" in line
    assert "sending process" in line and "allow_per_process: true" in line


def test_allow_per_process_is_validated(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path, MEMORY_SESSIONS + "    allow_per_process: sometimes\n")
    line = _one_error_line(cli("start", str(project), "--port", "0", "--address", "127.0.0.1"))
    assert "server_config.yaml:8" in line
    assert "component.memory_cache.allow_per_process" in line


def test_port_option_out_of_range_is_refused_like_the_config(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path, GOOD_HELLO)
    result = cli("start", str(project), "--port", "70000", "--address", "127.0.0.1")
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "--port: expected a port number (0-65535), got 70000" in result.err


def test_address_that_cannot_be_bound_names_the_address_option(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path, GOOD_HELLO)
    # 192.0.2.1 (TEST-NET-1) is no address of this host: binding it fails, nothing is sent.
    line = _one_error_line(cli("start", str(project), "--port", "0", "--address", "192.0.2.1"))
    assert "--address 192.0.2.1: cannot listen on 192.0.2.1:0" in line
    assert "--port" not in line
