"""Each bad project, through the real command: exit 2 and one line naming the file and key."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


def _check_one_line(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("replace", "by", "fragments"),
    [
        ("port: 8888", "port: [8888", ["server_config.yaml:"]),
        ("port: 8888", "port: 70000", ["server_config.yaml:2", "port"]),
        ("        p1: 'This is p1'", "        p1: 5", ["component.hello.p1"]),
        ("enum: hello_world", "enum: hello_wrld", ["controller./hello.enum", "hello_wrld"]),
    ],
)
def test_bad_server_config(
    hostray: Callable[..., subprocess.CompletedProcess[str]],
    hello_project: Path,
    replace: str,
    by: str,
    fragments: list[str],
) -> None:
    config = hello_project / "server_config.yaml"
    text = config.read_text(encoding="utf-8")
    assert replace in text
    config.write_text(text.replace(replace, by), encoding="utf-8")
    done = hostray("start", str(hello_project), "--address", "127.0.0.1", "--port", "0")
    _check_one_line(done, str(config), *fragments)


def test_no_server_config(
    hostray: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    done = hostray("start", str(tmp_path))
    _check_one_line(done, str(tmp_path / "server_config.yaml"), "not found")


def test_port_in_use(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = hostray("start", str(hello_project), "--address", "127.0.0.1", "--port", port)
    _check_one_line(done, f"--port {port}", f"127.0.0.1:{port}")


def test_missing_ssl_files(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path
) -> None:
    config = hello_project / "server_config.yaml"
    with config.open("a", encoding="utf-8") as f:
        f.write("ssl:\n    crt: nowhere.crt\n    key: nowhere.key\n")
    (hello_project / "nowhere.key").write_text("present, so only the certificate is missing")
    done = hostray("start", str(hello_project), "--address", "127.0.0.1", "--port", "0")
    _check_one_line(done, "ssl.crt: no such file", str(hello_project / "nowhere.crt"))


@pytest.mark.parametrize("command", ["start", "worker"])
def test_bad_task_queue_broker_and_ready_grace(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path, command: str
) -> None:
    config = hello_project / "server_config.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("port: 8888", "port: 8888\nready_grace: -1", 1)
    text = text.replace(
        "component:\n",
        "component:\n    task_queue:\n        backend: celery\n"
        "        broker: http://127.0.0.1:5672\n",
        1,
    )
    config.write_text(text, encoding="utf-8")
    done = hostray(command, str(hello_project))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert f"{config}:3: ready_grace: expected a number of seconds >= 0, got -1" in lines[0]
    assert "component.task_queue.broker: expected a redis:// or amqp:// URL" in lines[1]
    assert f"{config}:" in lines[1]
