"""Hostile configs: a 1 KB `server_config.yaml` whose aliases under a controller's `params` expand
to 9**9 strings (billion laughs), and one nested 950 levels deep. `hostray start` must refuse each
within 5 s (not minutes, not a traceback): exit 2 and one `error:` line naming the file and line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

EXIT_TIMEOUT = 5
HEAD = "name: laughs\ncontroller:\n  /alive:\n    enum: server_alive\n    params:\n"


def billion_laughs() -> str:
    lines = ['      a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"      a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return HEAD + "\n".join(lines) + "\n"


def deep_nesting() -> str:
    return HEAD + "      deep: " + "[" * 950 + "]" * 950 + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (billion_laughs(), ":10: aliases expand to more than 10000 nodes"),
        (deep_nesting(), ":6: nested more than 100 levels deep"),
    ],
    ids=["billion_laughs", "deep_nesting"],
)
def test_hostile_config_is_refused_at_once(tmp_path: Path, text: str, expected: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = project / "server_config.yaml"
    config.write_text(text, encoding="utf-8")
    assert config.stat().st_size < 4096
    argv = [sys.executable, "-m", "hostray", "start", str(project)]
    argv += ["--address", "127.0.0.1", "--port", "0"]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=EXIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"still running after {EXIT_TIMEOUT}s; output: {exc.stdout!r}")
    print(f"\n{done.stderr.strip()}")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: {config}{expected}"), line
