"""A small cluster on one machine: two `hostray start` servers on 127.0.0.2 and 127.0.0.3 (two
"hosts") behind haproxy (`option httpchk` on the readiness route), sessions and broadcasts in
Redis, rows in PostgreSQL, tasks on Celery through Redis run by a `hostray worker`.

It proves: a session made on one host is seen on the other; a websocket broadcast reaches
clients of both hosts; tasks queued on both hosts run on the worker (never in a web process);
`kill -9` of one server → haproxy marks it down and the client loop loses only requests that
were in flight on it; SIGTERM of the other (after the first is back) → its readiness answers
503, haproxy drains it during `ready_grace`, and the client loop loses nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import redis
import sqlalchemy

from .cluster_project import ClusterProject, write_cluster_project
from .processes import STOP_TIMEOUT, ServerProcess

pytestmark = pytest.mark.timeout(300)

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
HOSTS = ("127.0.0.2", "127.0.0.3")
READY_GRACE = 10.0
"""Seconds b serves after SIGTERM while its readiness answers 503: haproxy (checks every 250 ms)
must mark it down within them, however loaded the machine."""
CLIENT_LOOPS = 4
ROUND = 10 * CLIENT_LOOPS
"""Requests the client loop completes in each phase of the scenario."""
WAIT = 60.0
"""Bound of each wait in the scenario (a line, an answer, a round of requests)."""
WORKER_READY = re.compile(r"worker ready on")
LISTENING = re.compile(r"listening on http://([\d.]+):(\d+) \(pid (\d+)\)")


def _state(server: str, state: str) -> re.Pattern[str]:
    return re.compile(rf"Server hostray/{server} is {state}\b.*")


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def haproxy_config(port: int, servers: dict[str, tuple[str, int]]) -> str:
    """The haproxy config of the scenario (docs/DEPLOYING.md shows the same)."""
    lines = "\n".join(
        f"    server {name} {host}:{server_port} check"
        for name, (host, server_port) in servers.items()
    )
    return (
        textwrap.dedent(
            f"""\
        global
            maxconn 2000

        defaults
            mode http
            timeout connect 2s
            timeout client 30s
            timeout server 30s
            timeout tunnel 1h
            retries 3
            option redispatch
            option http-server-close

        frontend web
            bind 127.0.0.1:{port}
            default_backend hostray

        backend hostray
            balance roundrobin
            option httpchk GET /ready
            http-check expect status 200
            default-server inter 250ms fall 2 rise 2
        """
        )
        + lines
        + "\n"
    )


class Cluster:
    """Every process of the scenario, each stopped (or killed) by `close`."""

    def __init__(self, project: ClusterProject) -> None:
        self.project = project
        self.processes: list[ServerProcess] = []
        self.servers: dict[str, ServerProcess] = {}
        self.addresses: dict[str, tuple[str, int]] = {}
        self.pids: dict[str, int] = {}

    def _spawn(self, *argv: str) -> ServerProcess:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = ServerProcess([*argv], environment)
        self.processes.append(process)
        return process

    def start_worker(self) -> ServerProcess:
        worker = self._spawn(
            sys.executable, "-m", "hostray", "worker", str(self.project.root), "--concurrency", "2"
        )
        worker.wait_for(WORKER_READY, 60)
        return worker

    def start_server(self, name: str, host: str, port: int = 0) -> None:
        server = self._spawn(
            sys.executable, "-m", "hostray", "start", str(self.project.root),
            "--address", host, "--port", str(port),
        )  # fmt: skip
        match = server.wait_for(LISTENING, 60)
        self.servers[name] = server
        self.addresses[name] = (match.group(1), int(match.group(2)))
        self.pids[name] = int(match.group(3))

    def url(self, name: str, path: str, scheme: str = "http") -> str:
        host, port = self.addresses[name]
        return f"{scheme}://{host}:{port}{path}"

    def start_haproxy(self, directory: Path) -> tuple[ServerProcess, str]:
        port = _free_port("127.0.0.1")
        config = directory / "haproxy.cfg"
        config.write_text(haproxy_config(port, self.addresses), encoding="utf-8")
        haproxy = self._spawn(HAPROXY, "-db", "-f", str(config))
        _wait_accepting(haproxy, port)
        return haproxy, f"http://127.0.0.1:{port}"

    def close(self) -> None:
        for process in self.processes:
            process.close()


def _wait_accepting(haproxy: ServerProcess, port: int) -> None:
    """Block until haproxy accepts connections on `port`. It prints nothing when it listens, so
    this polls the port, bounded by WAIT (the one wait here with no event to block on)."""
    deadline = time.monotonic() + WAIT
    while True:
        assert haproxy.process.poll() is None, haproxy.text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=WAIT).close()
            return
        except ConnectionRefusedError:
            assert time.monotonic() < deadline, f"haproxy not listening within {WAIT}s"
            time.sleep(0.05)


class ClientLoop:
    """`CLIENT_LOOPS` tasks sending GET /hello through haproxy until stopped; every failure is
    kept with the time it happened."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.stop = asyncio.Event()
        self.sent = 0
        self.completed = 0
        self._progress = asyncio.Condition()
        self.failures: list[tuple[float, str]] = []
        self.tasks = [asyncio.create_task(self._loop()) for _ in range(CLIENT_LOOPS)]

    async def _loop(self) -> None:
        while not self.stop.is_set():
            self.sent += 1
            try:
                async with self.session.get(self.url) as response:
                    body = await response.text()
                    if response.status != 200 or not body.startswith("hello from"):
                        self.failures.append((time.monotonic(), f"{response.status} {body[:80]}"))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                self.failures.append((time.monotonic(), repr(exc)))
            self.completed += 1
            async with self._progress:
                self._progress.notify_all()

    async def run_for(self, requests: int) -> None:
        """Block until `requests` more requests have completed (bounded by WAIT)."""
        target = self.completed + requests
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: self.completed >= target), WAIT)

    def failures_since(self, moment: float) -> list[str]:
        return [what for when, what in self.failures if when >= moment]

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


