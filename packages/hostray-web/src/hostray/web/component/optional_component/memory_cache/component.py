"""`memory_cache`: server-side sessions, in this process (`backend: memory`) or in Redis.

The seed's methods (`get`, `get_expired_datetime`, `save_to_file`, `load_from_file`,
`clear_session`) work with both backends; the `…_async` methods are what controllers use, since
with Redis each call is a network round trip. The component holds the settings and delegates
every call to its `SessionStore` (session_store.py), one class per backend (`STORES`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ... import Component, ComponentManager
from ..outages import show_logger
from ..settings import MemoryCacheSettings
from .memory_store import MemorySessionStore
from .session_data import SessionDict
from .session_store import SessionStore

__all__ = ["STORES", "MemoryCacheComponent"]

logger = logging.getLogger("hostray.web.memory_cache")


def _memory_store(settings: MemoryCacheSettings) -> SessionStore:
    return MemorySessionStore(settings.sess_lifetime, settings.save_file, settings.save_interval)


def _redis_store(settings: MemoryCacheSettings) -> SessionStore:
    from .redis_store import RedisSessionStore  # redis is imported only when configured

    if settings.save_file or settings.save_interval:
        logger.warning("memory_cache: save_file and save_interval apply to backend memory")
    return RedisSessionStore(settings.url, settings.sess_lifetime, settings.key_prefix)


STORES: Mapping[str, Callable[[MemoryCacheSettings], SessionStore]] = {
    "memory": _memory_store,
    "redis": _redis_store,
}
"""The store class of each `backend:` choice (`schema.SESSION_BACKENDS`)."""


class MemoryCacheComponent(Component):
    """Sessions: a dict per session id, expiring `sess_lifetime` seconds after it was stored
    (or last renewed), with ids of 256 random bits. A session is stored only once something is
    put in it, so requests that merely read their session cost nothing."""

    settings: MemoryCacheSettings
    store: SessionStore
    """The backend every call goes to."""

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Validate the block into `MemoryCacheSettings` and start its backend.
        `allow_per_process` is read by `hostray start --processes` (hostray.web.per_process)."""
        self.settings = MemoryCacheSettings.from_config(config, root_dir)
        show_logger(component_manager, logger.name)
        self.store = STORES[self.settings.backend](self.settings)
        self.store.start()
        if not (self.settings.renew_lifetime or self.settings.renew_id):
            # Nothing to add to the store's own `get`: hand it out (one call less per request).
            self.get = self.store.get  # type: ignore[method-assign]

    @property
    def sess_lifetime(self) -> float:
        """Seconds a session lives."""
        return self.settings.sess_lifetime

    @property
    def renew_lifetime(self) -> bool:
        """Whether every `get` restarts the session's lifetime."""
        return self.settings.renew_lifetime

    @property
    def renew_id(self) -> bool:
        """Whether every `get` gives the session a new id."""
        return self.settings.renew_id

    @property
    def backend(self) -> str:
        """'memory' or 'redis'."""
        return self.settings.backend

    def session_count(self) -> int | None:
        """Sessions held in this process (backend memory); None for Redis, which holds them."""
        store = self.store
        return len(store) if isinstance(store, MemorySessionStore) else None

    def lookup_counts(self) -> tuple[int, int]:
        """`(hits, misses)` of session lookups in this process since start (both backends)."""
        return self.store.hits.value, self.store.misses.value

    def save_state(self) -> tuple[int, float] | None:
        """Writes of `save_file` so far and the seconds they took (backend memory), else None."""
        store = self.store
        if not isinstance(store, MemorySessionStore):
            return None
        return store.saves, store.save_seconds

    def info(self) -> dict[str, Any]:
        """Settings and backend state; a Redis password is masked."""
        details = {
            "sess_lifetime": self.sess_lifetime,
            "renew_lifetime": self.renew_lifetime,
            "renew_id": self.renew_id,
            **self.store.info(),
        }
        return {**super().info(), "info": details}

    def get(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """Return `(session dict, session id)`: the live session, or a new one when `session_id`
        is unknown or expired. `renew_lifetime` restarts the lifetime, `renew_id` changes the id."""
        settings = self.settings
        return self.store.get(
            session_id, renew_lifetime or settings.renew_lifetime, renew_id or settings.renew_id
        )

    async def get_async(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """`get` for coroutines; with Redis, store changes with `save_session_async`."""
        settings = self.settings
        return await self.store.get_async(
            session_id, renew_lifetime or settings.renew_lifetime, renew_id or settings.renew_id
        )

    def save_session(self, session_id: str, session: SessionDict) -> bool:
        """Store changes of a session dict (needed only for Redis dicts from `get_async`);
        False when the session expired or was cleared meanwhile."""
        return self.store.save_session(session_id, session)

    async def save_session_async(self, session_id: str, session: SessionDict) -> bool:
        """`save_session` for coroutines."""
        return await self.store.save_session_async(session_id, session)

    def get_expired_datetime(self, session_id: str) -> datetime:
        """When the session expires (local time); now for an unknown or expired session."""
        return self.store.get_expired_datetime(session_id)

    async def get_expired_datetime_async(self, session_id: str) -> datetime:
        """`get_expired_datetime` for coroutines."""
        return await self.store.get_expired_datetime_async(session_id)

    def clear_session(self, session_id: str) -> None:
        """Remove the session (logout); an unknown id is ignored."""
        self.store.clear_session(session_id)

    async def clear_session_async(self, session_id: str) -> None:
        """`clear_session` for coroutines."""
        await self.store.clear_session_async(session_id)

    def save_to_file(self) -> None:
        """Write the sessions to `save_file` atomically; no-op without one or with Redis."""
        self.store.save_to_file()

    def load_from_file(self) -> None:
        """Add the sessions saved in `save_file`; no-op without one or with Redis."""
        self.store.load_from_file()

    async def ready(self) -> str | None:
        """None when the backend can serve (memory: always; Redis: it answers a PING)."""
        return await self.store.ready_async()

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Stop the sweep timer and save to `save_file`, or close the Redis clients."""
        await self.store.aclose()
