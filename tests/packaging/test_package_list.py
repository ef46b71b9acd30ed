"""scripts/packages.py is the one list of the packages: every other place derives from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from packages import PACKAGES  # noqa: E402


def test_every_package_directory_is_in_the_list() -> None:
    found = {p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml")}
    assert found == set(PACKAGES)


def test_the_makefile_asks_the_list_instead_of_repeating_it() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "hostray-" not in makefile and "hostray." not in makefile
    root_config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "mypy_path" not in root_config  # mypy finds the packages through their installs
    names = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "packages.py"), "names"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert names == list(PACKAGES)
