"""A stop with nothing left to wait for says nothing about websockets or worker pools, even with
`shutdown_timeout: 0` (the waits then time out at once)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from .conftest import write_project

RUN = (
    "import sys; from hostray.web.server import HostrayServer; "
    "sys.exit(HostrayServer(sys.argv[1], port=0, address='127.0.0.1').run())"
)


async def test_a_stop_with_nothing_running_logs_no_empty_warnings(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "quiet",
        "name: quiet\nshutdown_timeout: 0\ncomponent:\n    worker_pool:\n        io: 2\n",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN,
        str(project),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readline(), 30)
    assert b"is serving on" in first, first
    port = int(first.rsplit(b":", 1)[1].split()[0])
    # An answer means the server is past start() and has its signal handlers.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (await asyncio.wait_for(reader.read(), 30)).startswith(b"HTTP/1.1 404")
    writer.close()
    process.send_signal(signal.SIGTERM)
    rest, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    text = rest.decode()
    assert "is stopping" in text, text
    assert "websocket(s) did not close" not in text, text
    assert "worker pool(s)" not in text, text
