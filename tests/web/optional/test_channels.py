"""`channels`: publish/subscribe in one process (memory) and between processes through a real
Redis; a private redis-server is stopped and started again for the outage cases."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hostray.config import ConfigError
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component.errors import ChannelsUnavailableError

from .redis_server import PrivateRedis

CHANNELS = OptionalComponentTypes.Channels
RESUME_WITHIN = 30.0
"""Bound of the wait for delivery to resume once Redis is back (its backoff is at most 2 s)."""
pytestmark = pytest.mark.timeout(60)


class Inbox:
    """Collects the messages of one subscription; `wait_for(n)` returns once n have arrived."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._changed = asyncio.Event()

    def __call__(self, message: Any) -> None:
        self.messages.append(message)
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        async def until() -> None:
            while len(self.messages) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), timeout)
        return self.messages


@pytest.fixture
def prefix() -> str:
    return f"test:channels:{uuid.uuid4().hex}:"


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def test_memory_delivers_text_bytes_and_json_in_order(
    make_component: Callable[..., Any],
) -> None:
    channels = make_component(CHANNELS)
    inbox, other = Inbox(), Inbox()
    await channels.subscribe("room", inbox)
    await channels.subscribe("other", other)
    sent = ["a", b"\x00\xff", {"n": 1, "list": [1, 2]}, [1, "x"], 3.5, None, "z"]
    for message in sent:
        await channels.publish("room", message)
    assert inbox.messages == sent
    assert other.messages == []


async def test_memory_json_is_delivered_as_a_copy(make_component: Callable[..., Any]) -> None:
    channels = make_component(CHANNELS, backend="memory")
    inbox = Inbox()
    await channels.subscribe("room", inbox)
    message = {"items": (1, 2)}
    await channels.publish("room", message)
    assert inbox.messages == [{"items": [1, 2]}]
    assert inbox.messages[0] is not message


async def test_unsubscribe_stops_delivery_to_that_callback_only(
    make_component: Callable[..., Any],
) -> None:
    channels = make_component(CHANNELS)
    first, second = Inbox(), Inbox()
    await channels.subscribe("room", first)
    await channels.subscribe("room", second)
    channels.unsubscribe("room", first)
    channels.unsubscribe("room", first)  # twice: ignored
    await channels.publish("room", "hi")
    assert first.messages == []
    assert second.messages == ["hi"]
    channels.unsubscribe("room", second)
    assert channels.subscribers("room") == 0


