"""The pytest plugin as a user meets it: installed by hostray-web, configured by an ini option."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hostray.config import ConfigError
from hostray.web.pytest_plugin import HostrayClient, RunningServer

USER_TESTS = """
import urllib.request


def test_plain_test_reaches_the_server(hostray_server):
    with urllib.request.urlopen(hostray_server.url("/alive"), timeout=10) as response:
        assert response.read() == b"1"


async def test_async_client(hostray_client):
    response = await hostray_client.get("/alive")
    assert response.code == 200 and response.body == b"1"
    assert (await hostray_client.get("/missing")).code == 404
"""


def run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest in `directory` the way a user would (a fresh process, the installed plugin)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        check=False,
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A user's repository: a hostray project and a tests directory."""
    project = tmp_path / "myproject"
    project.mkdir()
    (project / "server_config.yaml").write_text(
        "name: mine\nport: 8888\ncontroller:\n  /alive:\n    enum: server_alive\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(USER_TESTS)
    return tmp_path


def test_ini_option_names_the_project_and_both_test_styles_work(user_repo: Path) -> None:
    (user_repo / "pytest.ini").write_text(
        "[pytest]\nhostray_project = myproject\nasyncio_mode = auto\n"
    )
    result = run_pytest(user_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_missing_project_is_a_clear_failure(request: pytest.FixtureRequest) -> None:
    assert request.config.getini("hostray_project") == ""  # this repository sets none
    with pytest.raises(pytest.fail.Exception) as failed:
        request.getfixturevalue("hostray_project")
    assert "hostray_server needs a project" in str(failed.value)
    assert "override the `hostray_project` fixture" in str(failed.value)


def test_a_config_dict_can_be_served(
    hostray_server_factory: Callable[..., RunningServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a config dict's project directory is the working directory
    running = hostray_server_factory(
        {"name": "from dict", "port": 8888, "controller": {"/alive": {"enum": "server_alive"}}}
    )
    assert running.base_url == f"http://127.0.0.1:{running.port}"
    assert running.call(lambda: running.server.port) == running.port


def test_a_broken_project_raises_its_config_error(
    hostray_server_factory: Callable[..., RunningServer], tmp_path: Path
) -> None:
    (tmp_path / "server_config.yaml").write_text("name: x\nport: 8888\nbogus_key: 1\n")
    with pytest.raises(ConfigError) as caught:
        hostray_server_factory(tmp_path)
    assert "bogus_key" in str(caught.value)


async def test_stop_is_graceful_and_idempotent(tmp_path: Path) -> None:
    (tmp_path / "server_config.yaml").write_text(
        "name: x\nport: 8888\ncontroller:\n  /alive:\n    enum: server_alive\n"
    )
    running = RunningServer(tmp_path)
    client = HostrayClient(running.base_url)
    assert (await client.get("/alive")).body == b"1"
    running.stop()
    running.stop()
    with pytest.raises(ConnectionRefusedError):  # nothing listens any more
        await client.get("/alive")


def test_the_0_8_import_path_names_the_same_classes() -> None:
    from hostray.web import testing

    assert testing.HostrayClient is HostrayClient
    assert testing.RunningServer is RunningServer
