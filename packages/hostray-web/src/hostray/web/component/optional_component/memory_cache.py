"""`memory_cache`: server-side sessions, in this process (`backend: memory`) or in Redis.

The seed's methods (`get`, `get_expired_datetime`, `save_to_file`, `load_from_file`,
`clear_session`) work with both backends; the `…_async` methods are what controllers use, since
with Redis each call is a network round trip.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime
from time import time as _now
from typing import TYPE_CHECKING, Any

from hostray.config import ConfigError

from .. import Component, ComponentManager
from .memory_store import MemorySessionStore, SessionEntry
from .schema import DEFAULT_REDIS_URL
from .session_data import SessionDict

if TYPE_CHECKING:
    from .redis_store import RedisSessionStore

__all__ = ["MemoryCacheComponent"]

logger = logging.getLogger("hostray.web.memory_cache")
BACKENDS = ("memory", "redis")


class MemoryCacheComponent(Component):
    """Sessions: a dict per session id, expiring `sess_lifetime` seconds after it was made
    (or last renewed), with ids of 256 random bits."""

    sess_lifetime: int
    renew_lifetime: bool
    renew_id: bool
    backend: str
    _memory: MemorySessionStore | None = None
    _redis: RedisSessionStore | None = None
    _entries: dict[str, SessionEntry] = {}  # the memory store's entries; empty for Redis
    _renews = False

    def init(
        self,
        component_manager: ComponentManager,
        *,
        sess_lifetime: int,
        renew_lifetime: bool = False,
        renew_id: bool = False,
        save_file: str | None = None,
        save_interval: float | None = None,
        backend: str = "memory",
        url: str = DEFAULT_REDIS_URL,
        key_prefix: str = "hostray:session:",
        root_dir: str | None = None,
    ) -> None:
        """Start the configured backend (loading `save_file` for the memory one)."""
        problems = []
        if not isinstance(sess_lifetime, (int, float)) or sess_lifetime <= 0:
            problems.append(
                f"component.memory_cache.sess_lifetime: expected seconds > 0, got {sess_lifetime!r}"
            )
        if backend not in BACKENDS:
            problems.append(
                "component.memory_cache.backend: expected one of 'memory', 'redis', "
                f"got {backend!r}"
            )
        if save_interval is not None and save_interval <= 0:
            problems.append(
                f"component.memory_cache.save_interval: expected seconds > 0, got {save_interval!r}"
            )
        if save_interval is not None and not save_file and backend == "memory":
            problems.append("component.memory_cache.save_interval: needs save_file")
        if problems:
            raise ConfigError(*problems)
        self.sess_lifetime = sess_lifetime
        self.renew_lifetime = bool(renew_lifetime)
        self.renew_id = bool(renew_id)
        self.backend = backend
        self._renews = self.renew_lifetime or self.renew_id
        if backend == "redis":
            from .redis_store import RedisSessionStore

            if save_file or save_interval:
                logger.warning("memory_cache: save_file and save_interval apply to backend memory")
            self._redis = RedisSessionStore(url, sess_lifetime, key_prefix)
            self._redis.check_reachable()
            return
        if save_file and root_dir and not os.path.isabs(save_file):
            save_file = os.path.join(root_dir, save_file)
        self._memory = MemorySessionStore(sess_lifetime, save_file, save_interval)
        self._memory.start()
        self._entries = self._memory.entries

    def info(self) -> dict[str, Any]:
        """Settings and backend state; a Redis password is masked."""
        store = self._redis or self._memory
        details = {
            "sess_lifetime": self.sess_lifetime,
            "renew_lifetime": self.renew_lifetime,
            "renew_id": self.renew_id,
            **(store.info() if store is not None else {}),
        }
        return {**super().info(), "info": details}

    def get(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """Return `(session dict, session id)`: the live session, or a new one when `session_id`
        is unknown or expired. `renew_lifetime` restarts the lifetime, `renew_id` changes the id."""
        entry = self._entries.get(session_id)
        if (
            entry is not None
            and not (renew_lifetime or renew_id or self._renews)
            and entry.expires >= _now()
        ):  # fast path: a live in-memory session, nothing renewed, no lock needed
            return entry.data, session_id
        renew_lifetime = renew_lifetime or self.renew_lifetime
        renew_id = renew_id or self.renew_id
        if self._memory is not None:
            return self._memory.get(session_id, renew_lifetime, renew_id)
        return self._redis_store.get(session_id, renew_lifetime, renew_id)

    async def get_async(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """`get` for coroutines; with Redis, store changes with `save_session_async`."""
        renew_lifetime = renew_lifetime or self.renew_lifetime
        renew_id = renew_id or self.renew_id
        if self._memory is not None:
            return self._memory.get(session_id, renew_lifetime, renew_id)
        return await self._redis_store.get_async(session_id, renew_lifetime, renew_id)

    def save_session(self, session_id: str, session: SessionDict) -> bool:
        """Store changes of a session dict (needed only for Redis dicts from `get_async`);
        False when the session expired or was cleared meanwhile."""
        if self._memory is not None:
            return session_id in self._memory
        return self._redis_store.save_session(session_id, session)

    async def save_session_async(self, session_id: str, session: SessionDict) -> bool:
        """`save_session` for coroutines."""
        if self._memory is not None:
            return session_id in self._memory
        return await self._redis_store.save_session_async(session_id, session)

    def get_expired_datetime(self, session_id: str) -> datetime:
        """When the session expires (local time); now for an unknown or expired session."""
        if self._memory is not None:
            return self._memory.get_expired_datetime(session_id)
        return self._redis_store.get_expired_datetime(session_id)

    async def get_expired_datetime_async(self, session_id: str) -> datetime:
        """`get_expired_datetime` for coroutines."""
        if self._memory is not None:
            return self._memory.get_expired_datetime(session_id)
        return await self._redis_store.get_expired_datetime_async(session_id)

    def clear_session(self, session_id: str) -> None:
        """Remove the session (logout); an unknown id is ignored."""
        if self._memory is not None:
            self._memory.clear_session(session_id)
        else:
            self._redis_store.clear_session(session_id)

    async def clear_session_async(self, session_id: str) -> None:
        """`clear_session` for coroutines."""
        if self._memory is not None:
            self._memory.clear_session(session_id)
        else:
            await self._redis_store.clear_session_async(session_id)

    def save_to_file(self) -> None:
        """Write the sessions to `save_file` atomically; no-op without one or with Redis."""
        if self._memory is not None:
            self._memory.save_to_file()

    def load_from_file(self) -> None:
        """Add the sessions saved in `save_file`; no-op without one or with Redis."""
        if self._memory is not None:
            self._memory.load_from_file()

    async def ready(self) -> str | None:
        """None with the memory backend, or when Redis answers a PING; else why not."""
        return None if self._redis is None else await self._redis.ready_async()

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Stop the sweep timer and save to `save_file`, or close the Redis clients."""
        if self._memory is not None:
            await asyncio.to_thread(self._memory.close)
        if self._redis is not None:
            await self._redis.aclose()

    @property
    def _redis_store(self) -> RedisSessionStore:
        if self._redis is None:
            raise RuntimeError("memory_cache is not initialised: init() has not run")
        return self._redis
