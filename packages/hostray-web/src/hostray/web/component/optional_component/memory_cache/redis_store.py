"""Sessions kept in Redis with server-side expiry, shared by every process and host using it.

Each session is one key, `<key_prefix><session id>`, holding the session's JSON (tagged
datetimes) with a TTL of `sess_lifetime`, written when something is first stored in the session
(a request that only reads makes no key). Only imported when `backend: redis` is configured.

Each operation is written once, as a generator that yields the Redis commands it needs and gets
their replies back; `_run` sends them on the blocking client, `_run_async` on the event loop's.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis

from hostray.web.counters import EventCounter

from ..errors import SessionStoreUnavailableError
from ..outages import OutageLog
from ..per_loop import PerLoop
from ..urls import mask_url
from .memory_store import new_session_id
from .session_data import SessionDict, decode, encode

__all__ = ["RedisSessionStore"]

logger = logging.getLogger("hostray.web.memory_cache")

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0
_UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

_T = TypeVar("_T")
_Command = tuple[str, tuple[Any, ...], dict[str, Any]]
_Operation = Generator[_Command, Any, _T]
"""Yields `(client method, args, kwargs)`, is sent each reply (a `ResponseError` is thrown into
it), returns the operation's result."""


def _command(name: str, *args: Any, **kwargs: Any) -> _Command:
    return name, args, kwargs


