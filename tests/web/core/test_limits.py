"""The server's limits, against a real server process: a body past `max_body_size` is a 413 on
every route (404 and 405 included) before it is read, a streaming route may allow more, headers
too large are a 431, slow clients are cut by `idle_connection_timeout` and `body_timeout`, past
`max_connections` a busy server answers 503, and no response names Tornado's version.

Waits are bounded generously (a loaded machine only makes them longer). What a test needs to have
happened in the server, it waits for as an answer, never as a pause; the one pause is the
behaviour under test (a client that keeps the server waiting)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hostray.web._connections import SHED_AFTER

from .conftest import write_project

WAIT = 60.0
"""Bound of every wait for the server: its start, an answer."""
CUT_WITHIN = 30.0
"""Bound of a wait for the server to close a connection: far above the 0.5 s timeouts the slow
client tests set, far below the 60 s defaults, so a timeout that were not applied fails them."""
LIMIT = 64 * 1024

HANDLERS = """\
import asyncio

from tornado.web import RequestHandler

from hostray.web.controller import StreamingUploadController


class Hello(RequestHandler):
    def get(self):
        self.write('hello')

    def post(self):
        self.write(str(len(self.request.body)))


class Hold(RequestHandler):
    \"\"\"Sends its headers, then never finishes: a request that keeps its connection busy
    (the client knows it is, once it has the headers).\"\"\"

    async def get(self):
        await self.flush()
        await asyncio.Event().wait()


class Counting(StreamingUploadController):
    def _on_chunk_received(self, headers, chunk, received):
        pass

    def _on_data_received(self, headers, received):
        return str(received)
"""

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    Hello = ('limits_hello', 'handlers', 'Hello')
    Hold = ('limits_hold', 'handlers', 'Hold')
    Counting = ('limits_counting', 'handlers', 'Counting')
"""

RUN = (
    "import sys; from hostray.web.server import HostrayServer; "
    "sys.exit(HostrayServer(sys.argv[1], port=0, address='127.0.0.1').run())"
)
SET_SHED_AFTER = "import sys, hostray.web._connections as c; c.SHED_AFTER = float(sys.argv[2]); "
"""Prefix of `RUN` for a server whose connections may be shed after `sys.argv[2]` seconds."""


def limits_project(root: Path, extra: str = "") -> Path:
    config = f"""\
name: limits
max_body_size: {LIMIT}
{extra}
controller:
    /hello:
        enum: limits_hello
    /hold:
        enum: limits_hold
    /stream:
        enum: limits_counting
        params:
            max_body_size: {4 * LIMIT}
"""
    return write_project(
        root,
        config,
        {"controller/__init__.py": CONTROLLER_INIT, "controller/handlers.py": HANDLERS},
    )


@contextlib.asynccontextmanager
async def serving(root: Path, shed_after: float | None = None) -> AsyncIterator[int]:
    """The project served by a real process (`shed_after`: instead of `SHED_AFTER`); yields its
    port."""
    shedding = [] if shed_after is None else [str(shed_after)]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN if shed_after is None else SET_SHED_AFTER + RUN,
        str(root),
        *shedding,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        while True:
            raw = await asyncio.wait_for(process.stdout.readline(), WAIT)
            assert raw, "the server exited before serving"
            match = re.search(rb"is serving on 127\.0\.0\.1:(\d+)", raw)
            if match:
                break
        drain = asyncio.ensure_future(process.stdout.read())
        yield int(match.group(1))
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
    drain.cancel()


