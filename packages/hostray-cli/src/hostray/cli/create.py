"""`hostray create DIR`: write the seed's hello project from the template files shipped with us."""

from __future__ import annotations

import os
from importlib.abc import Traversable
from importlib.resources import files
from pathlib import Path
from string import Template

from hostray.cli.errors import CliError
from hostray.cli.versions import compatible_requirement

__all__ = ["TEMPLATE_SUFFIX", "create_project", "template_root"]

TEMPLATE_SUFFIX = "-tpl"
"""Every template file ends so (keeping linters and type checkers off the project's code); the copy
drops the suffix and fills in `$hostray_web` / `$hostray_cli` (requirement ranges)."""


def template_root() -> Traversable:
    """The hello project template, package data of hostray-cli."""
    return files("hostray.cli").joinpath("templates").joinpath("hello")


def _template_values() -> dict[str, str]:
    """What templates may use: the requirement ranges of the installed hostray packages."""
    try:
        return {
            "hostray_web": compatible_requirement("hostray-web"),
            "hostray_cli": compatible_requirement("hostray-cli"),
        }
    except LookupError as exc:
        raise CliError(f"cannot write requirements.txt: {exc}") from None


def _walk(node: Traversable, relative: Path) -> list[tuple[Path, Traversable]]:
    """Every template file under `node` as (its path in the project, resource), sorted."""
    found: list[tuple[Path, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            found.extend(_walk(child, relative / child.name))
        elif child.name.endswith(TEMPLATE_SUFFIX):
            found.append((relative / child.name[: -len(TEMPLATE_SUFFIX)], child))
    return found


def _check_target(target: Path, force: bool) -> None:
    """Refuse a file, or a non-empty directory unless forced."""
    if target.exists() and not target.is_dir():
        raise CliError(f"{target}: exists and is not a directory")
    if target.is_dir() and not force and any(target.iterdir()):
        raise CliError(
            f"{target}: directory is not empty (use --force to write the template into it)"
        )


def create_project(directory: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Scaffold the hello project in `directory` and return its absolute path."""
    target = Path(directory).absolute()
    _check_target(target, force)
    values = _template_values()
    for relative, resource in _walk(template_root(), Path()):
        text = Template(resource.read_text(encoding="utf-8")).substitute(values)
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"{path}: cannot write: {exc.strerror or exc}") from None
    print(f"project created at {target}")
    print(f"start it with: hostray start {directory}")
    return target
