"""create → start → HTTP → signal → exit 0, as a user runs it; plus --processes and --debug."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

if TYPE_CHECKING:
    from .conftest import ServerProcess

HELLO = "Hello World, This is hostray generate hello component"


WAIT_TIMEOUT = 60
"""Bound of a wait for an HTTP answer or an exit: generous, for a loaded machine."""

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


def _get(url: str) -> str:
    with _DIRECT.open(url, timeout=WAIT_TIMEOUT) as response:
        assert response.status == 200
        return cast(bytes, response.read()).decode("utf-8")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_hello_project_answers_then_stops_gracefully(
    serve: Callable[..., AbstractContextManager[ServerProcess]],
    hello_project: Path,
    sig: signal.Signals,
) -> None:
    with serve(hello_project) as server:
        url = server.wait_listening()
        assert url.startswith("http://127.0.0.1:")
        assert _get(url + "/hello") == HELLO
        assert _get(url + "/hello_tornado") == HELLO
        assert server.stop(sig) == 0
    assert "Traceback" not in server.text()
    assert "init Hello component load from component and the parameters p1: This is p1" in (
        server.text()
    )


def test_processes_share_the_port_and_dead_children_are_restarted(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    with serve(hello_project, "--processes", "2") as server:
        url = server.wait_listening()
        assert server.wait_listening() == url
        pids = {int(p) for p in re.findall(r"listening on \S+ \(pid (\d+)\)", server.text())}
        assert len(pids) == 2 and server.process.pid not in pids
        assert _get(url + "/hello") == HELLO

        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        assert server.wait_listening() == url  # the replacement announces itself
        new_pids = {int(p) for p in re.findall(r"\(pid (\d+)\)", server.text())} - pids
        assert len(new_pids) == 1
        for _ in range(4):
            assert _get(url + "/hello") == HELLO

        assert server.stop(signal.SIGTERM) == 0
    for pid in (pids - {victim}) | new_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert "Traceback" not in server.text()


def test_ctrl_c_reaching_every_process_stops_them_all(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    # A terminal's ctrl+c signals the whole foreground process group: parent and children.
    with serve(hello_project, "--processes", "2", new_session=True) as server:
        url = server.wait_listening()
        server.wait_listening()
        assert _get(url + "/hello") == HELLO
        os.killpg(server.process.pid, signal.SIGINT)
        assert server.process.wait(timeout=WAIT_TIMEOUT) == 0
    assert "Traceback" not in server.text()
    assert "restarting" not in server.text()


def test_debug_reloads_changed_code(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    with serve(hello_project, "--debug") as server:
        url = server.wait_listening()
        assert _get(url + "/hello") == HELLO
        server.wait_for(re.compile("autoreload: watching"))
        hello = hello_project / "component" / "hello.py"
        hello.write_text(hello.read_text(encoding="utf-8").replace("Hello World", "Hi World"))
        url = server.wait_listening()  # the re-executed server announces itself again
        assert _get(url + "/hello") == HELLO.replace("Hello World", "Hi World")
        assert server.stop(signal.SIGTERM) == 0


def test_processes_with_a_start_up_problem_stop_at_once(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path
) -> None:
    config = hello_project / "server_config.yaml"
    with config.open("a", encoding="utf-8") as f:
        f.write("ssl:\n    crt: nowhere.crt\n    key: nowhere.key\n")
    done = hostray(
        "start", str(hello_project), "--address", "127.0.0.1", "--port", "0", "--processes", "2"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert 2 <= len(lines) <= 4, done.stderr  # crt and key, of each child that got as far
    assert all(line.startswith("error: ") and "no such file" in line for line in lines)
    assert any("ssl.crt" in line for line in lines) and any("ssl.key" in line for line in lines)
    assert "Traceback" not in done.stderr


def test_debug_survives_a_syntax_error_and_serves_again_once_fixed(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    with serve(hello_project, "--debug") as server:
        url = server.wait_listening()
        server.wait_for(re.compile("autoreload: watching"))
        hello = hello_project / "controller" / "hello.py"
        good = hello.read_text(encoding="utf-8")
        hello.write_text(good + "\ndef broken(:\n", encoding="utf-8")
        problem = server.wait_for(re.compile(r"error: .*SyntaxError"))
        where = server.wait_for(re.compile(rf'File "{re.escape(str(hello))}", line 16'))
        server.wait_for(re.compile("autoreload: waiting for a change"))
        hello.write_text(good, encoding="utf-8")
        url = server.wait_listening()
        assert _get(url + "/hello") == HELLO
        assert server.stop(signal.SIGTERM) == 0
    assert "importing module 'controller.hello' failed: SyntaxError" in problem.string
    assert where


def test_debug_true_in_the_config_autoreloads_like_the_option(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    config = hello_project / "server_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("debug: False", "debug: true"), encoding="utf-8")
    with serve(hello_project) as server:
        server.wait_listening()
        server.wait_for(re.compile("autoreload: watching"))
        assert server.stop(signal.SIGTERM) == 0


def test_debug_shows_the_whole_traceback_of_an_init_that_raises(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    hello = hello_project / "component" / "hello.py"
    source = hello.read_text(encoding="utf-8")
    hello.write_text(source.replace("print(", "{}['missing'] or print("), encoding="utf-8")
    with serve(hello_project, "--debug") as server:
        server.wait_for(re.compile(r"error: .*component\.hello: init failed: KeyError"))
        server.wait_for(re.compile(r"Traceback \(most recent call last\)"))
        server.wait_for(re.compile(r"hostray/web/application\.py"))  # hostray's frames too
        server.wait_for(re.compile("autoreload: waiting for a change"))
        hello.write_text(source, encoding="utf-8")
        url = server.wait_listening()
        assert _get(url + "/hello") == HELLO
        assert server.stop(signal.SIGTERM) == 0


BOOM = """\
from hostray.web.controller import RequestController


class BoomController(RequestController):
    def get(self):
        raise KeyError("b")
"""

_STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ")


@pytest.mark.parametrize("log_dir", [False, True])
def test_every_log_line_has_time_and_level_from_first_to_last(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path, log_dir: bool
) -> None:
    (hello_project / "controller" / "boom.py").write_text(BOOM, encoding="utf-8")
    init = hello_project / "controller" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8") + "    Boom = ('boom', 'boom', 'BoomController')\n",
        encoding="utf-8",
    )
    config = hello_project / "server_config.yaml"
    text = config.read_text(encoding="utf-8") + "    /boom:\n        enum: boom\n"
    if log_dir:
        text = text.replace("component:\n", "component:\n    logger:\n        dir: logs\n")
    config.write_text(text, encoding="utf-8")
    with serve(hello_project) as server:
        url = server.wait_listening()
        with pytest.raises(urllib.error.HTTPError) as answered:
            _DIRECT.open(url + "/boom", timeout=WAIT_TIMEOUT)
        assert answered.value.code == 500
        server.wait_for(re.compile(r"500 GET /boom"))
        assert server.stop(signal.SIGTERM) == 0
    boom = hello_project / "controller" / "boom.py"
    logged = [
        line
        for line in server.text().splitlines()
        if not line.startswith(("init Hello component", "hostray Server: listening", "press "))
    ]
    assert logged[-1].endswith("hostray Server stopped")
    assert f'    {boom}:6: in get: raise KeyError("b")' in logged
    frames = [line for line in logged if line.startswith("    ")]
    assert len(frames) == 1  # the project's frame only; Tornado's stay out
    assert all(_STAMPED.match(line) for line in logged if not line.startswith("    ")), logged
