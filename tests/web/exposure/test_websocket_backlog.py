"""A websocket client that sends but never reads, against an `on_message` that does not await
`write_message`: the server closes the connection with 1008 once the unsent backlog passes
`max_write_buffer_size` instead of buffering without limit (issue 13, item 6)."""

from __future__ import annotations

import base64
import os
import socket
import struct
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from tornado.httpclient import AsyncHTTPClient

from .conftest import write_project

if TYPE_CHECKING:
    from .conftest import Served

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    Echo = ('echo', 'echo', 'Echo')
    Hello = ('hello', 'echo', 'Hello')
"""

ECHO = """\
from hostray.web.controller import RequestController, WebSocketController


class Echo(WebSocketController):
    def on_message(self, message):
        self.write_message(message, binary=True)  # not awaited: the case under test


class Hello(RequestController):
    def get(self):
        self.write('hello')
"""

MESSAGE = 64 * 1024
MESSAGES = 512  # 32 MiB: more than the kernel's socket buffers hold


def echo_project(root: Path, params: str = "") -> Path:
    config = f"""\
        name: ws
        controller:
            /ws:
                enum: echo
                {params}
            /hello:
                enum: hello
        """
    files = {"controller/__init__.py": CONTROLLER_INIT, "controller/echo.py": ECHO}
    return write_project(root, config, files)


def open_websocket(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def binary_frame(payload: bytes) -> bytes:
    """A masked client frame; the all-zero mask leaves the payload as it is."""
    return b"\x82" + bytes([0x80 | 127]) + struct.pack(">Q", len(payload)) + b"\0\0\0\0" + payload


def close_code_after_reading(sock: socket.socket) -> int | None:
    """Read frames until the server's close frame (its code) or the end of the stream (None)."""
    buffer = b""

    def take(size: int) -> bytes | None:
        nonlocal buffer
        while len(buffer) < size:
            try:
                chunk = sock.recv(1 << 20)
            except TimeoutError:
                return None
            if not chunk:
                return None
            buffer += chunk
        taken, buffer = buffer[:size], buffer[size:]
        return taken

    while True:
        head = take(2)
        if head is None:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            raw = take(2)
            length = struct.unpack(">H", raw)[0] if raw else 0
        elif length == 127:
            raw = take(8)
            length = struct.unpack(">Q", raw)[0] if raw else 0
        payload = take(length)
        if payload is None:
            return None
        if opcode == 0x8:
            return cast(int, struct.unpack(">H", payload[:2])[0])


@pytest.mark.parametrize("params", ["params: {max_write_buffer_size: 262144}", ""])
async def test_a_client_that_never_reads_is_closed_with_1008(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path, params: str
) -> None:
    with serve(echo_project(tmp_path / "ws", params)) as served:
        sock = open_websocket(served.port)
        sock.settimeout(10)
        try:
            for _ in range(MESSAGES):
                sock.sendall(binary_frame(b"m" * MESSAGE))
            assert close_code_after_reading(sock) == 1008
        finally:
            sock.close()
        client = AsyncHTTPClient(force_instance=True)
        try:
            hello = await client.fetch(f"{served.url}/hello", request_timeout=30)
        finally:
            client.close()
        assert hello.body == b"hello"
        output = served.stop()
    assert "the client does not read what is sent; closed (1008)" in output
    assert "Traceback" not in output
    assert "never retrieved" not in output


def test_a_bad_max_write_buffer_size_stops_the_start(tmp_path: Path) -> None:
    import asyncio

    from hostray.config import ConfigError
    from hostray.web.server import HostrayServer

    project = echo_project(tmp_path / "ws", "params: {max_write_buffer_size: 0}")
    server = HostrayServer(str(project), port=0, address="127.0.0.1")
    with pytest.raises(ConfigError) as err:
        asyncio.run(server.start())
    assert "controller./ws.params.max_write_buffer_size: expected bytes ≥ 1, got 0" in str(
        err.value
    )