async def test_a_raising_callback_does_not_stop_the_others(
    make_component: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    channels = make_component(CHANNELS)
    inbox = Inbox()

    def broken(message: Any) -> None:
        raise ValueError("boom")

    await channels.subscribe("room", broken)
    await channels.subscribe("room", inbox)
    with caplog.at_level(logging.ERROR, logger="hostray.web.channels"):
        await channels.publish("room", "hi")
    assert inbox.messages == ["hi"]
    assert "a callback of channel 'room' raised" in caplog.text


@pytest.mark.parametrize(
    ("channel", "message", "error"),
    [
        ("room", object(), "str, bytes or JSON-serialisable, got object"),
        ("room", {"when": {1, 2}}, "got dict"),
        ("", "x", "non-empty str"),
        (5, "x", "non-empty str"),
    ],
)
async def test_bad_publish_is_a_type_error_at_the_call(
    make_component: Callable[..., Any], channel: Any, message: Any, error: str
) -> None:
    channels = make_component(CHANNELS)
    with pytest.raises(TypeError, match=error):
        await channels.publish(channel, message)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"backend": "kafka"}, "backend: expected one of"),
        ({"backend": "redis", "url": "http://127.0.0.1:6379"}, "url: expected a redis:// URL"),
        ({"backend": "redis", "url": 6379}, "url: expected a redis:// URL"),
        ({"prefix": 5}, "prefix: expected"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_config_is_a_config_error(
    make_component: Callable[..., Any], config: dict[str, Any], message: Any
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_component(CHANNELS, **config)


def test_info_masks_the_redis_password(make_component: Callable[..., Any]) -> None:
    channels = make_component(
        CHANNELS, backend="redis", url="redis://user:s3cret@127.0.0.1:6379/0", prefix="p:"
    )
    info = channels.info()["info"]
    assert "s3cret" not in str(info)
    assert info["url"] == "redis://user:***@127.0.0.1:6379/0"
    assert info["backend"] == "redis"


async def test_redis_carries_messages_between_components_in_order(
    make_component: Callable[..., Any], redis_url: str, prefix: str
) -> None:
    """Two components stand for two processes: each receives both publishers' messages, all
    of them, each publisher's in its order."""
    one = make_component(CHANNELS, backend="redis", url=redis_url, prefix=prefix)
    two = make_component(CHANNELS, backend="redis", url=redis_url, prefix=prefix)
    inbox_one, inbox_two = Inbox(), Inbox()
    await one.subscribe("room", inbox_one)
    await two.subscribe("room", inbox_two)

    async def send(channels: Any, sender: str) -> None:
        for n in range(300):
            await channels.publish("room", f"{sender}:{n}")

    await asyncio.gather(send(one, "a"), send(two, "b"))
    for inbox in (inbox_one, inbox_two):
        received = await inbox.wait_for(600)
        for sender in ("a", "b"):
            mine = [m for m in received if m.startswith(sender)]
            assert mine == [f"{sender}:{n}" for n in range(300)]


async def test_redis_keeps_bytes_and_json_and_channels_apart(
    make_component: Callable[..., Any], redis_url: str, prefix: str
) -> None:
    sender = make_component(CHANNELS, backend="redis", url=redis_url, prefix=prefix)
    receiver = make_component(CHANNELS, backend="redis", url=redis_url, prefix=prefix)
    room, other = Inbox(), Inbox()
    await receiver.subscribe("room", room)
    await receiver.subscribe("other", other)
    sent = ["text", b"\x00\x01", {"n": [1, 2]}, 7]
    for message in sent:
        await sender.publish("room", message)
    assert await room.wait_for(4) == sent
    await sender.publish("other", "only other")
    assert await other.wait_for(1) == ["only other"]
    assert room.messages == sent


async def test_redis_unsubscribed_channel_is_not_delivered(
    make_component: Callable[..., Any], redis_url: str, prefix: str
) -> None:
    sender = make_component(CHANNELS, backend="redis", url=redis_url, prefix=prefix)
    receiver = make_component(CHANNELS, backend="redis", url=redis_url, prefix=prefix)
    gone, kept = Inbox(), Inbox()
    await receiver.subscribe("gone", gone)
    await receiver.subscribe("kept", kept)
    receiver.unsubscribe("gone", gone)
    await sender.publish("gone", "lost")
    await sender.publish("kept", "here")
    assert await kept.wait_for(1) == ["here"]
    assert gone.messages == []


async def test_redis_down_publish_raises_and_subscribers_resume(
    make_component: Callable[..., Any],
    private_redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = make_component(CHANNELS, backend="redis", url=private_redis.url, prefix="t:")
    receiver = make_component(CHANNELS, backend="redis", url=private_redis.url, prefix="t:")
    inbox = Inbox()
    await receiver.subscribe("room", inbox)
    await sender.publish("room", "before")
    await inbox.wait_for(1)

    with caplog.at_level(logging.WARNING, logger="hostray.web.channels"):
        private_redis.stop()
        with pytest.raises(ChannelsUnavailableError, match="unavailable") as raised:
            await sender.publish("room", "while down")
        assert private_redis.url.split("//")[1].split("/")[0] in str(raised.value)
        await asyncio.sleep(1.5)  # several reconnection attempts fail meanwhile
        private_redis.start()
        loop = asyncio.get_running_loop()
        back_by = loop.time() + RESUME_WITHIN
        # Publish until the receiver is subscribed again: delivery is at most once, and nothing
        # tells the sender when the receiver's subscription is back, so it tries again, bounded.
        while True:
            with contextlib.suppress(ChannelsUnavailableError):
                await sender.publish("room", "after")
            try:
                await inbox.wait_for(2, timeout=0.2)
                break
            except TimeoutError:
                assert loop.time() < back_by, f"no delivery within {RESUME_WITHIN} s of Redis back"
    assert inbox.messages[:2] == ["before", "after"]
    outages = [r for r in caplog.records if "is not reachable" in r.getMessage()]
    assert len(outages) == 1, [r.getMessage() for r in caplog.records]
    assert any("is back after" in r.getMessage() for r in caplog.records)


def test_bad_channels_block_is_named_with_file_and_line(tmp_path: Path) -> None:
    from hostray.web.project import load_project

    (tmp_path / "server_config.yaml").write_text(
        "name: rooms\ncomponent:\n  channels:\n    backend: kafka\n    url: http://x\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    where = tmp_path / "server_config.yaml"
    assert caught.value.problems == [
        f"{where}:4: component.channels.backend: expected one of 'memory', 'redis', got 'kafka'",
        f"{where}:5: component.channels.url: expected a redis:// URL, got 'http://x' (str)",
    ]


async def test_ready_says_whether_redis_answers(
    make_component: Callable[..., Any], redis_url: str, private_redis: PrivateRedis
) -> None:
    assert await make_component(CHANNELS).ready() is None
    assert await make_component(CHANNELS, backend="redis", url=redis_url).ready() is None
    down = make_component(
        CHANNELS, backend="redis", url=f"redis://:pw@127.0.0.1:{private_redis.port}/0"
    )
    private_redis.stop()
    reason = await down.ready()
    assert reason is not None and "unreachable" in reason
    assert "pw" not in reason.replace("***", "")
