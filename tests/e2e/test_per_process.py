"""`hostray start --processes N` with per-process sessions: refused with one line pointing to
`backend: redis`, started when the config says it is intended (issue 13, item 13)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import ServerProcess

MEMORY_CACHE = "    memory_cache:\n        sess_lifetime: 600\n"


def _with_memory_sessions(project: Path, extra: str = "") -> Path:
    config = project / "server_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("component:\n", "component:\n" + MEMORY_CACHE + extra), encoding="utf-8"
    )
    return project


def test_processes_with_memory_sessions_refuse_to_start(
    hostray: Callable[..., subprocess.CompletedProcess[str]], hello_project: Path
) -> None:
    project = _with_memory_sessions(hello_project)
    done = hostray("start", str(project), "--port", "0", "--processes", "2")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {project / 'server_config.yaml'}:")
    assert "backend: redis" in lines[0]
    assert "listening on" not in done.stdout


def test_allow_per_process_starts_them(
    serve: Callable[..., AbstractContextManager[ServerProcess]], hello_project: Path
) -> None:
    project = _with_memory_sessions(hello_project, "        allow_per_process: true\n")
    with serve(project, "--processes", "2") as server:
        url = server.wait_listening()
        assert server.wait_listening() == url
        assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.text()
