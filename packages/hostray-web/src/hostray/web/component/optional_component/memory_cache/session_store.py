"""`SessionStore`: what `memory_cache` asks of a session backend, one class per backend.

`MemorySessionStore` (memory_store.py) keeps sessions in this process; `RedisSessionStore`
(redis_store.py) in Redis. `MemoryCacheComponent` picks one from `backend:` and delegates every
call to it. A new backend is a class with these methods, added to `memory_cache.STORES`.

A session is created in the store only when something is stored in it: `get` of an unknown id
hands out an empty dict under a new id, and nothing is written until the dict changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from hostray.web.counters import EventCounter

from .session_data import SessionDict

__all__ = ["SessionStore"]


class SessionStore(Protocol):
    """A session backend: session dicts by id, each expiring after the configured lifetime.

    Every `get` / `get_async` adds one to `hits` (a live session found) or `misses` (none: no
    id, an unknown or an expired one), without a lock (`EventCounter`)."""

    hits: EventCounter
    misses: EventCounter

    def start(self) -> None:
        """Get ready to serve (load saved sessions, start timers, check the server)."""

    def get(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """`(session dict, id)` of a live session, or an empty dict under a new id; a dict from
        here stores its changes as they are made."""

    async def get_async(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """`get` for coroutines; a backend may keep the changes until `save_session_async`."""

    def save_session(self, session_id: str, session: SessionDict) -> bool:
        """Store the changes of `session`; False when it expired or was cleared meanwhile."""

    async def save_session_async(self, session_id: str, session: SessionDict) -> bool:
        """`save_session` for coroutines."""

    def get_expired_datetime(self, session_id: str) -> datetime:
        """When the session expires (local time); now for an unknown or expired session."""

    async def get_expired_datetime_async(self, session_id: str) -> datetime:
        """`get_expired_datetime` for coroutines."""

    def clear_session(self, session_id: str) -> None:
        """Remove the session (logout); an unknown id is ignored."""

    async def clear_session_async(self, session_id: str) -> None:
        """`clear_session` for coroutines."""

    def save_to_file(self) -> None:
        """Write the sessions to the backend's save file, if it has one."""

    def load_from_file(self) -> None:
        """Add the sessions of the backend's save file, if it has one."""

    async def ready_async(self) -> str | None:
        """None when the backend can serve sessions, else why not (the `server_ready` route)."""

    async def aclose(self) -> None:
        """Stop timers, save what must survive a restart, close connections."""

    def info(self) -> dict[str, Any]:
        """What `/components_info` shows of the backend (no secrets)."""