@pytest.fixture
def project(tmp_path: Path, redis_url: str, postgresql_url: str) -> Iterator[ClusterProject]:
    made = write_cluster_project(tmp_path / "cluster", redis_url, postgresql_url, READY_GRACE)
    broker, results = made.broker, made.results
    engine = sqlalchemy.create_engine(_sqlalchemy_url(postgresql_url))
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                f"CREATE TABLE {made.table} (id SERIAL PRIMARY KEY, n INTEGER NOT NULL, "
                "pid INTEGER NOT NULL)"
            )
        )
    for url in (broker, results):
        redis.Redis.from_url(url).flushdb()
    try:
        yield made
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {made.table}"))
        engine.dispose()
        for url in (broker, results):
            redis.Redis.from_url(url).flushdb()


@pytest.fixture
def cluster(project: ClusterProject) -> Iterator[Cluster]:
    made = Cluster(project)
    try:
        yield made
    finally:
        made.close()


def _rows(project: ClusterProject, postgresql_url: str) -> list[tuple[int, int]]:
    engine = sqlalchemy.create_engine(_sqlalchemy_url(postgresql_url))
    try:
        with engine.connect() as connection:
            query = sqlalchemy.text(f"SELECT n, pid FROM {project.table}")
            return [(int(n), int(pid)) for n, pid in connection.execute(query)]
    finally:
        engine.dispose()


async def _session_is_shared(session: aiohttp.ClientSession, cluster: Cluster) -> None:
    async with session.post(cluster.url("a", "/session?value=made-on-a")) as made:
        assert made.status == 200, await made.text()
        cookie = made.cookies["hostray_session"].value
    async with session.get(
        cluster.url("b", "/session"), headers={"Cookie": f"hostray_session={cookie}"}
    ) as seen:
        assert seen.status == 200
        body = await seen.json()
    assert body == {"value": "made-on-a", "pid": cluster.pids["b"]}


