"""Resource exhaustion: big bodies to a route that does not exist, and a thousand slowloris
connections under `ulimit -n 1024`.

16 clients sending 95 MB each to /no/such/route get a 413 at once and the server's peak resident
memory stays within 50 MB of idle; while 1,100 connections trickle headers that never end (more
than the limit leaves room for), a normal client is still answered, the log holds no traceback
and at most one warning a second about the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from .processes import ServerProcess, rss_bytes, started_server
from .projects import HELLO_BODY, write_project

pytestmark = pytest.mark.timeout(150)

BODY_SIZE = 95 * 1024 * 1024
CLIENTS = 16
MEMORY_SLACK = 50 * 1024 * 1024
OPEN_FILES = 1024
SLOW_CONNECTIONS = 1100
"""More than the open-file limit leaves room for (the issue's reproduction: 1,100 under 1,024)."""
LIMIT_WARNINGS = ("connection limit reached", "cannot accept connections", "are busy")
CLIENT_TIMEOUT = 30.0
TRICKLE_INTERVAL = 2.0
"""Seconds between the bytes of a slowloris connection (real ones wait longer)."""


def peak_rss_bytes(pid: int) -> int:
    """The peak resident memory of `pid` since its counter was last reset (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


def reset_peak_rss(pid: int) -> None:
    """Start counting the peak resident memory from now (Linux: clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5", encoding="ascii")


async def send_big_body(port: int, path: str, *, chunked: bool) -> int | None:
    """Send `BODY_SIZE` bytes to `path` (as fast as the server takes them) and read the status
    the server answers with; None if it hung up without one."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY_SIZE}"
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n".encode())
    block = b"x" * (1024 * 1024)

    async def send() -> None:
        with contextlib.suppress(ConnectionError):
            for _ in range(BODY_SIZE // len(block)):
                writer.write(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
                await writer.drain()

    sender = asyncio.ensure_future(send())
    try:
        line = await asyncio.wait_for(reader.readline(), CLIENT_TIMEOUT)
    except ConnectionError:
        line = b""
    await asyncio.wait_for(sender, CLIENT_TIMEOUT)
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return int(line.split()[1]) if line else None


def get_hello(url: str) -> str:
    with urllib.request.urlopen(url + "/hello", timeout=CLIENT_TIMEOUT) as response:
        return cast(bytes, response.read()).decode()


def test_big_bodies_to_no_route_keep_memory_flat(tmp_path: Path) -> None:
    with started_server(write_project(tmp_path / "faults")) as server:
        listening = server.next_listening()
        port = int(listening.url.rsplit(":", 1)[1])
        assert get_hello(listening.url) == HELLO_BODY
        reset_peak_rss(listening.pid)
        idle = rss_bytes(listening.pid)

        async def load() -> list[int | None]:
            return await asyncio.gather(
                *(send_big_body(port, "/no/such/route", chunked=i % 4 == 3) for i in range(CLIENTS))
            )

        statuses = asyncio.run(load())
        peak = peak_rss_bytes(listening.pid)
        print(
            f"\n{CLIENTS} × {BODY_SIZE // 2**20} MB to /no/such/route: statuses {statuses}; "
            f"RSS idle {idle / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB"
        )
        assert statuses == [413] * CLIENTS
        assert peak - idle <= MEMORY_SLACK
        assert get_hello(listening.url) == HELLO_BODY
        assert "Traceback" not in server.text()
        assert server.stop() == 0, server.text()


@contextlib.contextmanager
def slowloris(port: int, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that each send the start of headers that never end."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT)
            held.append(sock)
            with contextlib.suppress(OSError):
                sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        yield held
    finally:
        for sock in held:
            sock.close()


def trickle(held: list[socket.socket]) -> None:
    """Wait as a slowloris client does, then send one more byte on every held connection."""
    time.sleep(TRICKLE_INTERVAL)
    for sock in held:
        with contextlib.suppress(OSError):
            sock.send(b"z")


def assert_quiet_log(server: ServerProcess, seconds: float) -> None:
    """No traceback, and the limit warnings at most once a second."""
    text = server.text()
    assert "Traceback" not in text, text[-4000:]
    warnings = [line for line in text.splitlines() if any(w in line for w in LIMIT_WARNINGS)]
    assert len(warnings) <= seconds + 2, "\n".join(warnings[:20])


def test_a_client_is_answered_while_slowloris_holds_the_open_file_limit(tmp_path: Path) -> None:
    project = write_project(tmp_path / "faults")
    with started_server(project, open_files=OPEN_FILES) as server:
        listening = server.next_listening()
        port = int(listening.url.rsplit(":", 1)[1])
        began = time.monotonic()
        with slowloris(port, SLOW_CONNECTIONS) as held:
            trickle(held)
            assert get_hello(listening.url) == HELLO_BODY
            trickle(held)
            assert get_hello(listening.url) == HELLO_BODY
        assert get_hello(listening.url) == HELLO_BODY
        assert_quiet_log(server, time.monotonic() - began)
        assert server.stop() == 0, server.text()


def test_out_of_file_handles_the_server_makes_room_instead_of_spinning(tmp_path: Path) -> None:
    """The limit is lowered under a running server (as other open files would use it up), so
    accept itself fails with EMFILE: the server closes its longest idle connections."""
    project = write_project(tmp_path / "faults")
    with started_server(project) as server:
        listening = server.next_listening()
        port = int(listening.url.rsplit(":", 1)[1])
        _, hard = resource.prlimit(listening.pid, resource.RLIMIT_NOFILE)
        resource.prlimit(listening.pid, resource.RLIMIT_NOFILE, (OPEN_FILES, hard))
        began = time.monotonic()
        with slowloris(port, SLOW_CONNECTIONS) as held:
            trickle(held)
            assert get_hello(listening.url) == HELLO_BODY
            trickle(held)
            assert get_hello(listening.url) == HELLO_BODY
        assert get_hello(listening.url) == HELLO_BODY
        assert_quiet_log(server, time.monotonic() - began)
        assert "cannot accept" not in server.text() or "pausing accept" in server.text()
        assert server.stop() == 0, server.text()


BUSY_OPEN_FILES = 256
BUSY_CLIENTS = 300
COMPLETE = b"done\n\r\n0\r\n\r\n"  # the last chunk of /slow's chunked answer


async def slow_request(port: int) -> bytes:
    """GET /slow?seconds=3 on a connection of its own; everything the server sent."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port), CLIENT_TIMEOUT
    )
    writer.write(b"GET /slow?seconds=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    try:
        return await asyncio.wait_for(reader.read(), CLIENT_TIMEOUT * 2)
    finally:
        writer.close()


def test_out_of_file_handles_with_every_connection_busy_accept_pauses(tmp_path: Path) -> None:
    """More requests in flight than file handles: the server pauses accepting (no spinning, no
    traceback, one warning a second at most), and answers again once handles are free."""
    project = write_project(tmp_path / "faults")
    with started_server(project) as server:
        listening = server.next_listening()
        port = int(listening.url.rsplit(":", 1)[1])
        _, hard = resource.prlimit(listening.pid, resource.RLIMIT_NOFILE)
        resource.prlimit(listening.pid, resource.RLIMIT_NOFILE, (BUSY_OPEN_FILES, hard))
        began = time.monotonic()

        async def load() -> list[bytes]:
            return await asyncio.gather(*(slow_request(port) for _ in range(BUSY_CLIENTS)))

        answers = asyncio.run(load())
        assert all(answer.endswith(COMPLETE) for answer in answers)
        assert "pausing accept" in server.text()
        assert_quiet_log(server, time.monotonic() - began)
        assert get_hello(listening.url) == HELLO_BODY
        assert server.stop() == 0, server.text()
