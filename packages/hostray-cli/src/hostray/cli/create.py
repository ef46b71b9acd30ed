"""`hostray create DIR`: write the seed's hello project from the template files shipped with us."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from hostray.cli.errors import CliError
from hostray.cli.templates import write_template
from hostray.cli.versions import compatible_requirement

__all__ = ["TEMPLATE", "create_project"]

TEMPLATE = "hello"


def _template_values() -> dict[str, str]:
    """What the hello template fills in: requirement ranges of the installed hostray packages."""
    try:
        return {
            "hostray_web": compatible_requirement("hostray-web"),
            "hostray_cli": compatible_requirement("hostray-cli"),
        }
    except LookupError as exc:
        raise CliError(f"cannot write requirements.txt: {exc}") from None


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
    write_template(TEMPLATE, target, _template_values())
    print(f"project created at {target}")
    print(f"start it with: hostray start {shlex.quote(os.fspath(directory))}")
    return target
