"""Paths as `/components_info` shows them: relative to the project, never the host's layout.

A path inside the project becomes relative to it (`logs`, `data/app.sqlite`); one inside an import
directory (site-packages, an editable install) becomes `<sys.path>/hostray/web/messages.csv`; any
other absolute path under a path-like key (`dir`, `save_file`, `*_path`, …) shows only its name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["IMPORT_DIR", "OUTSIDE_PROJECT", "show_paths"]

IMPORT_DIR = "<sys.path>"
OUTSIDE_PROJECT = "<outside project>"

_PATH_KEYS = frozenset(
    {"dir", "dirs", "path", "paths", "file", "files", "file_name", "save_file", "files_loaded"}
)
_PATH_SUFFIXES = ("_dir", "_path", "_file", "_files", "_paths", "_dirs")


def show_paths(value: Any, root_dir: str) -> Any:
    """A copy of `value` (mappings, lists, strings) with every absolute path shown as above."""
    root = os.path.realpath(root_dir)
    return _Shower(root, _import_dirs(root)).show(value, None)


class _Shower:
    """One pass over an info tree: the project root and the import directories, found once."""

    def __init__(self, root: str, import_dirs: list[str]) -> None:
        self.root = root
        self.import_dirs = import_dirs

    def show(self, value: Any, key: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: self.show(item, k) for k, item in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.show(item, key) for item in value]
        if isinstance(value, str) and _looks_absolute(value):
            return self.path(value, _is_path_key(key))
        return value

    def path(self, path: str, path_key: bool) -> str:
        real = os.path.realpath(path)
        inside = _relative_to(real, self.root)
        if inside is not None:
            return inside
        for import_dir in self.import_dirs:
            below = _relative_to(real, import_dir)
            if below is not None and below != ".":
                return f"{IMPORT_DIR}/{below}"
        return f"{OUTSIDE_PROJECT}/{os.path.basename(real)}" if path_key else path


def _looks_absolute(text: str) -> bool:
    return os.path.isabs(text) and "://" not in text and "\n" not in text


def _is_path_key(key: Any) -> bool:
    return isinstance(key, str) and (key in _PATH_KEYS or key.endswith(_PATH_SUFFIXES))


def _relative_to(path: str, directory: str) -> str | None:
    """`path` relative to `directory` with `/` separators, or None when it lies outside."""
    try:
        if os.path.commonpath([path, directory]) != directory:
            return None
    except ValueError:  # different drives
        return None
    return os.path.relpath(path, directory).replace(os.sep, "/")


def _import_dirs(root: str) -> list[str]:
    """The import directories, longest first, leaving out the project and the directories that
    hold it (those would show the project's neighbours)."""
    found = {os.path.realpath(entry) for entry in sys.path if entry and os.path.isabs(entry)}
    return sorted(
        (d for d in found if _relative_to(root, d) is None and _relative_to(d, root) is None),
        key=len,
        reverse=True,
    )
