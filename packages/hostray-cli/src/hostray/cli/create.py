"""`hostray create DIR`: write the seed's hello project from the template files shipped with us."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from hostray.cli.errors import CliError
from hostray.cli.project_templates import write_template
from hostray.cli.versions import compatible_requirement
from hostray.web.config_validator import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_IDLE_CONNECTION_TIMEOUT,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_CONNECTIONS,
)

__all__ = ["TEMPLATE", "create_project"]

TEMPLATE = "hello"


def _template_values() -> dict[str, str]:
    """What the hello template fills in: requirement ranges of the installed hostray packages,
    and the server's limits as the config schema defaults them."""
    try:
        requirements = {
            "hostray_web": compatible_requirement("hostray-web"),
            "hostray_cli": compatible_requirement("hostray-cli"),
        }
    except LookupError as exc:
        raise CliError(f"cannot write requirements.txt: {exc}") from None
    return {  # padded so that the template's comments line up
        **requirements,
        "max_body_size": f"{DEFAULT_MAX_BODY_SIZE:<14}",
        "idle_connection_timeout": f"{DEFAULT_IDLE_CONNECTION_TIMEOUT:<4g}",
        "body_timeout": f"{DEFAULT_BODY_TIMEOUT:<15g}",
        "max_connections": f"{DEFAULT_MAX_CONNECTIONS:<12}",
    }


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
