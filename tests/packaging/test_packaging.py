"""The packaging rules of ARCHITECTURE.md §1, checked on freshly built wheels."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from packages import PACKAGES, build_dists  # noqa: E402


def _pyproject(name: str) -> dict[str, Any]:
    return tomllib.loads((PACKAGES[name].path / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, zipfile.ZipFile]:
    out = tmp_path_factory.mktemp("dist")
    build_dists(out, sdist=False)
    found = {}
    for name in PACKAGES:
        (wheel,) = out.glob(name.replace("-", "_") + "-*.whl")
        found[name] = zipfile.ZipFile(wheel)
    return found


@pytest.mark.parametrize("name", list(PACKAGES))
def test_wheel_holds_only_its_modules(name: str, wheels: dict[str, zipfile.ZipFile]) -> None:
    files = [n for n in wheels[name].namelist() if ".dist-info/" not in n]
    assert "hostray/__init__.py" not in files, "hostray must stay a namespace package"
    allowed = tuple(f"hostray/{m}/" for m in PACKAGES[name].modules)
    extra = {"hostray/__main__.py"} if name == "hostray-cli" else set()
    stray = [f for f in files if not f.startswith(allowed) and f not in extra]
    assert stray == []
    for module in PACKAGES[name].modules:
        assert f"hostray/{module}/py.typed" in files
        assert f"hostray/{module}/__init__.py" in files


@pytest.mark.parametrize("name", list(PACKAGES))
def test_sibling_ranges_admit_current_versions(name: str) -> None:
    for spec in _pyproject(name)["project"].get("dependencies", []):
        req = Requirement(spec)
        sibling = canonicalize_name(req.name)
        if sibling in PACKAGES:
            current = _pyproject(sibling)["project"]["version"]
            assert req.specifier.contains(current), f"{name}: {spec} excludes {sibling} {current}"


@pytest.mark.parametrize("name", list(PACKAGES))
def test_dev_paths_point_at_existing_siblings(name: str) -> None:
    group = _pyproject(name)["tool"]["poetry"]["group"]["dev"]["dependencies"]
    declared = {
        canonicalize_name(Requirement(s).name)
        for s in _pyproject(name)["project"].get("dependencies", [])
    }
    for dep, spec in group.items():
        target = (PACKAGES[name].path / spec["path"]).resolve()
        assert (target / "pyproject.toml").is_file(), f"{name}: {spec['path']} is not a package"
        assert _pyproject(target.name)["project"]["name"] == dep
        assert spec.get("develop") is True
        assert dep in declared, f"{name}: dev path {dep} is not a declared dependency"


def test_workers_declares_no_runtime_dependency() -> None:
    assert _pyproject("hostray-workers")["project"]["dependencies"] == []
