"""Which files `hostray pack` takes: the project folder plus pack.yaml's `include`, minus `exclude`.

Always left out: `__pycache__`, VCS folders, virtualenvs (any folder holding `pyvenv.cfg`) and the
paths the caller names (the archive being written). Left out unless pack.yaml names them in
`include`: secrets and live data (`hostray.cli.packdefaults`). A symbolic link that leads out of
the project is an error unless pack.yaml `include`s it. Each file gets an archive path that starts
with the project folder's name, and keeps its permission bits.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hostray.cli.errors import CliError
from hostray.cli.packdefaults import DEFAULT_EXCLUDE, LiveData, live_data, matches_any

__all__ = ["PACK_FILE", "PackRules", "PackedFile", "collect_files", "read_pack_rules"]

PACK_FILE = "pack.yaml"
_ALWAYS_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".bzr"})
_KEYS = ("include", "exclude", "default_exclude")


@dataclass(frozen=True)
class PackedFile:
    """A file on disk and the path it gets inside the archive (posix, project name first)."""

    source: Path
    arcname: str
    mode: int = 0o644
    """Permission bits of the file on disk."""


@dataclass
class PackRules:
    """pack.yaml, resolved against the project folder."""

    include: list[Path] = field(default_factory=list)
    linked: list[Path] = field(default_factory=list)
    """Targets of the project's symbolic links that `include` names: followed where they stand."""
    named: set[Path] = field(default_factory=set)
    """Every `include` entry, resolved: packed even when a default exclude matches it."""
    exclude_extensions: tuple[str, ...] = ()
    exclude_dirs: list[Path] = field(default_factory=list)
    exclude_files: list[Path] = field(default_factory=list)
    default_exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    live: LiveData = field(default_factory=LiveData)


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


def _load_pack_yaml(path: Path) -> dict[Any, Any] | None:
    """The mapping of pack.yaml (None: empty), or a one-line CliError naming the file."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = f":{exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise CliError(f"{path}{line}: invalid YAML: {exc.problem}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CliError(f"{path}: cannot read: {exc}") from None
    if config is None:
        return None
    if not isinstance(config, dict):
        raise CliError(
            f"{path}: expected a mapping with include/exclude, got {type(config).__name__}"
        )
    unknown = sorted(str(k) for k in config if k not in _KEYS)
    if unknown:
        raise CliError(f"{path}: unknown key {unknown[0]!r} (expected {', '.join(_KEYS)})")
    return config


def _add_includes(rules: PackRules, project: Path, entries: list[str], path: Path) -> None:
    """Name each `include` entry; a link of the project is packed where it stands."""
    for entry in entries:
        target = _resolve(project, entry)
        if not target.exists():
            raise CliError(f"{path}: include: {entry}: no such file or directory")
        rules.named.add(target)
        spelled = Path(os.path.normpath(project / os.path.expanduser(entry)))
        if spelled.is_relative_to(project) and not target.is_relative_to(project):
            rules.linked.append(target)  # a link of the project: packed where it stands
        else:
            rules.include.append(target)


def _add_excludes(rules: PackRules, project: Path, entries: list[str]) -> None:
    """Sort each `exclude` entry into an extension, a folder or a file."""
    extensions: list[str] = []
    for entry in entries:
        if entry.startswith(".") and "/" not in entry and "\\" not in entry:
            extensions.append(entry)
        elif entry.endswith(("/", "\\")) or _resolve(project, entry).is_dir():
            rules.exclude_dirs.append(_resolve(project, entry))
        else:
            rules.exclude_files.append(_resolve(project, entry))
    rules.exclude_extensions = tuple(extensions)


def read_pack_rules(project: Path) -> PackRules:
    """Read `project/pack.yaml`; a missing or empty file means every file of the project but
    the default excludes."""
    path = project / PACK_FILE
    rules = PackRules(live=live_data(project))
    config = _load_pack_yaml(path) if path.is_file() else None
    if config is None:
        return rules
    if "default_exclude" in config:
        rules.default_exclude = tuple(_entries(config, "default_exclude", str(path)))
    _add_includes(rules, project, _entries(config, "include", str(path)), path)
    _add_excludes(rules, project, _entries(config, "exclude", str(path)))
    return rules


def _is_skipped_dir(path: Path, rules: PackRules) -> bool:
    """VCS folders, caches, virtualenvs and excluded folders are not walked into."""
    if path.name in _ALWAYS_SKIPPED_DIRS or (path / "pyvenv.cfg").is_file():
        return True
    resolved = path.resolve()
    if any(resolved == d or resolved.is_relative_to(d) for d in rules.exclude_dirs):
        return True
    return resolved in rules.live.dirs and resolved not in rules.named


def _is_skipped_file(path: Path, rules: PackRules, skipped: set[Path]) -> bool:
    """Excluded extensions and files, and the paths the caller leaves out."""
    resolved = path.resolve()
    if resolved in skipped or resolved in rules.exclude_files:
        return True
    if any(resolved.is_relative_to(d) for d in rules.exclude_dirs):
        return True
    if rules.exclude_extensions and path.name.endswith(rules.exclude_extensions):
        return True
    if resolved in rules.named:
        return False
    live = rules.live
    if resolved in live.files or any(str(resolved).startswith(str(p)) for p in live.file_prefixes):
        return True
    return matches_any(path.name, rules.default_exclude)


def _check_link(path: Path, boundaries: list[Path]) -> None:
    """A symbolic link must lead inside the project or an `include`d path."""
    target = path.resolve()
    if not any(target == b or target.is_relative_to(b) for b in boundaries):
        raise CliError(
            f"{path}: symbolic link to {target} leads out of the project (not packed; "
            f"name it in {PACK_FILE} include to pack it)"
        )


def _walk(root: Path, rules: PackRules, skipped: set[Path], boundaries: list[Path]) -> list[Path]:
    """Every packable file under `root` (a folder or a file); folder links are followed once,
    if they lead inside the `boundaries`."""
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
        for name in dirnames:
            if (here / name).is_symlink():
                _check_link(here / name, boundaries)
        for name in sorted(filenames):
            path = here / name
            if not path.exists():
                raise CliError(f"{path}: broken symbolic link")
            if not _is_skipped_file(path, rules, skipped):
                if path.is_symlink():
                    _check_link(path, boundaries)
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
    boundaries = [project, *rules.include, *rules.linked]
    for root, base in roots:
        for path in _walk(root, rules, left_out, boundaries):
            relative = path.relative_to(base).as_posix()
            arcname = f"{project.name}/{relative}"
            known = by_arcname.get(arcname)
            if known is not None and known.source.resolve() != path.resolve():
                raise CliError(
                    f"{project / PACK_FILE}: include: {path} would overwrite {known.source} "
                    f"as {arcname} in the archive"
                )
            by_arcname[arcname] = PackedFile(path, arcname, stat.S_IMODE(path.stat().st_mode))
    return [by_arcname[name] for name in sorted(by_arcname)]
