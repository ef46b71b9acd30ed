"""docs/TESTING.md's three ways to test a project, run as a user would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, run_hostray

DOC = ROOT / "docs" / "TESTING.md"
BLOCK = re.compile(r"```\w*\n# (file|append): (\S+)\n(.*?)```", re.S)


@pytest.fixture
def documented_repo(tmp_path: Path) -> Path:
    """A user's repository: `hostray create hello`, then every `# file:`/`# append:` block."""
    done = run_hostray("create", str(tmp_path / "hello"))
    assert done.returncode == 0, done.stderr
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert {kind for kind, _, _ in blocks} == {"file", "append"}
    for kind, relative, text in blocks:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "append":
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
    return tmp_path


def run(repo: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_hostray_test_runs_the_server_test_case(documented_repo: Path) -> None:
    done = run(documented_repo, "-m", "hostray", "test", "hello")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ran 3 tests" in done.stderr and "OK" in done.stderr


def test_pytest_with_the_plugin_fixtures(documented_repo: Path) -> None:
    done = run(
        documented_repo, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_hello.py"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_plain_tornado_testing(documented_repo: Path) -> None:
    done = run(
        documented_repo, "-m", "unittest", "discover", "-s", "tests", "-p", "test_tornado.py"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ran 1 test" in done.stderr and "OK" in done.stderr
