"""`ChannelBackend`: what `channels` asks of a transport, and the in-process one (`memory`).

The component keeps the callbacks of this process; a backend only carries messages between the
processes that use it: `listen(channel)` when the first local callback joins, `unlisten` when the
last one leaves, `publish` to send, and `deliver(channel, message)` (given at construction) for
every message that arrives. A new backend is a class with these methods, added to
`channels.BACKENDS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

__all__ = ["ChannelBackend", "Deliver", "MemoryChannelBackend", "Message", "checked_message"]

Message: TypeAlias = "str | bytes | dict[str, Any] | list[Any] | int | float | bool | None"
"""What a channel carries: text, bytes, or a JSON value."""

Deliver = Callable[[str, Message], None]
"""`deliver(channel, message)`: hand an arrived message to this process's subscribers."""


def checked_message(message: Message) -> Message:
    """`message` as subscribers receive it: str and bytes as they are, anything else as the
    JSON value it serialises to (a copy); TypeError when it is none of these."""
    if isinstance(message, (str, bytes)):
        return message
    try:
        value: Message = json.loads(json.dumps(message))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"channels: a message is str, bytes or JSON-serialisable, got {type(message).__name__}"
        ) from exc
    return value


class ChannelBackend(Protocol):
    """The transport of one `backend:` choice."""

    def info(self) -> dict[str, Any]:
        """What `/components_info` shows (never a password)."""
        ...

    async def ready(self) -> str | None:
        """None when messages can be carried, else one line saying why not (no secrets)."""
        ...

    async def publish(self, channel: str, message: Message) -> None:
        """Send `message` (already checked) to every process listening on `channel`."""
        ...

    async def listen(self, channel: str) -> None:
        """Start receiving `channel`; returns once messages published from now on arrive."""
        ...

    def unlisten(self, channel: str) -> None:
        """Stop receiving `channel`."""
        ...

    async def aclose(self) -> None:
        """Release connections; no message is delivered afterwards."""
        ...


class MemoryChannelBackend:
    """`backend: memory`: a publish is delivered at once, to this process only."""

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver

    def info(self) -> dict[str, Any]:
        """The backend's name."""
        return {"backend": "memory"}

    async def ready(self) -> str | None:
        """Always ready: nothing outside the process is needed."""
        return None

    async def publish(self, channel: str, message: Message) -> None:
        """Deliver to this process's subscribers before returning."""
        self._deliver(channel, message)

    async def listen(self, channel: str) -> None:
        """Nothing to do: every publish is delivered locally."""

    def unlisten(self, channel: str) -> None:
        """Nothing to do."""

    async def aclose(self) -> None:
        """Nothing to release."""
