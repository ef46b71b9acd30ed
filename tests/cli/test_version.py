from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import hostray.cli

if TYPE_CHECKING:
    from .conftest import Result


def test_version_matches_installed_metadata() -> None:
    assert hostray.cli.__version__ == version("hostray-cli")


def test_the_legacy_hostray_distribution_is_detected_with_the_fix(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    dist_info = tmp_path / "hostray-0.7.5.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hostray\nVersion: 0.7.5.1\n", encoding="utf-8"
    )
    (dist_info / "RECORD").write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "hostray", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: the legacy distribution 'hostray' 0.7.5.1 is installed")
    assert "`pip uninstall hostray`" in line


def test_without_the_legacy_distribution_nothing_is_said(cli: Callable[..., Result]) -> None:
    result = cli("--version")
    assert result.code == 0
    assert "legacy" not in result.err
