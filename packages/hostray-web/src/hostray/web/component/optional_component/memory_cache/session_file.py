"""Reading and writing the `save_file` of the in-memory session store.

Written atomically (temporary file in the same directory, fsync, rename), so a crash mid-write
leaves the previous file intact; the temporary files such crashes leave are removed at start
(`remove_leftovers`). A file that cannot be read back (not JSON, nested too deeply, not of this
format) is moved aside with a warning: the server starts with no sessions rather than not at all.
An entry whose id or expiry cannot be right (an empty id, an expiry that is not a finite number) is
skipped, one warning line each.
"""

from __future__ import annotations

import glob
import logging
import math
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .session_data import decode

__all__ = ["FORMAT", "StoredSession", "read_sessions", "remove_leftovers", "write_atomically"]

FORMAT = "hostray-sessions/1"
logger = logging.getLogger("hostray.web.memory_cache")
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]+")
"""What `new_session_id` makes (URL-safe base64); anything else was not written by hostray."""


@dataclass(frozen=True)
class StoredSession:
    """One session as the file holds it: its id, expiry (seconds since the epoch) and data."""

    session_id: str
    expires: float
    data: dict[str, Any]
    index: int = 0
    """Its position in the file, for warnings."""


def _temporary_prefix(path: str) -> str:
    return f".{os.path.basename(path)}."


def remove_leftovers(path: str) -> int:
    """Delete the temporary files of saves of `path` that never finished (a crash or `kill -9`
    mid-write); returns how many. Call it before this process saves."""
    directory = os.path.dirname(path) or "."
    pattern = os.path.join(glob.escape(directory), glob.escape(_temporary_prefix(path)) + "*.tmp")
    removed = 0
    for leftover in glob.glob(pattern):
        try:
            os.unlink(leftover)
        except OSError as exc:
            logger.warning("memory_cache: cannot remove %s: %s", leftover, exc)
            continue
        removed += 1
    if removed:
        logger.warning(
            "memory_cache: removed %d unfinished save(s) of %s left by a crash", removed, path
        )
    return removed


def write_atomically(path: str, chunks: Iterable[str]) -> None:
    """Write `chunks` to `path` so that readers see the old file or the whole new one."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=directory)
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
        sessions = _parse(raw)
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
    return [session for session in sessions if _usable(session, path)]


def _usable(session: StoredSession, path: str) -> bool:
    """Whether an entry can be a session; a warning line names the one that cannot."""
    if not _SESSION_ID.fullmatch(session.session_id):
        problem = f"id {session.session_id[:20]!r} is not a session id"
    elif not math.isfinite(session.expires):
        problem = f"expires {session.expires!r} is not a finite time"
    else:
        return True
    logger.warning(
        "memory_cache: save_file %s: session #%d skipped: %s", path, session.index, problem
    )
    return False


def _parse(raw: bytes) -> list[StoredSession]:
    try:
        document = decode(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
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
        try:
            expires = float(entry["expires"])
        except OverflowError:  # an int past any float: no finite time
            expires = math.inf
        sessions.append(StoredSession(entry["id"], expires, entry["data"], index))
    return sessions


def _move_aside(path: str) -> str:
    aside = f"{path}.corrupt-{datetime.now().strftime('%Y%m%dT%H%M%S%f')}"
    try:
        os.replace(path, aside)
    except OSError as exc:
        return f"nowhere ({exc})"
    return aside
