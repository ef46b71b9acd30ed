"""hostray-workers is stdlib only: its metadata declares nothing, its venv holds nothing else."""

from __future__ import annotations

import os
import sysconfig
from importlib.metadata import distribution
from pathlib import Path

import pytest


def test_installed_metadata_declares_no_dependency() -> None:
    assert distribution("hostray-workers").requires in (None, [])


@pytest.mark.skipif(
    os.environ.get("HOSTRAY_ISOLATED") != "hostray-workers",
    reason="only in the isolated venv of `make test-isolated PKG=hostray-workers`",
)
def test_isolated_venv_holds_no_third_party_distribution() -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    names = {
        p.name.split("-")[0].lower().replace("_", "-")
        for p in site.iterdir()
        if p.name.endswith((".dist-info", ".egg-info"))
    }
    assert names <= {"hostray-workers", "pip", "setuptools"}
    assert "hostray-workers" in names
