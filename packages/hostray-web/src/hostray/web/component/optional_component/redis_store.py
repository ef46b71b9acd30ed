"""Sessions kept in Redis with server-side expiry, shared by every process and host using it.

Each session is one key, `<key_prefix><session id>`, holding the session's JSON (tagged
datetimes) with a TTL of `sess_lifetime`. Only imported when `backend: redis` is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import redis
import redis.asyncio as aioredis

from .errors import SessionStoreUnavailableError
from .memory_store import new_session_id
from .per_loop import PerLoop
from .session_data import SessionDict, decode, encode
from .urls import mask_url

__all__ = ["RedisSessionStore"]

logger = logging.getLogger("hostray.web.memory_cache")

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0
_UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class RedisSessionStore:
    """The memory store's interface on Redis; async methods use one client per event loop.

    A dict from `get` writes every change through at once. A dict from `get_async` records
    changes (`.modified`) until `save_session_async` (the session mixin calls it per request).
    """

    def __init__(self, url: str, lifetime: float, key_prefix: str = "hostray:session:") -> None:
        self.url = url
        self.display_url = mask_url(url)
        self.lifetime_ms = int(lifetime * 1000)
        self.key_prefix = key_prefix
        options: dict[str, Any] = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": COMMAND_TIMEOUT,
        }
        self._client = redis.Redis.from_url(url, **options)
        self._clients: PerLoop[aioredis.Redis] = PerLoop(
            lambda: aioredis.Redis.from_url(url, **options), _aclose
        )

    def check_reachable(self) -> bool:
        """Ping Redis; when it is down, warn (sessions fail until it is back) and return False."""
        try:
            self._client.ping()
        except _UNAVAILABLE as exc:
            logger.warning(
                "memory_cache: Redis at %s is not reachable (%s); session calls raise "
                "SessionStoreUnavailableError until it is",
                self.display_url,
                exc,
            )
            return False
        return True

    async def ready_async(self) -> str | None:
        """None when Redis answers a PING, else why not (the URL's password masked)."""
        try:
            await self._clients.get().ping()
        except _UNAVAILABLE as exc:
            return f"Redis at {self.display_url} unreachable ({str(exc) or type(exc).__name__})"
        return None

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            yield
        except _UNAVAILABLE as exc:
            raise SessionStoreUnavailableError(
                self.display_url, str(exc) or type(exc).__name__
            ) from exc

    def _decode(self, raw: bytes | str, session_id: str) -> dict[str, Any] | None:
        try:
            data = decode(raw)
        except ValueError as exc:
            logger.warning(
                "memory_cache: session %s… in Redis is unreadable (%s)", session_id[:6], exc
            )
            return None
        return data if isinstance(data, dict) else None

    def _write_through(self, data: dict[str, Any], session_id: str) -> SessionDict:
        session = SessionDict(data)
        session.on_change = lambda: self._write(session_id, session)
        return session

    def _write(self, session_id: str, session: SessionDict) -> None:
        self.save_session(session_id, session)

    def get(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """The session of `session_id` (write-through dict), or a new one."""
        client = self._client
        with self._reachable():
            if session_id:
                key = self.key_prefix + session_id
                raw = client.getex(key, px=self.lifetime_ms) if renew_lifetime else client.get(key)
                data = None if raw is None else self._decode(raw, session_id)
                if data is not None and renew_id:
                    new_id = new_session_id()
                    try:
                        renamed = client.renamenx(key, self.key_prefix + new_id)
                    except redis.exceptions.ResponseError:
                        renamed = False
                    data, session_id = (data, new_id) if renamed else (None, session_id)
                if data is not None:
                    return self._write_through(data, session_id), session_id
            session_id = new_session_id()
            client.set(self.key_prefix + session_id, "{}", px=self.lifetime_ms, nx=True)
        return self._write_through({}, session_id), session_id

    async def get_async(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """The session of `session_id`, or a new one; save changes with `save_session_async`."""
        client = self._clients.get()
        with self._reachable():
            if session_id:
                key = self.key_prefix + session_id
                if renew_lifetime:
                    raw = await client.getex(key, px=self.lifetime_ms)
                else:
                    raw = await client.get(key)
                data = None if raw is None else self._decode(raw, session_id)
                if data is not None and renew_id:
                    new_id = new_session_id()
                    try:
                        renamed = await client.renamenx(key, self.key_prefix + new_id)
                    except redis.exceptions.ResponseError:
                        renamed = False
                    data, session_id = (data, new_id) if renamed else (None, session_id)
                if data is not None:
                    return SessionDict(data), session_id
            session_id = new_session_id()
            await client.set(self.key_prefix + session_id, "{}", px=self.lifetime_ms, nx=True)
        return SessionDict(), session_id

    def save_session(self, session_id: str, session: SessionDict) -> bool:
        """Write a changed session back, keeping its TTL; False if it expired or was cleared."""
        if not session.modified:
            return True
        with self._reachable():
            written = self._client.set(
                self.key_prefix + session_id, encode(session), xx=True, keepttl=True
            )
        session.modified = False
        return bool(written)

    async def save_session_async(self, session_id: str, session: SessionDict) -> bool:
        """Async `save_session`."""
        if not session.modified:
            return True
        client = self._clients.get()
        with self._reachable():
            written = await client.set(
                self.key_prefix + session_id, encode(session), xx=True, keepttl=True
            )
        session.modified = False
        return bool(written)

    def _expiry(self, pttl: int) -> datetime:
        now = datetime.now()
        if pttl == -1:
            return datetime.max
        return now + timedelta(milliseconds=max(pttl, 0))

    def get_expired_datetime(self, session_id: str) -> datetime:
        """When the session expires (local time); now for an unknown or expired session."""
        with self._reachable():
            return self._expiry(self._client.pttl(self.key_prefix + session_id))

    async def get_expired_datetime_async(self, session_id: str) -> datetime:
        """Async `get_expired_datetime`."""
        client = self._clients.get()
        with self._reachable():
            return self._expiry(await client.pttl(self.key_prefix + session_id))

    def clear_session(self, session_id: str) -> None:
        """Delete the session (logout); unknown ids are ignored."""
        with self._reachable():
            self._client.delete(self.key_prefix + session_id)

    async def clear_session_async(self, session_id: str) -> None:
        """Async `clear_session`."""
        client = self._clients.get()
        with self._reachable():
            await client.delete(self.key_prefix + session_id)

    async def aclose(self) -> None:
        """Close the blocking client and every loop's async client."""
        self._client.close()
        await self._clients.close_all()

    def info(self) -> dict[str, Any]:
        """What `/components_info` shows of this store (the password masked)."""
        return {"backend": "redis", "url": self.display_url, "key_prefix": self.key_prefix}


async def _aclose(client: aioredis.Redis) -> None:
    await client.aclose()
