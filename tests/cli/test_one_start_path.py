"""`start` and `test` load a project through hostray-web's own checks and bind through the
server's own `listen_sockets`: one wording of each problem, whichever command meets it."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hostray.config import ConfigError
from hostray.web.project import CONFIG_FILE, load_project
from hostray.web.server import listen_sockets

if TYPE_CHECKING:
    from .conftest import Result


@pytest.mark.parametrize("command", ["start", "test"])
def test_missing_directory_and_config_read_alike(
    cli: Callable[..., Result], tmp_path: Path, command: str
) -> None:
    (tmp_path / "empty").mkdir()
    for directory, expected in (
        (tmp_path / "nowhere", f"error: {tmp_path / 'nowhere'}: no such directory"),
        (tmp_path / "empty", f"error: {tmp_path / 'empty' / CONFIG_FILE}: not found"),
    ):
        result = cli(command, str(directory))
        assert result.code == 2, result.err
        assert result.err.startswith(expected), result.err
        assert "Traceback" not in result.err


def test_listen_sockets_names_what_chose_the_port(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text("name: t\nport: 0\n")
    project = load_project(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"^--port {port}: cannot listen on 127.0.0.1:{port}"):
            listen_sockets(project, port, "127.0.0.1", port_source=f"--port {port}")
        with pytest.raises(ConfigError) as caught:
            listen_sockets(project, port, "127.0.0.1")
    assert str(caught.value).startswith(f"{tmp_path / CONFIG_FILE}: port: cannot listen on")
    sockets = listen_sockets(project, None, "127.0.0.1")
    try:
        assert sockets and sockets[0].getsockname()[1] > 0
    finally:
        for sock in sockets:
            sock.close()
