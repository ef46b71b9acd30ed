"""Channels across processes: `hostray start --processes 2` with `channels` on Redis.

50 websocket clients on each process; 1,000 broadcasts sent from clients of both processes reach
every client, each sender's in order. Then Redis (a private server) is restarted under a running
room: broadcasts fail while it is down, plain HTTP keeps being served, and broadcasts reach every
client again within 5 s of Redis being back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from ..web.optional.redis_server import PrivateRedis
from .channels_project import write_channels_project
from .processes import ServerProcess, started_server

pytestmark = pytest.mark.timeout(150)

PER_PROCESS = 50
SENDERS_PER_PROCESS = 5
MESSAGES_PER_SENDER = 100  # 2 processes × 5 senders × 100 = 1,000 broadcasts
RECEIVE_TIMEOUT = 60.0
RESUME_WITHIN = 30.0
"""Bound of the wait for broadcasts to reach every client once Redis is back: the backoff is at
most 2 s, the rest is room for a loaded machine (the time it took is printed)."""


class Client:
    """One websocket on /room, with the pid of the process serving it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, pid: int) -> None:
        self.ws = ws
        self.pid = pid
        self.received: list[str] = []

    async def receive_until(self, count: int) -> list[str]:
        """Collect broadcasts (text frames) until `count` have arrived."""
        while len(self.received) < count:
            message = await self.ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            self.received.append(message.data)
        return self.received


async def _clients_on_each(
    session: aiohttp.ClientSession, url: str, pids: set[int], count: int
) -> dict[int, list[Client]]:
    """Open sockets until each process serves `count` of them (the kernel spreads the
    connections between the processes); sockets beyond that are closed."""
    by_pid: dict[int, list[Client]] = {pid: [] for pid in pids}

    async def connect() -> None:
        ws = await session.ws_connect(url, heartbeat=None, max_msg_size=0)
        hello = await asyncio.wait_for(ws.receive(), 10)
        pid = int(hello.data.removeprefix("pid:"))
        if len(by_pid[pid]) < count:
            by_pid[pid].append(Client(ws, pid))
        else:
            await ws.close()

    for _ in range(40):  # bounded: 40 rounds of 20 connections
        if all(len(clients) >= count for clients in by_pid.values()):
            break
        await asyncio.gather(*(connect() for _ in range(20)))
    assert all(len(clients) == count for clients in by_pid.values()), {
        pid: len(clients) for pid, clients in by_pid.items()
    }
    return by_pid


def _two_processes(server: ServerProcess) -> tuple[str, set[int]]:
    first, second = server.next_listening(), server.next_listening()
    assert first.url == second.url
    return first.url.replace("http://", "ws://") + "/room", {first.pid, second.pid}


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def test_broadcasts_reach_every_client_of_both_processes(
    tmp_path: Path, redis_url: str
) -> None:
    prefix = f"test:faults:channels:{uuid.uuid4().hex}:"
    project = write_channels_project(
        tmp_path / "room", {"backend": "redis", "url": redis_url, "prefix": prefix}
    )
    with started_server(project, "--processes", "2") as server:
        url, pids = _two_processes(server)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            by_pid = await _clients_on_each(session, url, pids, PER_PROCESS)
            clients = [client for group in by_pid.values() for client in group]
            senders = [
                (f"{client.pid}-{n}", client)
                for group in by_pid.values()
                for n, client in enumerate(group[:SENDERS_PER_PROCESS])
            ]
            total = len(senders) * MESSAGES_PER_SENDER
            assert total == 1000
            receiving = [asyncio.create_task(c.receive_until(total)) for c in clients]
            for number in range(MESSAGES_PER_SENDER):
                for name, client in senders:
                    await client.ws.send_str(f"{name}:{number}")
            await asyncio.wait_for(asyncio.gather(*receiving), RECEIVE_TIMEOUT)
            for client in clients:
                assert len(client.received) == total
                for name, _ in senders:
                    mine = [m for m in client.received if m.startswith(f"{name}:")]
                    assert mine == [f"{name}:{n}" for n in range(MESSAGES_PER_SENDER)], (
                        client.pid,
                        name,
                    )
            for client in clients:
                await client.ws.close()
        assert server.stop() == 0, server.text()


async def test_redis_restart_resumes_broadcasts(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    project = write_channels_project(
        tmp_path / "room", {"backend": "redis", "url": private_redis.url}
    )
    with started_server(project, "--processes", "2") as server:
        url, pids = _two_processes(server)
        hello = url.replace("ws://", "http://").removesuffix("/room") + "/hello"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            by_pid = await _clients_on_each(session, url, pids, 10)
            clients = [client for group in by_pid.values() for client in group]
            sender = by_pid[min(pids)][0]
            await sender.ws.send_str("before")
            for client in clients:
                first = await asyncio.wait_for(client.receive_until(1), RECEIVE_TIMEOUT)
                assert first == ["before"]

            await asyncio.to_thread(private_redis.stop)
            await sender.ws.send_str("while down")
            reply = await asyncio.wait_for(sender.ws.receive(), RECEIVE_TIMEOUT)
            assert reply.data == "unavailable"
            sender.received.clear()
            for _ in range(20):  # the server keeps serving plain HTTP meanwhile
                async with session.get(hello) as response:
                    assert response.status == 200
            await asyncio.to_thread(private_redis.start)

            loop = asyncio.get_running_loop()
            back_at = loop.time()
            numbers = iter(range(1000))
            pending = {id(client): client for client in clients}
            # Broadcast until every client got one: delivery is at most once, and nothing tells
            # the test when each process has subscribed again, so it tries again, bounded.
            while pending:
                assert loop.time() - back_at < RESUME_WITHIN, (
                    f"{len(pending)} clients got no broadcast within {RESUME_WITHIN}s"
                )
                await sender.ws.send_str(f"after:{next(numbers)}")
                received = [asyncio.create_task(c.ws.receive()) for c in pending.values()]
                done, waiting = await asyncio.wait(received, timeout=0.25)
                for task in waiting:
                    task.cancel()
                for client, task in zip(list(pending.values()), received, strict=True):
                    if task in done and task.result().data.startswith("after:"):
                        del pending[id(client)]
            resumed = loop.time() - back_at
            print(f"\nbroadcasts reached all clients {resumed:.2f}s after Redis came back")
            for client in clients:
                await client.ws.close()
        assert server.stop() == 0, server.text()
