"""The command line's surface: the seed's usage and help, --version, argument errors."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import distributions
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Result


def _seed_help(seed_text: str) -> str:
    start = seed_text.index(">python3 -m hostray -h\n") + len(">python3 -m hostray -h\n")
    end = seed_text.index("\nUse Component in API Controller")
    return seed_text[start:end].strip("\n")


def test_help_is_the_seeds_plus_version_and_worker(
    cli: Callable[..., Result], seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("-h")
    assert result.code == 0
    added = [
        "  --version             print the installed hostray packages and exit",
        "    worker              run the Celery worker of a project whose task_queue",
        "                        has backend: celery",
    ]
    lines = result.out.strip("\n").splitlines()
    for line in added:
        assert line in lines
        lines.remove(line)
    assert "\n".join(lines) == _seed_help(seed_text)


def test_version_lists_every_installed_hostray_distribution(cli: Callable[..., Result]) -> None:
    result = cli("--version")
    assert result.code == 0
    expected = set()
    for dist in distributions():
        name = dist.metadata["Name"].lower().replace("_", "-")
        if name.startswith("hostray-"):
            expected.add(f"{name} {dist.version}")
    printed = result.out.splitlines()
    assert set(printed) == expected
    assert printed == sorted(printed)
    assert any(line.startswith("hostray-cli ") for line in printed)


def test_no_command_prints_usage_and_fails(cli: Callable[..., Result]) -> None:
    result = cli()
    assert result.code == 2
    assert result.err.startswith("usage: hostray [-h] {start,pack,test,create} ...")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["start", "p", "--processes", "-1"], "--processes: expected an integer >= 0, got -1"),
        (["start", "p", "--port", "http"], "--port: expected an integer, got 'http'"),
        (["pack"], "the following arguments are required: directory"),
        (["worker", "p", "--concurrency", "0"], "--concurrency: expected an integer >= 1, got 0"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_argument_errors_exit_2_with_one_line(
    cli: Callable[..., Result], argv: list[str], message: str
) -> None:
    result = cli(*argv)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_module_entry_point_runs_main() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "hostray", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "hostray-cli " in done.stdout
