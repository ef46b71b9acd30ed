"""Which files `hostray pack` takes: the project folder plus pack.yaml's `include`, minus `exclude`.

Always left out: `__pycache__`, VCS folders, virtualenvs (any folder holding `pyvenv.cfg`) and the
paths the caller names (the archive being written). Each file gets an archive path that starts with
the project folder's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hostray.cli.errors import CliError

__all__ = ["PACK_FILE", "PackRules", "PackedFile", "collect_files", "read_pack_rules"]

PACK_FILE = "pack.yaml"
_ALWAYS_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".bzr"})


@dataclass(frozen=True)
class PackedFile:
    """A file on disk and the path it gets inside the archive (posix, project name first)."""

    source: Path
    arcname: str


@dataclass
class PackRules:
    """pack.yaml, resolved against the project folder."""

    include: list[Path] = field(default_factory=list)
    exclude_extensions: tuple[str, ...] = ()
    exclude_dirs: list[Path] = field(default_factory=list)
    exclude_files: list[Path] = field(default_factory=list)


def _entries(config: dict[str, Any], key: str, where: str) -> list[str]:
    """The list under `key`, each entry a non-empty string."""
    value = config.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CliError(f"{where}: {key}: expected a list of paths, got {type(value).__name__}")
    for index, entry in enumerate(value):
        if not isinstance(entry, str) or not entry.strip():
            raise CliError(f"{where}: {key}[{index}]: expected a path, got {entry!r}")
    return [entry.strip() for entry in value]


def _resolve(project: Path, entry: str) -> Path:
    """An entry of pack.yaml as an absolute path: relative entries are under the project."""
    return (project / os.path.expanduser(entry)).resolve()


def read_pack_rules(project: Path) -> PackRules:
    """Read `project/pack.yaml`; a missing or empty file means every file of the project."""
    path = project / PACK_FILE
    if not path.is_file():
        return PackRules()
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = f":{exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise CliError(f"{path}{line}: invalid YAML: {exc.problem}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CliError(f"{path}: cannot read: {exc}") from None
    if config is None:
        return PackRules()
    if not isinstance(config, dict):
        raise CliError(
            f"{path}: expected a mapping with include/exclude, got {type(config).__name__}"
        )
    unknown = sorted(str(k) for k in config if k not in ("include", "exclude"))
    if unknown:
        raise CliError(f"{path}: unknown key {unknown[0]!r} (expected include, exclude)")
    rules = PackRules()
    for entry in _entries(config, "include", str(path)):
        target = _resolve(project, entry)
        if not target.exists():
            raise CliError(f"{path}: include: {entry}: no such file or directory")
        rules.include.append(target)
    extensions: list[str] = []
    for entry in _entries(config, "exclude", str(path)):
        if entry.startswith(".") and "/" not in entry and "\\" not in entry:
            extensions.append(entry)
        elif entry.endswith(("/", "\\")) or _resolve(project, entry).is_dir():
            rules.exclude_dirs.append(_resolve(project, entry))
        else:
            rules.exclude_files.append(_resolve(project, entry))
    rules.exclude_extensions = tuple(extensions)
    return rules


def _is_skipped_dir(path: Path, rules: PackRules) -> bool:
    """VCS folders, caches, virtualenvs and excluded folders are not walked into."""
    if path.name in _ALWAYS_SKIPPED_DIRS or (path / "pyvenv.cfg").is_file():
        return True
    resolved = path.resolve()
    return any(resolved == d or resolved.is_relative_to(d) for d in rules.exclude_dirs)


def _is_skipped_file(path: Path, rules: PackRules, skipped: set[Path]) -> bool:
    """Excluded extensions and files, and the paths the caller leaves out."""
    resolved = path.resolve()
    if resolved in skipped or resolved in rules.exclude_files:
        return True
    if any(resolved.is_relative_to(d) for d in rules.exclude_dirs):
        return True
    return path.name.endswith(rules.exclude_extensions) if rules.exclude_extensions else False


def _walk(root: Path, rules: PackRules, skipped: set[Path]) -> list[Path]:
    """Every packable file under `root` (a folder or a file); folder links are followed once."""
    if root.is_file():
        return [] if _is_skipped_file(root, rules, skipped) else [root]
    found: list[Path] = []
    seen: set[Path] = set()
    for current, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(current)
        real = here.resolve()
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not _is_skipped_dir(here / d, rules))
        for name in sorted(filenames):
            path = here / name
            if not path.exists():
                raise CliError(f"{path}: broken symbolic link")
            if not _is_skipped_file(path, rules, skipped):
                found.append(path)
    return found


def collect_files(
    project: Path, rules: PackRules, skipped: set[Path] | None = None
) -> list[PackedFile]:
    """The files to pack, sorted by archive path.

    Files of the project keep their relative path; an `include` outside the project goes under the
    project folder by its own name (`include: [../shared/data/]` → `<project>/data/…`).
    """
    project = project.resolve()
    left_out = {p.resolve() for p in (skipped or set())}
    by_arcname: dict[str, PackedFile] = {}
    roots = [(project, project)]
    roots += [(p, project if p.is_relative_to(project) else p.parent) for p in rules.include]
    for root, base in roots:
        for path in _walk(root, rules, left_out):
            relative = path.relative_to(base).as_posix()
            arcname = f"{project.name}/{relative}"
            known = by_arcname.get(arcname)
            if known is not None and known.source.resolve() != path.resolve():
                raise CliError(
                    f"{project / PACK_FILE}: include: {path} would overwrite {known.source} "
                    f"as {arcname} in the archive"
                )
            by_arcname[arcname] = PackedFile(path, arcname)
    return [by_arcname[name] for name in sorted(by_arcname)]
