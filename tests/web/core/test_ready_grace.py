"""A real server process behind a load balancer's readiness probe: on SIGTERM `server_ready`
answers 503 at once while the server keeps serving for `ready_grace` seconds, then the listener
closes and the process exits 0. `server_alive` stays a liveness probe."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest

from .conftest import write_project
from .test_process import start, wait_for_line


async def get(port: int, path: str) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a fresh connection: (status, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    raw = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_sigterm_makes_readiness_503_during_the_grace_then_the_listener_closes(
    tmp_path: Path,
) -> None:
    root = write_project(
        tmp_path / "graceful",
        "name: graceful\nready_grace: 3\ncontroller:\n"
        "    /ready:\n        enum: server_ready\n    /alive:\n        enum: server_alive\n",
    )
    process, port = await start(root)
    assert await get(port, "/ready") == (200, b'{"ready": true}')

    process.send_signal(signal.SIGTERM)
    await wait_for_line(process, "readiness is 503")
    status, body = await get(port, "/ready")
    assert (status, json.loads(body)) == (503, {"ready": False, "stopping": True})
    assert await get(port, "/alive") == (200, b"1")  # still serving during the grace

    assert await asyncio.wait_for(process.wait(), 30) == 0
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
