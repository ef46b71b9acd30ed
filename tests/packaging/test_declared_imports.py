"""Every distribution a package imports is one it declares (a dependency, or an extra for imports
of optional drivers), read from the package's source with `ast`."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from packages import PACKAGES  # noqa: E402

# hostray.<module> → the distribution that ships it
SIBLINGS = {module: name for name, package in PACKAGES.items() for module in package.modules}


def _imported_top_names(path: Path) -> dict[str, int]:
    """Top-level names of the absolute imports in `path`, each with the line of its first import."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "hostray":
                names = [f"hostray.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            key = ".".join(parts[:2]) if parts[0] == "hostray" else parts[0]
            found.setdefault(key, node.lineno)
    return found


def _declared(name: str) -> set[str]:
    """The distributions `name` declares: dependencies and every extra's requirements."""
    project = tomllib.loads((PACKAGES[name].path / "pyproject.toml").read_text("utf-8"))["project"]
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    return {canonicalize_name(Requirement(spec).name) for spec in specs}


def _distributions(import_name: str, owner: str) -> set[str] | None:
    """The distributions that provide `import_name`; None for the standard library and `owner`."""
    if import_name.startswith("hostray."):
        module = import_name.split(".", 1)[1]
        if module == "__main__" or SIBLINGS.get(module) == owner:
            return None
        if module not in SIBLINGS:
            return {f"<unknown hostray module {import_name}>"}
        return {SIBLINGS[module]}
    if import_name in sys.stdlib_module_names or import_name == "__future__":
        return None
    dists = packages_distributions().get(import_name)
    if not dists:
        return {f"<no installed distribution provides {import_name!r}>"}
    return {canonicalize_name(d) for d in dists}


def _sources(name: str) -> list[Path]:
    src = PACKAGES[name].path / "src"
    return sorted(
        p
        for p in src.rglob("*.py")
        if "templates" not in p.relative_to(src).parts  # project templates, not our code
    )


@pytest.mark.parametrize("name", list(PACKAGES))
def test_every_imported_distribution_is_declared(name: str) -> None:
    declared = _declared(name)
    missing = []
    for path in _sources(name):
        for import_name, line in _imported_top_names(path).items():
            dists = _distributions(import_name, name)
            if dists is not None and not dists & declared:
                where = path.relative_to(ROOT)
                missing.append(
                    f"{where}:{line}: imports {import_name} ({', '.join(sorted(dists))})"
                )
    assert missing == [], f"{name} imports what it does not declare:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", list(PACKAGES))
def test_the_check_reads_every_source_file(name: str) -> None:
    assert _sources(name), f"{name}: no source files found"


def test_the_check_finds_a_missing_declaration(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("import os\nimport yaml\nfrom hostray import web\nfrom . import x\n")
    assert _imported_top_names(source) == {"os": 1, "yaml": 2, "hostray.web": 3}
    assert _distributions("os", "hostray-workers") is None
    assert _distributions("yaml", "hostray-workers") == {"pyyaml"}
    assert _distributions("hostray.web", "hostray-cli") == {"hostray-web"}
    assert _distributions("hostray.cli", "hostray-cli") is None
    assert "pyyaml" not in _declared("hostray-workers")
