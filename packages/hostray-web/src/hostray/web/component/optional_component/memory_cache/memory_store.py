"""Sessions kept in this process: a dict guarded by a lock, swept and saved on a timer thread."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hostray.web.counters import EventCounter

from ..errors import SessionValueError
from .session_data import SessionDict, encode
from .session_file import FORMAT, read_sessions, remove_leftovers, write_atomically

__all__ = ["MAX_SWEEP_INTERVAL", "MemorySessionStore", "SessionEntry", "new_session_id"]

MAX_SWEEP_INTERVAL = 60.0
logger = logging.getLogger("hostray.web.memory_cache")


def new_session_id() -> str:
    """256 random bits from `secrets`, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class SessionEntry:
    """A session's dict and its expiry in seconds since the epoch."""

    __slots__ = ("data", "expires")

    def __init__(self, data: SessionDict, expires: float) -> None:
        self.data = data
        self.expires = expires


def _hold(session: SessionDict) -> None:
    """The store keeps this very dict: it is stored, and each change is saved as it is made."""
    session.stored = True
    session.mark_saved()
    session.on_change = session.mark_saved


class MemorySessionStore:
    """The `SessionStore` of `backend: memory`: a thread-safe session dict with expiry;
    `save_file` keeps sessions across restarts.

    Expired sessions are removed when touched and by a sweep every `min(lifetime, 60)` seconds, so
    memory stays bounded by the sessions stored within one lifetime plus one sweep interval. A
    session handed out by `get` is stored when it first changes: reading costs no memory.
    """

    def __init__(
        self,
        lifetime: float,
        save_file: str | None = None,
        save_interval: float | None = None,
    ) -> None:
        self.lifetime = float(lifetime)
        self.save_file = save_file
        self.save_interval = save_interval if save_file else None
        self.sweep_interval = max(0.05, min(self.lifetime, MAX_SWEEP_INTERVAL))
        self.entries: dict[str, SessionEntry] = {}
        """Session id → entry. Read it freely (a dict read is atomic); change it only through
        the methods, which hold the lock."""
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self.saves = 0
        """Writes of `save_file` so far (the `metrics` component's)."""
        self.save_seconds = 0.0
        """Seconds those writes took, in all."""
        self.hits = EventCounter()
        """`get` calls that found a live session (the `metrics` component's)."""
        self.misses = EventCounter()
        """`get` calls that found none (no id, an unknown or an expired one): a new session."""
        self._stop = threading.Event()
        self._timer = threading.Thread(
            target=self._run_timer, name="hostray-memory-cache", daemon=True
        )

    def start(self) -> None:
        """Remove what saves interrupted by a crash left, load `save_file` if set and start the
        sweep/save timer."""
        if self.save_file:
            remove_leftovers(self.save_file)
        self.load_from_file()
        self._timer.start()

    def close(self) -> None:
        """Stop the timer and save to `save_file`; the store keeps answering until collected."""
        self._stop.set()
        if self._timer.is_alive():
            self._timer.join()
        self.save_to_file()

    async def ready_async(self) -> str | None:
        """Sessions in this process can always be served."""
        return None

    async def aclose(self) -> None:
        """`close` off the event loop (the save writes a file)."""
        await asyncio.to_thread(self.close)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, session_id: object) -> bool:
        entry = self.entries.get(session_id)  # type: ignore[call-overload]
        return entry is not None and entry.expires >= time.time()

    def get(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """The live session dict of `session_id`, or a new session when unknown or expired."""
        now = time.time()
        entry = self.entries.get(session_id)
        if entry is not None and not (renew_lifetime or renew_id) and entry.expires >= now:
            self.hits.add()
            return entry.data, session_id  # a plain read needs no lock
        with self._lock:
            entry = self.entries.get(session_id)
            if entry is not None and entry.expires >= now:
                if renew_id:
                    del self.entries[session_id]
                    session_id = new_session_id()
                    self.entries[session_id] = entry
                if renew_lifetime:
                    entry.expires = now + self.lifetime
                self.hits.add()
                return entry.data, session_id
            if entry is not None:
                del self.entries[session_id]
        self.misses.add()
        return self._new_session()

    async def get_async(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """`get`: nothing here waits."""
        return self.get(session_id, renew_lifetime, renew_id)

    def _new_session(self) -> tuple[SessionDict, str]:
        """An empty session under a new id, stored by its first change."""
        session_id = new_session_id()
        session = SessionDict()
        session.on_change = lambda: self._store_new(session_id, session)
        return session, session_id

    def _store_new(self, session_id: str, session: SessionDict) -> None:
        _hold(session)
        with self._lock:
            if session_id not in self.entries:
                self.entries[session_id] = SessionEntry(session, time.time() + self.lifetime)

    def save_session(self, session_id: str, session: SessionDict) -> bool:
        """Changes are in the store as they are made: whether the session is still live."""
        return session_id in self

    async def save_session_async(self, session_id: str, session: SessionDict) -> bool:
        """`save_session`."""
        return session_id in self

    def get_expired_datetime(self, session_id: str) -> datetime:
        """When the session expires (local time); now for an unknown or expired session."""
        entry = self.entries.get(session_id)
        now = time.time()
        if entry is None or entry.expires < now:
            return datetime.fromtimestamp(now)
        return datetime.fromtimestamp(entry.expires)

    async def get_expired_datetime_async(self, session_id: str) -> datetime:
        """`get_expired_datetime`."""
        return self.get_expired_datetime(session_id)

    def clear_session(self, session_id: str) -> None:
        """Forget the session (logout); unknown ids are ignored."""
        with self._lock:
            self.entries.pop(session_id, None)

    async def clear_session_async(self, session_id: str) -> None:
        """`clear_session`."""
        self.clear_session(session_id)

    def sweep(self) -> int:
        """Remove expired sessions; returns how many."""
        now = time.time()
        with self._lock:
            expired = [sid for sid, entry in self.entries.items() if entry.expires < now]
            for sid in expired:
                del self.entries[sid]
        return len(expired)

    def save_to_file(self) -> None:
        """Write the live sessions to `save_file` atomically (no-op without `save_file`)."""
        if not self.save_file:
            return
        with self._save_lock:
            started = time.perf_counter()
            write_atomically(self.save_file, self._file_chunks())
            self.save_seconds += time.perf_counter() - started
            self.saves += 1

    def _file_chunks(self) -> Iterator[str]:
        now = time.time()
        with self._lock:
            entries = list(self.entries.items())
        yield f'{{"format":"{FORMAT}","sessions":['
        first = True
        for sid, entry in entries:
            if entry.expires < now:
                continue
            with self._lock:
                try:
                    text = encode({"id": sid, "expires": entry.expires, "data": entry.data})
                except (TypeError, ValueError) as exc:
                    logger.error(
                        "memory_cache: session not saved, its data cannot be stored: %s", exc
                    )
                    continue
            yield text if first else "," + text
            first = False
        yield "]}"

    def load_from_file(self) -> None:
        """Add the unexpired sessions of `save_file` (a corrupt file is moved aside, a bad entry
        skipped, each with a warning). No session outlives one lifetime from now."""
        if not self.save_file:
            return
        now = time.time()
        latest = now + self.lifetime
        loaded = {}
        for stored in read_sessions(self.save_file):
            if stored.expires < now:
                continue
            try:
                session = SessionDict(stored.data)
            except (SessionValueError, RecursionError) as exc:
                reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
                logger.warning(
                    "memory_cache: save_file %s: session #%d skipped: %s",
                    self.save_file,
                    stored.index,
                    reason,
                )
                continue
            _hold(session)
            loaded[stored.session_id] = SessionEntry(session, min(stored.expires, latest))
        with self._lock:
            self.entries.update(loaded)

    def _run_timer(self) -> None:
        """Sweep every `sweep_interval` and save every `save_interval`, until `close`."""
        next_sweep = time.monotonic() + self.sweep_interval
        next_save = time.monotonic() + self.save_interval if self.save_interval else math.inf
        while not self._stop.wait(max(0.0, min(next_sweep, next_save) - time.monotonic())):
            now = time.monotonic()
            if now >= next_sweep:
                self.sweep()
                next_sweep = now + self.sweep_interval
            if now >= next_save and self.save_interval:
                self._save_logged()
                next_save = now + self.save_interval

    def _save_logged(self) -> None:
        try:
            self.save_to_file()
        except OSError as exc:
            logger.error("memory_cache: cannot write save_file %s: %s", self.save_file, exc)

    def info(self) -> dict[str, Any]:
        """What `/components_info` shows of this store."""
        return {
            "backend": "memory",
            "sessions": len(self.entries),
            "save_file": self.save_file,
            "save_interval": self.save_interval,
        }
