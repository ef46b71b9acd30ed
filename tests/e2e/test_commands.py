"""`hostray test` and `hostray create` through the real entry point."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path


def test_self_check_runs_and_summarises(
    hostray: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    done = hostray("test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ran 16 tests" in done.stderr
    assert done.stderr.rstrip().endswith("OK")


def test_create_then_test(
    hostray: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    created = hostray("create", "hello", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    tested = hostray("test", "hello", cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "Ran 1 test" in tested.stderr
    assert "HelloTestCase" in tested.stderr


def test_create_refuses_a_non_empty_directory(
    hostray: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "keep.txt").write_text("x", encoding="utf-8")
    done = hostray("create", "hello", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--force" in done.stderr
