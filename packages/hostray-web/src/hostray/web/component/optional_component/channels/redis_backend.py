"""`backend: redis` of `channels`: Redis pub/sub carries each message to every process and host.

Publishing goes through one connection per event loop, so the messages of one publisher reach
Redis, and so every subscriber, in the order they were published. Receiving is one pub/sub
connection, read by one task on the loop that first subscribed; when Redis goes away the task
logs once, reconnects with backoff, subscribes again to every channel still wanted, and logs
when it is back. Messages published meanwhile are lost (delivery is at-most-once). Only
imported when `backend: redis` is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from ..errors import ChannelsUnavailableError
from ..per_loop import PerLoop
from ..urls import mask_url
from .backend import Deliver, Message

__all__ = ["RedisChannelBackend", "decode_message", "encode_message"]

logger = logging.getLogger("hostray.web.channels")

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 2.0
"""Seconds between reconnection attempts: doubling from the first to the last."""

_UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
_TEXT, _BYTES, _JSON = b"s", b"b", b"j"


def encode_message(message: Message) -> bytes:
    """A message as one Redis payload: a type byte, then the text, bytes or JSON."""
    if isinstance(message, str):
        return _TEXT + message.encode()
    if isinstance(message, bytes):
        return _BYTES + message
    return _JSON + json.dumps(message, separators=(",", ":")).encode()


def decode_message(payload: bytes) -> Message:
    """The message `encode_message` made `payload` from."""
    kind, body = payload[:1], payload[1:]
    if kind == _TEXT:
        return body.decode()
    if kind == _BYTES:
        return body
    value: Message = json.loads(body)
    return value


def _client(url: str, retries: int) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=None,
        socket_keepalive=True,
        retry=Retry(NoBackoff(), retries),
        single_connection_client=True,
    )


async def _aclose(client: aioredis.Redis) -> None:
    await client.aclose()


class RedisChannelBackend:
    """The `ChannelBackend` of `backend: redis`; channel `c` is Redis channel `<prefix>c`."""

    def __init__(self, deliver: Deliver, url: str, prefix: str) -> None:
        self._deliver = deliver
        self.url = url
        self.display_url = mask_url(url)
        self.prefix = prefix
        self._control = (prefix + "\x00").encode()
        """Always subscribed, so the reader has a subscription to wait on."""
        # A stale connection after a Redis restart is retried once; Redis down fails at once.
        self._publishers: PerLoop[aioredis.Redis] = PerLoop(lambda: _client(url, 1), _aclose)
        self._wanted: set[str] = set()
        self._confirmations: dict[bytes, asyncio.Future[None]] = {}
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._connected: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._outage_since: float | None = None

    def info(self) -> dict[str, Any]:
        """Backend, masked URL, prefix, channels listened to and whether Redis is connected."""
        return {
            "backend": "redis",
            "url": self.display_url,
            "prefix": self.prefix,
            "channels": len(self._wanted),
            "connected": self._pubsub is not None,
        }

    async def ready(self) -> str | None:
        """None when Redis answers a PING, else why not (the URL's password masked)."""
        try:
            await self._publishers.get().ping()
        except _UNAVAILABLE as exc:
            return f"Redis at {self.display_url} unreachable ({str(exc) or type(exc).__name__})"
        return None

    async def publish(self, channel: str, message: Message) -> None:
        """PUBLISH on this loop's connection; `ChannelsUnavailableError` when Redis is down."""
        client = self._publishers.get()
        try:
            await client.publish(self._name(channel), encode_message(message))
        except _UNAVAILABLE as exc:
            raise ChannelsUnavailableError(
                self.display_url, str(exc) or type(exc).__name__
            ) from exc

    async def listen(self, channel: str) -> None:
        """SUBSCRIBE and wait for Redis to confirm it; while Redis is down, return at once (the
        reader subscribes when it reconnects)."""
        self._wanted.add(channel)
        connected, lock = self._start_reader()
        if not connected.is_set():
            try:
                await asyncio.wait_for(connected.wait(), CONNECT_TIMEOUT)
            except TimeoutError:
                return
        name = self._name(channel)
        async with lock:
            pubsub = self._pubsub
            confirmation = self._confirmations.get(name)
            if confirmation is None and pubsub is not None and channel in self._wanted:
                confirmation = self._confirmations[name] = (
                    asyncio.get_running_loop().create_future()
                )
                try:
                    await pubsub.subscribe(name)
                except _UNAVAILABLE:
                    return  # the reader sees the outage and subscribes again
        if confirmation is not None:
            try:
                await asyncio.wait_for(asyncio.shield(confirmation), COMMAND_TIMEOUT)
            except TimeoutError:
                return

    def unlisten(self, channel: str) -> None:
        """Forget `channel`; the reader UNSUBSCRIBEs when its next message arrives."""
        self._wanted.discard(channel)

    async def aclose(self) -> None:
        """Stop the reader and close every connection."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        await self._publishers.close_all()

    def _name(self, channel: str) -> bytes:
        return (self.prefix + channel).encode()

    def _start_reader(self) -> tuple[asyncio.Event, asyncio.Lock]:
        """The reader task of this backend, started on the running loop at the first listen."""
        if self._connected is None or self._lock is None:
            self._connected, self._lock = asyncio.Event(), asyncio.Lock()
        if self._reader is None:
            self._reader = asyncio.create_task(self._read_forever(self._connected, self._lock))
        return self._connected, self._lock

    async def _read_forever(self, connected: asyncio.Event, lock: asyncio.Lock) -> None:
        """Connect, subscribe, deliver; on an outage, log once and reconnect with backoff."""
        client = _client(self.url, 0)
        backoff = BACKOFF_FIRST
        try:
            while True:
                pubsub = client.pubsub()
                try:
                    await self._subscribe_all(pubsub, lock)
                    connected.set()
                    self._back_online()
                    backoff = BACKOFF_FIRST
                    await self._read(pubsub, lock)
                except _UNAVAILABLE as exc:
                    self._went_offline(exc, connected)
                finally:
                    self._pubsub = None
                    await _quietly_close(pubsub)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            await _quietly_close(client)

    async def _subscribe_all(self, pubsub: PubSub, lock: asyncio.Lock) -> None:
        """SUBSCRIBE to the control channel and every wanted channel on a new connection."""
        async with lock:
            loop = asyncio.get_running_loop()
            names = [self._name(channel) for channel in self._wanted]
            for name in names:
                self._confirmations[name] = loop.create_future()
            await pubsub.subscribe(self._control, *names)
            self._pubsub = pubsub

    async def _read(self, pubsub: PubSub, lock: asyncio.Lock) -> None:
        """Hand every message to `deliver`; unsubscribe from channels no longer wanted."""
        prefix_length = len(self.prefix)
        while True:
            reply = await pubsub.get_message(timeout=None)
            if reply is None:
                continue
            kind, name = reply["type"], reply["channel"]
            if kind == "subscribe":
                confirmation = self._confirmations.get(name)
                if confirmation is not None and not confirmation.done():
                    confirmation.set_result(None)
            elif kind == "message" and name != self._control:
                channel = name.decode()[prefix_length:]
                if channel in self._wanted:
                    self._deliver(channel, decode_message(reply["data"]))
                else:
                    await self._drop(pubsub, lock, name, channel)

    async def _drop(self, pubsub: PubSub, lock: asyncio.Lock, name: bytes, channel: str) -> None:
        async with lock:
            if channel not in self._wanted and self._confirmations.pop(name, None) is not None:
                await pubsub.unsubscribe(name)

    def _went_offline(self, exc: BaseException, connected: asyncio.Event) -> None:
        connected.clear()
        for confirmation in self._confirmations.values():
            if not confirmation.done():
                confirmation.set_result(None)  # listeners stop waiting; resubscribed on reconnect
        self._confirmations.clear()
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            logger.warning(
                "channels: Redis at %s is not reachable (%s); reconnecting, messages published "
                "meanwhile are lost",
                self.display_url,
                str(exc) or type(exc).__name__,
            )

    def _back_online(self) -> None:
        if self._outage_since is not None:
            logger.warning(
                "channels: Redis at %s is back after %.1fs",
                self.display_url,
                time.monotonic() - self._outage_since,
            )
            self._outage_since = None


async def _quietly_close(closable: PubSub | aioredis.Redis) -> None:
    with contextlib.suppress(*_UNAVAILABLE):
        await closable.aclose()
