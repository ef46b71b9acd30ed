"""Project templates shipped as package data (`hostray/cli/templates/<name>/`), and copying them.

Every template file ends in `-tpl`, which keeps linters and type checkers off the projects' code;
the copy drops the suffix and fills in `$name` placeholders (`string.Template`).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.abc import Traversable
from importlib.resources import files
from pathlib import Path
from string import Template

from hostray.cli.errors import CliError

__all__ = ["TEMPLATE_SUFFIX", "template_files", "write_template"]

TEMPLATE_SUFFIX = "-tpl"


def _walk(node: Traversable, relative: Path) -> list[tuple[Path, Traversable]]:
    found: list[tuple[Path, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            found.extend(_walk(child, relative / child.name))
        elif child.name.endswith(TEMPLATE_SUFFIX):
            found.append((relative / child.name[: -len(TEMPLATE_SUFFIX)], child))
    return found


def template_files(name: str) -> list[tuple[Path, Traversable]]:
    """The files of template `name` as (path in the project, resource), sorted."""
    return _walk(files("hostray.cli").joinpath("templates").joinpath(name), Path())


def write_template(name: str, target: Path, values: Mapping[str, object]) -> list[Path]:
    """Write template `name` into `target` with `values` filled in; the paths written.

    Nothing is written when a path of the template is a symbolic link (or lies below one) that
    leads out of `target`: `create --force` must not overwrite files elsewhere.
    """
    entries = template_files(name)
    _refuse_links_out(target, [relative for relative, _ in entries])
    written: list[Path] = []
    for relative, resource in entries:
        text = Template(resource.read_text(encoding="utf-8")).substitute(values)
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"{path}: cannot write: {exc.strerror or exc}") from None
        written.append(path)
    return written


def _refuse_links_out(target: Path, relatives: list[Path]) -> None:
    """CliError naming the first template path that a symbolic link would send out of `target`."""
    root = target.resolve()
    for relative in relatives:
        path = target / relative
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise CliError(
                f"{path}: a symbolic link leads it to {resolved}, outside the project; "
                "nothing was written (remove the link first)"
            )