async def exchange(port: int, request: bytes) -> tuple[int | None, dict[str, str], bytes]:
    """Send `request` as it is; the status, headers and body of the answer (None: no answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        with contextlib.suppress(ConnectionError):
            writer.write(request)
            await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int | None, dict[str, str], bytes]:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None, {}, b""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


def post(path: str, length: int, body: bytes = b"") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode() + body


@pytest.fixture
async def port(tmp_path: Path) -> AsyncIterator[int]:
    async with serving(limits_project(tmp_path / "limits")) as port:
        yield port


async def test_a_declared_body_over_the_limit_is_413_on_every_route_before_it_is_sent(
    port: int,
) -> None:
    for path in ("/no/such/route", "/hold", "/hello"):  # 404, 405 and a POST route
        status, headers, _ = await exchange(port, post(path, 95 * 1024 * 1024))
        assert status == 413, path
        assert headers.get("connection") == "close"


async def test_a_body_within_the_limit_reaches_the_handler(port: int) -> None:
    status, _, body = await exchange(port, post("/hello", LIMIT, b"x" * LIMIT))
    assert (status, body) == (200, str(LIMIT).encode())
    status, _, _ = await exchange(port, post("/no/such/route", 10, b"x" * 10))
    assert status == 404


async def test_a_chunked_body_is_counted_as_it_arrives(port: int) -> None:
    chunk = b"x" * 16 * 1024
    request = b"POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    request += b"%x\r\n%s\r\n" % (len(chunk), chunk) * 5  # 80 KiB > 64 KiB, no end chunk
    status, _, _ = await exchange(port, request)
    assert status == 413


async def test_a_streaming_route_may_allow_more_than_the_server(port: int) -> None:
    status, _, body = await exchange(port, post("/stream", 3 * LIMIT, b"x" * 3 * LIMIT))
    assert (status, body) == (200, str(3 * LIMIT).encode())
    status, _, _ = await exchange(port, post("/stream", 5 * LIMIT))
    assert status == 413


async def test_headers_too_large_are_431(port: int) -> None:
    request = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70 * 1024 + b"\r\n\r\n"
    status, _, _ = await exchange(port, request)
    assert status == 431
    status, _, body = await exchange(port, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (status, body) == (200, b"hello")


async def test_no_response_names_the_tornado_version(port: int) -> None:
    for path in ("/hello", "/no/such/route"):
        _, headers, _ = await exchange(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert not re.search(r"\d", headers.get("server", "")), headers


async def wait_closed(reader: asyncio.StreamReader) -> bytes:
    """Read until the server closes the connection (bounded by CUT_WITHIN)."""
    with contextlib.suppress(ConnectionError):
        return await asyncio.wait_for(reader.read(), CUT_WITHIN)
    return b""


async def test_slow_headers_and_slow_bodies_are_cut(tmp_path: Path) -> None:
    project = limits_project(tmp_path / "slow", "idle_connection_timeout: 0.5\nbody_timeout: 0.5")
    async with serving(project) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\n")  # the headers never end
        assert await wait_closed(reader) == b""
        writer.close()

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/hello", 10, b"x"))  # 9 bytes of the body never come
        assert await wait_closed(reader) == b""
        writer.close()


async def test_idle_connections_are_cut_after_their_last_answer_and_before_any_request(
    tmp_path: Path,
) -> None:
    project = limits_project(tmp_path / "idle", "idle_connection_timeout: 0.5")
    async with serving(project) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = await asyncio.wait_for(read_response(reader), WAIT)
        assert (status, body) == (200, b"hello")
        assert await wait_closed(reader) == b""  # kept alive, then idle past the timeout
        writer.close()

        silent = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        for reader, writer in silent:  # never send a byte
            assert await wait_closed(reader) == b""
            writer.close()


async def test_past_max_connections_a_busy_server_answers_503(tmp_path: Path) -> None:
    async with serving(limits_project(tmp_path / "cap", "max_connections: 2")) as port:
        held = []
        for _ in range(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, _ = await read_response(reader)  # its headers: the handler runs
            assert status == 200
            held.append(writer)
        status, headers, _ = await exchange(port, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 503
        assert headers.get("connection") == "close"
        for writer in held:
            writer.close()


async def test_past_max_connections_the_longest_idle_connection_makes_room(
    tmp_path: Path,
) -> None:
    async with serving(limits_project(tmp_path / "idle", "max_connections: 2")) as port:
        idle = []
        for _ in range(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, _ = await read_response(reader)  # the server serves this connection
            assert status == 200
            writer.write(b"GET /hello HTTP/1.1\r\n")  # slowloris: the next headers never end
            idle.append((reader, writer))
        # The behaviour under test is about time: the server sheds a client that kept it waiting
        # SHED_AFTER s or more. The server waits for the next headers from the moment it wrote
        # the answer just read; one more second covers its few steps from there.
        await asyncio.sleep(SHED_AFTER + 1.0)
        status, _, body = await exchange(port, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (status, body) == (200, b"hello")
        assert await wait_closed(idle[0][0]) == b""  # the oldest one was closed
        for _, writer in idle:
            writer.close()


async def test_past_max_connections_a_client_still_sending_its_request_is_not_closed(
    tmp_path: Path,
) -> None:
    # However slowly this test gets from the first client to the second on a loaded machine, the
    # first has not waited `shed_after` s: the server must not close it to make room.
    project = limits_project(tmp_path / "fresh", "max_connections: 1")
    async with serving(project, shed_after=600.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, _ = await read_response(reader)  # the server serves this connection
        assert status == 200
        writer.write(b"GET /hello HTTP/1.1\r\n")  # its next request: still sending
        await writer.drain()
        status, _, _ = await exchange(port, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 503
        writer.write(b"Host: x\r\n\r\n")
        status, _, body = await read_response(reader)
        assert (status, body) == (200, b"hello")
        writer.close()
