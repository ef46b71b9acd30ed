"""pack → unpack → run, as a deployment does: compiled or not, and offline from packed wheels."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tarfile
import urllib.request
import venv
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from .conftest import ServerProcess

HELLO = "Hello World, This is hostray generate hello component"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str) -> str:
    with _DIRECT.open(url, timeout=10) as response:
        assert response.status == 200
        return cast(bytes, response.read()).decode("utf-8")


def _unpack(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tf:
        names = tf.getnames()
        tf.extractall(into, filter="data")
    assert {name.split("/")[0] for name in names} == {"hello"}
    return into / "hello"


def _serve_and_greet(
    serve: Callable[..., AbstractContextManager[ServerProcess]],
    project: Path,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
) -> None:
    with serve(project, python=python, env=env) as server:
        url = server.wait_listening()
        assert _get(url + "/hello") == HELLO
        assert server.stop(signal.SIGTERM) == 0


def test_compiled_archive_holds_only_bytecode_and_starts(
    hostray: Callable[..., subprocess.CompletedProcess[str]],
    serve: Callable[..., AbstractContextManager[ServerProcess]],
    hello_project: Path,
    tmp_path: Path,
) -> None:
    done = hostray("pack", str(hello_project), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    project = _unpack(tmp_path / "hello.tar.gz", tmp_path / "deployed")
    assert not list(project.rglob("*.py"))
    assert (project / "component" / "__init__.pyc").is_file()
    _serve_and_greet(serve, project)


def test_source_archive_starts(
    hostray: Callable[..., subprocess.CompletedProcess[str]],
    serve: Callable[..., AbstractContextManager[ServerProcess]],
    hello_project: Path,
    tmp_path: Path,
) -> None:
    done = hostray("pack", str(hello_project), "-d", "-o", str(tmp_path / "src.tar.gz"))
    assert done.returncode == 0, done.stderr
    project = _unpack(tmp_path / "src.tar.gz", tmp_path / "deployed")
    assert (project / "component" / "hello.py").read_bytes() == (
        hello_project / "component" / "hello.py"
    ).read_bytes()
    _serve_and_greet(serve, project)


def test_archives_are_identical_across_runs(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path, tmp_path: Path
) -> None:
    for flags in ([], ["-d"]):
        first = hostray("pack", str(hello_project), *flags, "-o", str(tmp_path / "1.tar.gz"))
        second = hostray("pack", str(hello_project), *flags, "-o", str(tmp_path / "2.tar.gz"))
        assert first.returncode == second.returncode == 0, first.stderr + second.stderr
        assert (tmp_path / "1.tar.gz").read_bytes() == (tmp_path / "2.tar.gz").read_bytes()


def test_wheels_install_offline_into_a_fresh_venv(
    hostray: Callable[..., subprocess.CompletedProcess[str]],
    serve: Callable[..., AbstractContextManager[ServerProcess]],
    hello_project: Path,
    local_wheels: Path,
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PIP_FIND_LINKS": str(local_wheels), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = hostray("pack", str(hello_project), "-w", cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Saved" in done.stdout  # pip's own progress reached the console
    with tarfile.open(tmp_path / "hello.tar.gz") as tf:
        wheels = [n for n in tf.getnames() if n.startswith("hello/wheels/")]
    assert any(n.startswith("hello/wheels/hostray_web-") for n in wheels)
    assert any(n.startswith("hello/wheels/hostray_cli-") for n in wheels)

    project = _unpack(tmp_path / "hello.tar.gz", tmp_path / "deployed")
    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(fresh)
    python = str(fresh / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--no-index", "--find-links", "wheels", "-q"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHONPATH"))}
    installed = subprocess.run(
        [*pip, "-r", "requirements.txt", "--disable-pip-version-check"],
        cwd=project,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _serve_and_greet(serve, project, python=python, env=clean)
