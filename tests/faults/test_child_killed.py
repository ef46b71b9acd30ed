"""A child killed: `--processes 2`, one child gets SIGKILL under load.

Clients each hold one keep-alive connection and ask /pid, so every answer says which child served
it. After the kill: a new child announces itself and serves, the surviving child never fails a
request, and errors happen only on connections the killed child held.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from .processes import started_server
from .projects import write_project
from .rawhttp import RawConnection

pytestmark = pytest.mark.timeout(120)

CLIENTS = 100
WARM_UP_ANSWERS = 5
"""Answers every client gets before the kill."""
AFTER_KILL_ANSWERS = 5
"""Answers every client gets once the replacement announced itself (the first may have been on
its way from the killed child; the later ones were asked for after it died)."""
WAIT = 60.0
"""Bound of each wait for the clients' answers: generous, for a loaded machine."""
PROBE_ROUNDS = 20
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=30)
REQUEST = b"GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@dataclass
class Connection:
    """One client with one keep-alive connection: who served it last, and how it went."""

    last_pid: int | None = None
    answers: int = 0
    errors: list[tuple[int | None, str]] = field(default_factory=list)


class Answered:
    """Wakes the test whenever a client got an answer, so it waits for answers, not for time."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()

    async def note(self) -> None:
        """A client got an answer (or an error)."""
        async with self._changed:
            self._changed.notify_all()

    async def until(self, done: Callable[[], bool]) -> None:
        """Block until `done()` holds (bounded by WAIT)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(done), WAIT)


async def _client(port: int, state: Connection, stop: asyncio.Event, answered: Answered) -> None:
    """Ask /pid on one raw keep-alive connection (no client-side retry hides a failure)."""
    connection = RawConnection(port)
    try:
        while not stop.is_set():
            response = await connection.exchange(REQUEST)
            if response is None:
                state.errors.append((state.last_pid, "connection closed without an answer"))
                state.last_pid = None
            else:
                assert response.status == 200, response
                state.last_pid = int(response.body)
                state.answers += 1
            await answered.note()
    finally:
        await connection.close()
        await answered.note()  # a client that failed ends the test's wait at once


async def _served_by(url: str) -> set[int]:
    """The pids that answer a round of fresh connections."""

    async def one() -> int:
        async with (
            aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session,
            session.get(url) as response,
        ):
            assert response.status == 200
            return int(await response.text())

    return set(await asyncio.gather(*(one() for _ in range(50))))


async def test_killed_child_is_replaced(tmp_path: Path) -> None:
    project = write_project(tmp_path / "faults")
    with started_server(project, "--processes", "2") as server:
        first = await asyncio.to_thread(server.next_listening)
        second = await asyncio.to_thread(server.next_listening)
        url = f"{first.url}/pid"
        stop = asyncio.Event()
        answered = Answered()
        states = [Connection() for _ in range(CLIENTS)]
        port = int(first.url.rsplit(":", 1)[1])
        clients = [asyncio.create_task(_client(port, s, stop, answered)) for s in states]

        async def until(done: Callable[[], bool]) -> None:
            """Wait until `done()` holds; a client's failure is raised here, not after WAIT."""
            await answered.until(lambda: done() or any(c.done() for c in clients))
            for client in clients:
                if client.done():
                    client.result()

        await until(lambda: all(s.answers >= WARM_UP_ANSWERS for s in states))
        served_before = {state.last_pid for state in states}
        assert served_before <= {first.pid, second.pid}
        assert all(state.answers > 0 for state in states)
        assert not any(state.errors for state in states)
        victim, survivor = first.pid, second.pid
        held_by_victim = sum(state.last_pid == victim for state in states)
        os.kill(victim, signal.SIGKILL)
        replacement = await asyncio.to_thread(server.next_listening)
        before = [state.answers for state in states]
        await until(
            lambda: all(
                s.answers - n >= AFTER_KILL_ANSWERS for s, n in zip(states, before, strict=True)
            )
        )
        stop.set()
        await asyncio.gather(*clients)
        errors = [error for state in states for error in state.errors]
        print(
            f"\nkilled child {victim} holding {held_by_victim} of {CLIENTS} connections; "
            f"replacement {replacement.pid}; {len(errors)} connection errors, "
            f"{sum(s.answers for s in states)} answers"
        )
        assert replacement.pid not in (victim, survivor)
        assert all(pid == victim for pid, _ in errors), errors
        assert len(errors) <= held_by_victim
        assert all(state.last_pid in (survivor, replacement.pid) for state in states)
        seen: set[int] = set()
        for _ in range(PROBE_ROUNDS):
            seen |= await _served_by(url)
            if replacement.pid in seen:
                break
        assert replacement.pid in seen, seen
        assert seen <= {survivor, replacement.pid}
        assert server.stop() == 0, server.text()
