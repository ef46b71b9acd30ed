"""Database restart: the database server stops and starts while clients read the REST endpoint.

While it is down, requests fail fast with 503 (none hangs past the client's timeout, which is
above the ORM's connect timeout); once it is back, requests succeed again within 5 s, with the same
hostray process. Once for MariaDB, once for PostgreSQL. The shared servers are down for about
two seconds each.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from types import TracebackType

import aiohttp
import pytest

from .databases import server_down
from .processes import ServerProcess, started_server
from .projects import ITEM, rest_database, write_project

pytestmark = pytest.mark.timeout(150)

CLIENTS = 10
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=10)
DOWN_SECONDS = 2
FIRST_503_TIMEOUT = 10
RECOVERY_TIMEOUT = 5


class Traffic:
    """Clients reading /rest/1 in a loop; statuses counted, events for the first 200 / 503."""

    def __init__(self, server: ServerProcess, url: str) -> None:
        self.server = server
        self.url = url
        self.statuses: Counter[int] = Counter()
        self.slowest_503 = 0.0
        self.stop = asyncio.Event()
        self.ok = asyncio.Event()
        self.unavailable = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._client()) for _ in range(CLIENTS)]

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)

    async def wait(self, event: asyncio.Event, timeout: float, what: str) -> None:
        """Block until `event` is set; a client that failed meanwhile raises its failure."""
        waiter = asyncio.create_task(event.wait())
        done, _ = await asyncio.wait(
            [waiter, *self.tasks], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in done - {waiter}:
            task.result()
        if waiter not in done:
            waiter.cancel()
            pytest.fail(f"{what} within {timeout}s; statuses so far: {dict(self.statuses)}")

    def expect_ok_again(self) -> None:
        """From now on, `ok` is set by the next 200."""
        self.ok.clear()

    async def _client(self) -> None:
        async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
            while not self.stop.is_set():
                started = time.monotonic()
                async with session.get(self.url) as response:
                    body = await response.read()
                self.statuses[response.status] += 1
                if response.status == 200:
                    assert response.headers["Content-Type"].startswith("application/json")
                    assert body.decode() and (await response.json()) == ITEM
                    self.ok.set()
                elif response.status == 503:
                    self.slowest_503 = max(self.slowest_503, time.monotonic() - started)
                    self.unavailable.set()
                else:
                    output = self.server.text()[-3000:]
                    pytest.fail(f"unexpected {response.status}: {body!r}; server output:\n{output}")


async def _restart_during_traffic(project: Path, kind: str) -> None:
    with started_server(project) as server:
        traffic = Traffic(server, server.next_listening().url + "/rest/1")
        traffic.start()
        try:
            await traffic.wait(traffic.ok, 10, "no 200 before the restart")
            stopped = time.monotonic()
            async with _down(kind):
                await traffic.wait(traffic.unavailable, FIRST_503_TIMEOUT, "no 503 while down")
                await asyncio.sleep(DOWN_SECONDS)
                traffic.expect_ok_again()
            back = time.monotonic()
            await traffic.wait(traffic.ok, RECOVERY_TIMEOUT, "no 200 after the restart")
            recovered = time.monotonic() - back
        finally:
            await traffic.finish()
        print(
            f"\n{kind} down for {back - stopped:.1f}s: {dict(traffic.statuses)}; slowest 503 "
            f"{traffic.slowest_503 * 1000:.0f} ms; first 200 {recovered:.2f}s after it was back"
        )
        assert set(traffic.statuses) == {200, 503}
        assert server.stop() == 0, server.text()


class _down:
    """`async with _down(kind)`: the database server is stopped (and started again) off the loop,
    so the traffic keeps flowing while the commands run."""

    def __init__(self, kind: str) -> None:
        self._context = server_down(kind)

    async def __aenter__(self) -> None:
        await asyncio.to_thread(self._context.__enter__)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self._context.__exit__, exc_type, exc, traceback)


async def test_mariadb_restart(tmp_path: Path, mysql_url: str, mysql_table: str) -> None:
    project = write_project(
        tmp_path / "faults", rest=rest_database(mysql_url, mysql_table, workers=2)
    )
    await _restart_during_traffic(project, "mysql")


async def test_postgresql_restart(
    tmp_path: Path, postgresql_url: str, postgresql_table: str
) -> None:
    project = write_project(
        tmp_path / "faults",
        rest=rest_database(postgresql_url, postgresql_table, workers=2),
    )
    await _restart_during_traffic(project, "postgresql")