async def _broadcast_reaches_both_hosts(
    session: aiohttp.ClientSession, cluster: Cluster, front: str
) -> None:
    """Sockets opened through haproxy (round robin: both hosts), one broadcast, all get it."""
    sockets: dict[int, list[aiohttp.ClientWebSocketResponse]] = {}
    try:
        for _ in range(6):
            ws = await session.ws_connect(front.replace("http", "ws") + "/room", heartbeat=None)
            greeting = await asyncio.wait_for(ws.receive(), WAIT)
            sockets.setdefault(int(greeting.data.removeprefix("pid:")), []).append(ws)
        assert set(sockets) == {cluster.pids["a"], cluster.pids["b"]}, sockets
        everyone = [ws for group in sockets.values() for ws in group]
        await everyone[0].send_str("hello, cluster")
        for ws in everyone:
            message = await asyncio.wait_for(ws.receive(), WAIT)
            assert message.data == "hello, cluster"
    finally:
        for group in sockets.values():
            for ws in group:
                await ws.close()


async def _tasks_run_on_the_worker(
    session: aiohttp.ClientSession, cluster: Cluster, postgresql_url: str
) -> None:
    async def enqueue(name: str, n: int) -> int:
        async with session.post(cluster.url(name, f"/enqueue?n={n}")) as response:
            assert response.status == 200, await response.text()
            body = await response.json()
        assert body["web_pid"] == cluster.pids[name]
        return int(body["n"])

    done = await asyncio.gather(
        *(enqueue("a", n) for n in range(10)), *(enqueue("b", n) for n in range(10, 20))
    )
    assert sorted(done) == list(range(20))
    rows = await asyncio.to_thread(_rows, cluster.project, postgresql_url)
    assert sorted(n for n, _ in rows) == list(range(20))
    assert not {pid for _, pid in rows} & set(cluster.pids.values())  # never in a web process


async def test_two_hosts_behind_haproxy(
    cluster: Cluster, tmp_path: Path, postgresql_url: str
) -> None:
    cluster.start_worker()
    cluster.start_server("a", HOSTS[0])
    cluster.start_server("b", HOSTS[1])
    haproxy, front = cluster.start_haproxy(tmp_path)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for name in ("a", "b"):
            async with session.get(cluster.url(name, "/ready")) as ready:
                assert ready.status == 200, await ready.text()
        await _session_is_shared(session, cluster)
        await _broadcast_reaches_both_hosts(session, cluster, front)
        await _tasks_run_on_the_worker(session, cluster, postgresql_url)

        loop = ClientLoop(session, front + "/hello")
        await loop.run_for(ROUND)  # against both hosts
        assert loop.failures == []

        # kill -9 of a: only requests in flight on it may fail.
        killed_at = time.monotonic()
        os.killpg(cluster.servers["a"].process.pid, signal.SIGKILL)
        down = await asyncio.to_thread(haproxy.wait_for, _state("a", "DOWN"), WAIT)
        await loop.run_for(ROUND)  # a is out of the rotation: nothing more fails
        lost_to_kill = loop.failures_since(killed_at)
        assert len(lost_to_kill) <= CLIENT_LOOPS, lost_to_kill
        print(f"\nkill -9: {len(lost_to_kill)} request(s) lost in flight; haproxy: {down.group(0)}")

        # a comes back on its port; then SIGTERM of b: nothing may fail.
        cluster.start_server("a", HOSTS[0], cluster.addresses["a"][1])
        await asyncio.to_thread(haproxy.wait_for, _state("a", "UP"), WAIT)
        stopping_at = time.monotonic()
        cluster.servers["b"].process.send_signal(signal.SIGTERM)
        drained = await asyncio.to_thread(haproxy.wait_for, _state("b", "DOWN"), WAIT)
        assert "503" in drained.group(0)  # readiness answered 503 while b still served
        status = await asyncio.to_thread(cluster.servers["b"].process.wait, STOP_TIMEOUT)
        assert status == 0, cluster.servers["b"].text()
        await loop.run_for(ROUND)  # b is gone: a alone serves, nothing fails
        await loop.finish()
        assert loop.failures_since(stopping_at) == []
        print(f"SIGTERM: 0 requests lost of {loop.sent} sent; haproxy: {drained.group(0)}")

    assert cluster.servers["a"].stop() == 0
