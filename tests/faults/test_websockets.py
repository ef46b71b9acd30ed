"""Websockets: 500 concurrent clients echoing for 20 s; no message lost, none out of order.

Each client keeps up to `WINDOW` numbered messages in flight and checks that the echoes come back
as exactly the sequence it sent.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from .processes import started_server
from .projects import write_project

pytestmark = pytest.mark.timeout(120)

CLIENTS = 500
SECONDS = 20
WINDOW = 4
DRAIN_TIMEOUT = 30


async def _client(session: aiohttp.ClientSession, url: str, stop: asyncio.Event, index: int) -> int:
    """Echo numbered messages until `stop`; return how many came back, in order."""
    async with session.ws_connect(url, heartbeat=None, max_msg_size=0) as ws:
        window = asyncio.Semaphore(WINDOW)
        sent = 0

        async def send() -> None:
            nonlocal sent
            while not stop.is_set():
                await window.acquire()
                await ws.send_str(f"{index}:{sent}")
                sent += 1

        sender = asyncio.create_task(send())
        received = 0
        try:
            while not (sender.done() and received == sent):
                message = await asyncio.wait_for(ws.receive(), DRAIN_TIMEOUT)
                assert message.type is aiohttp.WSMsgType.TEXT, (index, message)
                assert message.data == f"{index}:{received}", (index, received, message.data)
                received += 1
                window.release()
        finally:
            sender.cancel()
        await sender
        return received


async def test_five_hundred_echo_clients(tmp_path: Path) -> None:
    project = write_project(tmp_path / "faults")
    with started_server(project) as server:
        url = server.next_listening().url.replace("http://", "ws://") + "/ws"
        stop = asyncio.Event()
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            started = time.monotonic()
            clients = [asyncio.create_task(_client(session, url, stop, i)) for i in range(CLIENTS)]
            await asyncio.sleep(SECONDS)
            stop.set()
            echoed = await asyncio.gather(*clients)
            elapsed = time.monotonic() - started
        total = sum(echoed)
        print(
            f"\n{CLIENTS} websocket clients × {SECONDS}s: {total} messages echoed in order "
            f"({total / elapsed:,.0f}/s), fewest per client {min(echoed)}"
        )
        assert min(echoed) > 0
        assert server.stop() == 0, server.text()
