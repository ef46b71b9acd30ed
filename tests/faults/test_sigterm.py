"""SIGTERM under load: requests already accepted finish with 200, sessions survive a restart.

Sessions live in `memory_cache` with `save_file`. While clients write sessions and request /hello
in a loop, 100 slow requests are made to be in flight (each has received its first chunk), then the
server gets SIGTERM: every slow request completes with 200 and its full body, every response seen
is a 200, the server exits 0, and after a restart each session holds the value written to it.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest

from .processes import started_server
from .projects import write_project

pytestmark = pytest.mark.timeout(120)

SESSIONS = 200
IN_FLIGHT = 100
LOOPING_CLIENTS = 20
LOOPED_BEFORE_SIGTERM = 1000
SLOW_SECONDS = 2
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=30)


async def _write_session(base: str, value: str) -> aiohttp.CookieJar:
    """A client that writes `value` into its session; its cookie jar holds the session id."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with (
        aiohttp.ClientSession(cookie_jar=jar, timeout=CLIENT_TIMEOUT) as client,
        client.post(f"{base}/session", params={"value": value}, data=b"") as response,
    ):
        assert response.status == 200, await response.text()
        assert (await response.json()) == {"value": value}
    return jar


async def _read_session(base: str, jar: aiohttp.CookieJar) -> object:
    async with (
        aiohttp.ClientSession(cookie_jar=jar, timeout=CLIENT_TIMEOUT) as client,
        client.get(f"{base}/session") as response,
    ):
        assert response.status == 200, await response.text()
        return (await response.json())["value"]


async def _loop_hello(
    base: str, signalled: asyncio.Event, statuses: list[int], loaded: asyncio.Event
) -> int:
    """Request /hello until the server is gone; a connection error is fine only after SIGTERM.
    `loaded` is set once the loopers together have `LOOPED_BEFORE_SIGTERM` answers."""
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as client:
        while True:
            try:
                async with client.get(f"{base}/hello") as response:
                    await response.read()
                    statuses.append(response.status)
                    if len(statuses) >= LOOPED_BEFORE_SIGTERM:
                        loaded.set()
            except aiohttp.ClientConnectionError:
                assert signalled.is_set(), "connection error before SIGTERM"
                return len(statuses)


async def test_sigterm_finishes_accepted_requests_and_keeps_sessions(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "faults",
        memory_cache={"sess_lifetime": 600, "save_file": "sessions.json"},
    )
    with started_server(project) as server:
        base = server.next_listening().url
        jars = await asyncio.gather(*(_write_session(base, f"v{i}") for i in range(SESSIONS)))
        signalled = asyncio.Event()
        statuses: list[int] = []
        loaded = asyncio.Event()
        loopers = [
            asyncio.create_task(_loop_hello(base, signalled, statuses, loaded))
            for _ in range(LOOPING_CLIENTS)
        ]
        await asyncio.wait_for(loaded.wait(), 30)
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=CLIENT_TIMEOUT
        ) as client:
            url = f"{base}/slow?seconds={SLOW_SECONDS}"
            responses = await asyncio.gather(*(client.get(url) for _ in range(IN_FLIGHT)))
            firsts = await asyncio.gather(*(r.content.readline() for r in responses))
            assert firsts == [b"started\n"] * IN_FLIGHT
            server.process.send_signal(signal.SIGTERM)
            signalled.set()
            rests = await asyncio.gather(*(r.read() for r in responses))
            assert [r.status for r in responses] == [200] * IN_FLIGHT
            assert rests == [b"done\n"] * IN_FLIGHT
        await asyncio.gather(*loopers)
        assert set(statuses) == {200}
        exit_status = await asyncio.to_thread(server.process.wait, 30)
        assert exit_status == 0, server.text()
        print(
            f"\nSIGTERM with {IN_FLIGHT} requests in flight: all finished with 200; "
            f"{len(statuses)} /hello answers from {LOOPING_CLIENTS} looping clients, all 200"
        )
    assert (project / "sessions.json").is_file()
    with started_server(project) as server:
        base = server.next_listening().url
        values = await asyncio.gather(*(_read_session(base, jar) for jar in jars))
        assert values == [f"v{i}" for i in range(SESSIONS)]
        assert server.stop() == 0, server.text()
    print(f"{SESSIONS} sessions written before SIGTERM all there after the restart")