class RedisSessionStore:
    """The `SessionStore` of `backend: redis`; async methods use one client per event loop.

    A dict from `get` writes every change through at once. A dict from `get_async` records
    changes (`.modified`) until `save_session_async` (the session mixin calls it per request).
    """

    def __init__(self, url: str, lifetime: float, key_prefix: str = "hostray:session:") -> None:
        self.url = url
        self.display_url = mask_url(url)
        self.lifetime_ms = int(lifetime * 1000)
        self.key_prefix = key_prefix
        self.hits = EventCounter()
        """Reads that found the session in Redis (the `metrics` component's)."""
        self.misses = EventCounter()
        """Reads that found none (no id, an unknown or an expired one): a new session."""
        options: dict[str, Any] = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": COMMAND_TIMEOUT,
        }
        self._client = redis.Redis.from_url(url, **options)
        self._outages = OutageLog(logger, "memory_cache: Redis at")
        self._clients: PerLoop[aioredis.Redis] = PerLoop(
            lambda: aioredis.Redis.from_url(url, **options), _aclose
        )

    def start(self) -> None:
        """Check that Redis answers (a warning if not: sessions fail until it is back)."""
        self.check_reachable()

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
        """Redis errors as `SessionStoreUnavailableError`, logged once per outage (its end is
        logged by the first command Redis answers)."""
        try:
            yield
        except _UNAVAILABLE as exc:
            reason = str(exc) or type(exc).__name__
            self._outages.failed(self.display_url, f"unavailable: {reason}")
            raise SessionStoreUnavailableError(self.display_url, reason) from exc

    def _run(self, operation: _Operation[_T]) -> _T:
        """Run `operation` on the blocking client."""
        reply: Any = None
        error: redis.exceptions.ResponseError | None = None
        with self._reachable():
            while True:
                try:
                    name, args, kwargs = (
                        operation.send(reply) if error is None else operation.throw(error)
                    )
                except StopIteration as done:
                    result: _T = done.value
                    return result
                try:
                    reply, error = getattr(self._client, name)(*args, **kwargs), None
                except redis.exceptions.ResponseError as exc:
                    reply, error = None, exc
                self._outages.recovered(self.display_url)

    async def _run_async(self, operation: _Operation[_T]) -> _T:
        """Run `operation` on the running loop's client."""
        client = self._clients.get()
        reply: Any = None
        error: redis.exceptions.ResponseError | None = None
        with self._reachable():
            while True:
                try:
                    name, args, kwargs = (
                        operation.send(reply) if error is None else operation.throw(error)
                    )
                except StopIteration as done:
                    result: _T = done.value
                    return result
                try:
                    reply, error = await getattr(client, name)(*args, **kwargs), None
                except redis.exceptions.ResponseError as exc:
                    reply, error = None, exc
                self._outages.recovered(self.display_url)

    def _decode(self, raw: bytes | str, session_id: str) -> dict[str, Any] | None:
        try:
            data = decode(raw)
        except ValueError as exc:
            logger.warning(
                "memory_cache: session %s… in Redis is unreadable (%s)", session_id[:6], exc
            )
            return None
        return data if isinstance(data, dict) else None

    def _read(
        self, session_id: str, renew_lifetime: bool, renew_id: bool
    ) -> _Operation[tuple[SessionDict, str]]:
        """The stored session of `session_id` (renewed as asked), or an empty one, not stored."""
        data = None
        if session_id:
            key = self.key_prefix + session_id
            if renew_lifetime:
                raw = yield _command("getex", key, px=self.lifetime_ms)
            else:
                raw = yield _command("get", key)
            data = None if raw is None else self._decode(raw, session_id)
            if data is not None and renew_id:
                new_id = new_session_id()
                try:
                    renamed = yield _command("renamenx", key, self.key_prefix + new_id)
                except redis.exceptions.ResponseError:  # the key expired meanwhile
                    renamed = False
                data, session_id = (data, new_id) if renamed else (None, session_id)
        if data is None:
            self.misses.add()
            return SessionDict(), new_session_id()
        self.hits.add()
        session = SessionDict(data)
        session.stored = True
        return session, session_id

    def _save(self, session_id: str, session: SessionDict) -> _Operation[bool]:
        """Write a changed session: a new one with the full lifetime, a stored one keeping its
        TTL and only if it still exists (an expired or cleared session is not brought back)."""
        if not session.modified:
            return True
        key, text = self.key_prefix + session_id, encode(session)
        if session.stored:
            written = yield _command("set", key, text, xx=True, keepttl=True)
        else:
            written = yield _command("set", key, text, px=self.lifetime_ms, nx=True)
        session.modified = False
        session.stored = session.stored or bool(written)
        return bool(written)

    def _expiry(self, session_id: str) -> _Operation[datetime]:
        pttl = yield _command("pttl", self.key_prefix + session_id)
        if pttl == -1:
            return datetime.max
        return datetime.now() + timedelta(milliseconds=max(pttl, 0))

    def _clear(self, session_id: str) -> _Operation[None]:
        yield _command("delete", self.key_prefix + session_id)

    def get(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """The session of `session_id`, or a new one; a write-through dict."""
        session, session_id = self._run(self._read(session_id, renew_lifetime, renew_id))
        session.on_change = lambda: self._write(session_id, session)
        return session, session_id

    def _write(self, session_id: str, session: SessionDict) -> None:
        self.save_session(session_id, session)

    async def get_async(
        self, session_id: str = "", renew_lifetime: bool = False, renew_id: bool = False
    ) -> tuple[SessionDict, str]:
        """The session of `session_id`, or a new one; save changes with `save_session_async`."""
        return await self._run_async(self._read(session_id, renew_lifetime, renew_id))

    def save_session(self, session_id: str, session: SessionDict) -> bool:
        """Write a changed session back; False if it expired or was cleared."""
        return self._run(self._save(session_id, session))

    async def save_session_async(self, session_id: str, session: SessionDict) -> bool:
        """Async `save_session`."""
        return await self._run_async(self._save(session_id, session))

    def get_expired_datetime(self, session_id: str) -> datetime:
        """When the session expires (local time); now for an unknown or expired session."""
        return self._run(self._expiry(session_id))

    async def get_expired_datetime_async(self, session_id: str) -> datetime:
        """Async `get_expired_datetime`."""
        return await self._run_async(self._expiry(session_id))

    def clear_session(self, session_id: str) -> None:
        """Delete the session (logout); unknown ids are ignored."""
        self._run(self._clear(session_id))

    async def clear_session_async(self, session_id: str) -> None:
        """Async `clear_session`."""
        await self._run_async(self._clear(session_id))

    def save_to_file(self) -> None:
        """Nothing to do: Redis keeps the sessions."""

    def load_from_file(self) -> None:
        """Nothing to do: Redis keeps the sessions."""

    async def aclose(self) -> None:
        """Close the blocking client and every loop's async client."""
        self._client.close()
        await self._clients.close_all()

    def info(self) -> dict[str, Any]:
        """What `/components_info` shows of this store (the password masked)."""
        return {"backend": "redis", "url": self.display_url, "key_prefix": self.key_prefix}


async def _aclose(client: aioredis.Redis) -> None:
    await client.aclose()
