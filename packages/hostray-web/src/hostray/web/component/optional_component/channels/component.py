"""`channels`: publish/subscribe between the sockets and code of every process using a backend.

`backend: memory` delivers within this process; `backend: redis` through Redis pub/sub, to every
process and host using the same Redis and `prefix`. Delivery is at-most-once: a message published
while a subscriber's process is disconnected from Redis is not delivered to it later. Messages
from one publisher arrive in the order they were published. The component keeps this process's
callbacks; the backend (`BACKENDS`, one class per `backend:` choice) carries the messages.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ... import Component, ComponentManager
from ..settings import ChannelsSettings
from .backend import ChannelBackend, Deliver, MemoryChannelBackend, Message, checked_message

__all__ = ["BACKENDS", "ChannelCallback", "ChannelsComponent"]

logger = logging.getLogger("hostray.web.channels")

ChannelCallback = Callable[[Message], Any]
"""Called with each message of the channel, on the event loop; it must not block. A returned
awaitable is run as a task (its order with later messages is then not kept)."""


def _memory_backend(settings: ChannelsSettings, deliver: Deliver) -> ChannelBackend:
    return MemoryChannelBackend(deliver)


def _redis_backend(settings: ChannelsSettings, deliver: Deliver) -> ChannelBackend:
    from .redis_backend import RedisChannelBackend  # redis is imported only when configured

    return RedisChannelBackend(deliver, settings.url, settings.prefix)


BACKENDS: Mapping[str, Callable[[ChannelsSettings, Deliver], ChannelBackend]] = {
    "memory": _memory_backend,
    "redis": _redis_backend,
}
"""The backend class of each `backend:` choice (`schema.CHANNEL_BACKENDS`)."""


class ChannelsComponent(Component):
    """Named channels: `publish(channel, message)` reaches every callback `subscribe`d to it."""

    settings: ChannelsSettings
    backend: ChannelBackend

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **config: Any
    ) -> None:
        """Validate the block into `ChannelsSettings` and make its backend (`root_dir`, which
        the server passes every component, is not used)."""
        self.settings = ChannelsSettings.from_config(config)
        self._callbacks: dict[str, list[ChannelCallback]] = {}
        self._listening: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.backend = BACKENDS[self.settings.backend](self.settings, self._deliver)

    def info(self) -> dict[str, Any]:
        """Backend settings (a Redis password masked) and how many channels have subscribers."""
        details = {**self.backend.info(), "subscribed_channels": len(self._callbacks)}
        return {**super().info(), "info": details}

    async def ready(self) -> str | None:
        """Readiness (the `server_ready` route): with Redis, None when it answers a PING."""
        return await self.backend.ready()

    async def publish(self, channel: str, message: Message) -> None:
        """Send `message` (str, bytes or a JSON value) to every subscriber of `channel`.

        TypeError for anything else; `ChannelsUnavailableError` when Redis cannot be reached
        (the message is not sent; the caller decides whether to retry or report it)."""
        _check_channel(channel)
        await self.backend.publish(channel, checked_message(message))

    def subscribe(self, channel: str, callback: ChannelCallback) -> Awaitable[None]:
        """Call `callback(message)` for every message of `channel` from now on. Await the result
        to be sure the subscription is live everywhere (with Redis: confirmed by the server)."""
        _check_channel(channel)
        callbacks = self._callbacks.setdefault(channel, [])
        callbacks.append(callback)
        listening = self._listening.get(channel)
        if listening is None:
            listening = self._listening[channel] = asyncio.ensure_future(
                self.backend.listen(channel)
            )
        return asyncio.shield(listening)

    def unsubscribe(self, channel: str, callback: ChannelCallback) -> None:
        """Stop calling `callback` for `channel`; unknown pairs are ignored."""
        callbacks = self._callbacks.get(channel)
        if callbacks is None or callback not in callbacks:
            return
        callbacks.remove(callback)
        if not callbacks:
            del self._callbacks[channel]
            self._listening.pop(channel, None)
            self.backend.unlisten(channel)

    def subscribers(self, channel: str) -> int:
        """How many callbacks of this process are subscribed to `channel`."""
        return len(self._callbacks.get(channel, ()))

    def _deliver(self, channel: str, message: Message) -> None:
        """Call the callbacks of `channel`; one that raises is logged and the others still run."""
        for callback in tuple(self._callbacks.get(channel, ())):
            try:
                result = callback(message)
                if result is not None and inspect.isawaitable(result):  # a call less per socket
                    self._run(result)
            except Exception:
                logger.exception("channels: a callback of channel %r raised", channel)

    def _run(self, awaitable: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("channels: a callback task raised", exc_info=task.exception())

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Drop every subscription and close the backend's connections."""
        self._callbacks.clear()
        for task in (*self._listening.values(), *self._tasks):
            task.cancel()
        self._listening.clear()
        await self.backend.aclose()


def _check_channel(channel: str) -> None:
    if not isinstance(channel, str) or not channel:
        raise TypeError(f"channels: a channel name is a non-empty str, got {channel!r}")
