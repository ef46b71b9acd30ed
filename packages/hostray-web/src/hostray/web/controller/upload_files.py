"""The file system side of uploads: names that cannot leave their directory, directories made for
one upload (and removed again if it fails), and the sweep of partial files an earlier run left.

A partial upload is a hidden `.upload-*.part` file beside its target, locked (`flock`) by the
process writing it; a partial file nobody holds a lock on was left by a process that died.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Sequence
from typing import IO

__all__ = [
    "MAX_NAME_BYTES",
    "MAX_NAME_PARTS",
    "MAX_PART_BYTES",
    "PartialFile",
    "make_directories",
    "remove_directories",
    "safe_relative_path",
    "sweep_partial_files",
]

MAX_PART_BYTES = 255
"""Bytes of one part of a file name (what Linux file systems allow)."""
MAX_NAME_BYTES = 1024
"""Bytes of a whole file name, its directories included."""
MAX_NAME_PARTS = 32
"""Parts of a file name: at most 31 directories below `upload_dir`."""
PREFIX, SUFFIX = ".upload-", ".part"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_PARTIAL = re.compile(r"^\.upload-.*\.part$")


def safe_relative_path(name: str) -> str:
    """`name` as a relative path with no way out of its directory; ValueError if it has none.

    Refused: control characters (NUL included), absolute paths (`/x`, `\\x`, `C:x`), `..` parts,
    empty names, parts longer than 255 bytes, names longer than 1024 bytes or with more than 32
    parts. `\\` counts as a separator; `.` and empty parts are dropped.
    """
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ValueError(f"the file name is longer than {MAX_NAME_BYTES} bytes")
    if _CONTROL.search(name):
        raise ValueError("the file name contains a control character")
    name = name.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError("the file name must be relative")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts:
        raise ValueError("the file name is empty")
    if ".." in parts:
        raise ValueError("the file name must not contain '..'")
    if len(parts) > MAX_NAME_PARTS:
        raise ValueError(f"the file name has more than {MAX_NAME_PARTS} parts")
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES for part in parts):
        raise ValueError(f"a part of the file name is longer than {MAX_PART_BYTES} bytes")
    return "/".join(parts)


def make_directories(directory: str) -> list[str]:
    """Create `directory` and its missing parents; the ones created, outermost first. If making
    one fails, those already made are removed again before the error is raised."""
    missing: list[str] = []
    current = directory
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    missing.reverse()
    created: list[str] = []
    try:
        for path in missing:
            os.mkdir(path)
            created.append(path)
    except OSError:
        remove_directories(created)
        raise
    return created


def remove_directories(created: Sequence[str]) -> None:
    """Remove the directories `make_directories` made, innermost first, as far as they are
    empty (another upload may have put a file in one meanwhile)."""
    for path in reversed(created):
        try:
            os.rmdir(path)
        except OSError:
            return


class PartialFile:
    """A locked hidden temporary file in `directory`, the body of one upload while it arrives."""

    def __init__(self, directory: str) -> None:
        while True:
            fd, path = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX, dir=directory)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A sweep may have removed the file between mkstemp and flock: then make another.
            try:
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        self.path = path
        self.file: IO[bytes] | None = os.fdopen(fd, "wb")

    def commit(self, target: str) -> None:
        """Move the complete file to `target` (still locked, so no sweep takes it), then close."""
        assert self.file is not None
        self.file.flush()
        os.replace(self.path, target)
        self.close()

    def close(self) -> None:
        """Close the file (which releases the lock)."""
        if self.file is not None:
            self.file.close()
            self.file = None

    def discard(self) -> None:
        """Delete the file while still holding its lock, then close it."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self.close()


def sweep_partial_files(upload_dir: str) -> int:
    """Delete the `.upload-*.part` files under `upload_dir` that no process holds a lock on
    (left by a process that was killed); how many were deleted."""
    removed = 0
    for directory, _dirs, files in os.walk(upload_dir):
        for name in files:
            if _PARTIAL.match(name) and _remove_unlocked(os.path.join(directory, name)):
                removed += 1
    return removed


def _remove_unlocked(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # an upload in progress (this or another process)
        try:
            os.unlink(path)
        except OSError:
            return False
        return True
    finally:
        os.close(fd)
