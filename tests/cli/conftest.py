"""Helpers of the in-process CLI tests: run `main(argv)` and read what it printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostray.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "docs" / "seed" / "hostray-0.7.5-docs.txt"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the command line in this process and return its exit status and output."""

    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own exits (-h, --version, usage errors)
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
