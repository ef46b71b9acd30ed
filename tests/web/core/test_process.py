"""The server as a real process: SIGTERM lets the in-flight request finish and exits 0; a second
signal exits at once; a project without optional components never imports their libraries."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from .conftest import write_project

SLOW_CONTROLLER = """\
import asyncio
import sys

from tornado.web import RequestHandler


class Slow(RequestHandler):
    \"\"\"Answers a first line, then waits for the test to send a line on the server's stdin.\"\"\"

    async def get(self):
        self.write('started\\n')
        await self.flush()
        line = await asyncio.to_thread(sys.stdin.readline)
        self.write(line)
"""

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    Slow = ('slow', 'slow', 'Slow')
"""

RUN = (
    "import sys; from hostray.web.server import HostrayServer; "
    "sys.exit(HostrayServer(sys.argv[1], port=0, address='127.0.0.1').run())"
)


def slow_project(root: Path) -> Path:
    return write_project(
        root,
        "name: slow\nshutdown_timeout: 60\ncontroller:\n    /slow:\n        enum: slow\n",
        {"controller/__init__.py": CONTROLLER_INIT, "controller/slow.py": SLOW_CONTROLLER},
    )


async def start(root: Path) -> tuple[asyncio.subprocess.Process, int]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN,
        str(root),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    line = await wait_for_line(process, "is serving on")
    match = re.search(r"127\.0\.0\.1:(\d+)", line)
    assert match, line
    return process, int(match.group(1))


async def wait_for_line(process: asyncio.subprocess.Process, text: str) -> str:
    assert process.stdout is not None
    while True:
        raw = await asyncio.wait_for(process.stdout.readline(), 30)
        assert raw, f"server exited before printing {text!r}"
        line = raw.decode()
        if text in line:
            return line


async def begin_slow_request(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await asyncio.wait_for(reader.readuntil(b"started\n"), 30)
    return reader, writer


async def test_sigterm_lets_the_in_flight_request_finish_then_exits_zero(tmp_path: Path) -> None:
    process, port = await start(slow_project(tmp_path / "slow"))
    reader, writer = await begin_slow_request(port)

    process.send_signal(signal.SIGTERM)
    await wait_for_line(process, "is stopping")
    assert process.returncode is None  # still serving the request
    assert process.stdin is not None
    process.stdin.write(b"released\n")
    await process.stdin.drain()

    rest = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert b"released" in rest
    assert await asyncio.wait_for(process.wait(), 30) == 0


async def test_second_signal_exits_without_waiting(tmp_path: Path) -> None:
    process, port = await start(slow_project(tmp_path / "slow"))
    _reader, writer = await begin_slow_request(port)
    process.send_signal(signal.SIGINT)
    await wait_for_line(process, "is stopping")
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 128 + signal.SIGTERM
    writer.close()


LEAN = """\
import asyncio, sys
from hostray.web.server import HostrayServer

async def main():
    server = HostrayServer(sys.argv[1], port=0, address='127.0.0.1')
    await server.start()
    await server.stop()

asyncio.run(main())
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'aiohttp', 'redis'})
print('heavy:', ','.join(heavy))
"""


async def run_lean(root: Path) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LEAN, str(root), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    return out.decode().strip().splitlines()[-1]


async def test_optional_libraries_are_imported_only_when_configured(tmp_path: Path) -> None:
    bare = write_project(
        tmp_path / "bare",
        "controller:\n    /alive:\n        enum: server_alive\n"
        "component:\n    worker_pool:\n        default: 1\n",
    )
    assert await run_lean(bare) == "heavy:"
    cached = write_project(
        tmp_path / "cached", "component:\n    memory_cache:\n        sess_lifetime: 60\n"
    )
    assert await run_lean(cached) == "heavy:"
    services = write_project(
        tmp_path / "services",
        "component:\n    services:\n        http://127.0.0.1:9:\n            /:\n"
        "                name: nowhere\n                get: []\n",
    )
    assert await run_lean(services) == "heavy: aiohttp"
