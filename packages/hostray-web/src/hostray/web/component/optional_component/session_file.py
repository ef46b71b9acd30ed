"""Reading and writing the `save_file` of the in-memory session store.

Written atomically (temporary file in the same directory, fsync, rename), so a crash mid-write
leaves the previous file intact. A file that cannot be read back is moved aside with a warning:
the server starts with no sessions rather than not at all.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .session_data import decode

__all__ = ["FORMAT", "StoredSession", "read_sessions", "write_atomically"]

FORMAT = "hostray-sessions/1"
logger = logging.getLogger("hostray.web.memory_cache")


@dataclass(frozen=True)
class StoredSession:
    """One session as the file holds it: its id, expiry (seconds since the epoch) and data."""

    session_id: str
    expires: float
    data: dict[str, Any]


def write_atomically(path: str, chunks: Iterable[str]) -> None:
    """Write `chunks` to `path` so that readers see the old file or the whole new one."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            for chunk in chunks:
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_sessions(path: str) -> list[StoredSession]:
    """The sessions saved in `path`; [] if it is missing or unreadable (then moved aside)."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        return []
    except OSError as exc:
        logger.warning("memory_cache: cannot read save_file %s (%s); starting empty", path, exc)
        return []
    try:
        return _parse(raw)
    except ValueError as exc:
        aside = _move_aside(path)
        logger.warning(
            "memory_cache: save_file %s is not a session file (%s); moved it to %s and "
            "started with no sessions",
            path,
            exc,
            aside,
        )
        return []


def _parse(raw: bytes) -> list[StoredSession]:
    try:
        document = decode(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"missing format marker {FORMAT!r}")
    entries = document.get("sessions")
    if not isinstance(entries, list):
        raise ValueError("'sessions' is not a list")
    sessions = []
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("id"), str)
            and isinstance(entry.get("expires"), (int, float))
            and isinstance(entry.get("data"), dict)
        ):
            raise ValueError(f"session #{index} needs str 'id', number 'expires', dict 'data'")
        sessions.append(StoredSession(entry["id"], float(entry["expires"]), entry["data"]))
    return sessions


def _move_aside(path: str) -> str:
    aside = f"{path}.corrupt-{datetime.now().strftime('%Y%m%dT%H%M%S%f')}"
    try:
        os.replace(path, aside)
    except OSError as exc:
        return f"nowhere ({exc})"
    return aside
