"""Hostile input: upload names that try to leave upload_dir, bodies and websocket frames over the
limit, malformed JSON and form bodies to the REST endpoint, 10,000 random paths and queries.

Never a 5xx, never a file outside upload_dir, never a traceback in the server's output, and the
server still answers afterwards.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from .processes import ServerProcess, started_server
from .projects import HELLO_BODY, RestDatabase, rest_database, write_project
from .rawhttp import RawConnection

pytestmark = pytest.mark.timeout(150)

UPLOAD_LIMIT = 64 * 1024
FRAME_LIMIT = 64 * 1024
RANDOM_REQUESTS = 10_000
RANDOM_CONNECTIONS = 20
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=30)


class Hostile:
    """The project served for one test, with its upload directory and the files around it."""

    def __init__(self, root: Path, server: ServerProcess, url: str) -> None:
        self.root = root
        self.server = server
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])
        self.upload_dir = root / "faults" / "uploads"
        self.before = self.files()

    def files(self) -> set[Path]:
        return {path for path in self.root.rglob("*") if path.is_file()}

    def written_outside_upload_dir(self) -> list[Path]:
        return sorted(
            path
            for path in self.files() - self.before
            if self.upload_dir not in path.parents and path.suffix != ".pyc"
        )

    async def still_answers(self) -> None:
        async with (
            aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session,
            session.get(f"{self.url}/hello") as response,
        ):
            assert response.status == 200
            assert await response.text() == HELLO_BODY
        assert self.server.process.poll() is None
        assert "Traceback" not in self.server.text(), self.server.text()


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Hostile]:
    """The faults project with uploads and a small websocket frame limit (no database)."""
    yield from _serve(tmp_path, None)


@pytest.fixture
def hostile_rest(tmp_path: Path, mysql_url: str, mysql_table: str) -> Iterator[Hostile]:
    """The same project with the REST endpoint on MariaDB."""
    yield from _serve(tmp_path, rest_database(mysql_url, mysql_table, workers=2))


def _serve(tmp_path: Path, rest: RestDatabase | None) -> Iterator[Hostile]:
    project = write_project(
        tmp_path / "faults",
        rest=rest,
        upload={"upload_dir": "uploads", "max_body_size": UPLOAD_LIMIT},
        websocket_max_message_size=FRAME_LIMIT,
    )
    (project / "uploads").mkdir()
    with started_server(project) as server:
        url = server.next_listening().url
        yield Hostile(tmp_path, server, url)
        assert server.stop() == 0, server.text()


def _escaping_names(root: Path) -> list[str]:
    outside = root / f"outside-{uuid.uuid4().hex}.txt"
    return [
        "../escape.txt",
        "../../escape.txt",
        "a/../../escape.txt",
        "a/b/../../../escape.txt",
        "..\\escape.txt",
        "a\\..\\..\\escape.txt",
        "..",
        "/etc/hostray-faults.txt",
        str(outside),
        "\\\\server\\share\\escape.txt",
        "C:\\escape.txt",
        "C:escape.txt",
        "x\x00y.txt",
        "../\x00escape.txt",
        "line\nbreak.txt",
        "",
        "/",
        "a" * 300,
    ]


async def test_upload_names_never_leave_upload_dir(hostile: Hostile) -> None:
    statuses: Counter[int] = Counter()
    previous = "none"
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        upload = f"{hostile.url}/upload"
        for name in _escaping_names(hostile.root):
            for how in ("header", "query"):
                if how == "header":
                    request = session.post(upload, data=b"x", headers={"filename": quote(name)})
                else:
                    request = session.post(upload, data=b"x", params={"filename": name})
                try:
                    async with request as response:
                        text = await response.text()
                except aiohttp.ClientOSError as exc:
                    pytest.fail(
                        f"{name!r} by {how}: {exc}: the server closed the keep-alive connection "
                        f"after its previous answer ({previous}) without 'Connection: close'"
                    )
                previous = f"{response.status}, Connection: {response.headers.get('Connection')}"
                statuses[response.status] += 1
                assert response.status == 400, (name, how, response.status, text)
        async with session.post(upload, data=b"kept", params={"filename": "in/side.txt"}) as ok:
            assert ok.status == 200, await ok.text()
    kept = await asyncio.to_thread((hostile.upload_dir / "in" / "side.txt").read_bytes)
    assert kept == b"kept"
    assert hostile.written_outside_upload_dir() == []
    assert not await asyncio.to_thread(Path("/etc/hostray-faults.txt").exists)
    print(f"\nescaping upload names: {dict(statuses)}")
    await hostile.still_answers()


async def test_bodies_over_the_limit(hostile: Hostile) -> None:
    """Refused with 413 before the body is read (declared length, or 100-continue), or as soon
    as a chunked body passes the limit; nothing is left in upload_dir."""
    statuses: list[int | None] = []
    raw = RawConnection(hostile.port)
    declared = (
        b"POST /upload?filename=big.bin HTTP/1.1\r\nHost: x\r\n"
        + f"Content-Length: {UPLOAD_LIMIT + 1}\r\n\r\n".encode()
    )
    response = await raw.exchange(declared)
    assert response is not None and response.status == 413, response
    statuses.append(response.status)
    await raw.close()
    lying = (
        b"POST /upload?filename=liar.bin HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: 99999999999999999999\r\n\r\n"
    )
    response = await raw.exchange(lying)
    assert response is None or 400 <= response.status < 500, response
    statuses.append(None if response is None else response.status)
    await raw.close()
    chunk = b"x" * (UPLOAD_LIMIT // 2)
    chunked = b"".join(
        [
            b"POST /upload?filename=big2.bin HTTP/1.1\r\nHost: x\r\n",
            b"Transfer-Encoding: chunked\r\n\r\n",
            *(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)),
            b"0\r\n\r\n",
        ]
    )
    response = await raw.exchange(chunked)
    # The 413 may be lost to a reset when the server closes with part of the body unread.
    assert response is None or response.status == 413, response
    statuses.append(None if response is None else response.status)
    await raw.close()
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        url = f"{hostile.url}/upload"
        too_big = b"x" * (UPLOAD_LIMIT + 1)
        params = {"filename": "big3.bin"}
        async with session.post(url, data=too_big, params=params, expect100=True) as answer:
            assert answer.status == 413, await answer.text()
            statuses.append(answer.status)
    print(f"\nbodies over {UPLOAD_LIMIT} bytes: {statuses}")
    assert not any(hostile.upload_dir.rglob("*")), list(hostile.upload_dir.rglob("*"))
    assert hostile.written_outside_upload_dir() == []
    await hostile.still_answers()


async def test_websocket_frames_over_the_limit(hostile: Hostile) -> None:
    url = hostile.url.replace("http://", "ws://") + "/ws"
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        for payload in ("x" * (FRAME_LIMIT + 1), b"\0" * (4 * FRAME_LIMIT)):
            async with session.ws_connect(url) as ws:
                if isinstance(payload, str):
                    await ws.send_str(payload)
                else:
                    await ws.send_bytes(payload)
                message = await ws.receive(timeout=10)
                assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                assert ws.close_code == 1009, (message, ws.close_code)
        async with session.ws_connect(url) as ws:
            await ws.send_str("y" * FRAME_LIMIT)
            echoed = await ws.receive(timeout=10)
            assert echoed.data == "y" * FRAME_LIMIT
    await hostile.still_answers()


MALFORMED_BODIES: list[tuple[str, bytes]] = [
    ("application/json", b"{"),
    ("application/json", b'{"name": "ada", "age": }'),
    ("application/json", b""),
    ("application/json", b"null"),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"ada"'),
    ("application/json", b"[" * 100_000 + b"]" * 100_000),
    ("application/json", b'{"name": "\xff\xfe"}'),
    ("application/json", b'{"name": "ada", "age": 36, "no_such_column": 1}'),
    ("application/json", b'{"name": 5, "age": 36}'),
    ("application/json", b'{"name": "ada", "age": "old"}'),
    ("application/json", b'{"name": "ada", "age": 1e400}'),
    ("application/json", b'{"name": "' + b"a" * 1000 + b'", "age": 1}'),
    ("application/json", b'{"name": "ada", "id": -1, "age": 1}'),
    ("application/json; charset=utf-16", b'{"name": "ada"}'),
    ("application/x-www-form-urlencoded", b"name=%ZZ&age=%"),
    ("application/x-www-form-urlencoded", b"name=\xff\xfe&age=1"),
    ("application/x-www-form-urlencoded", b"=&&=&name"),
    ("application/x-www-form-urlencoded", b"name=ada&age=99999999999999999999"),
    ("application/x-www-form-urlencoded", b"name=ada&age=1&evil=1"),
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data\r\n\r\nada\r\n--x--\r\n"),
    ("multipart/form-data; boundary=x", b"garbage without any boundary"),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="name"'),
    ("text/plain", b"name=ada"),
]


async def test_malformed_bodies_to_the_rest_endpoint(hostile_rest: Hostile) -> None:
    statuses: Counter[int] = Counter()
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        url = f"{hostile_rest.url}/rest"
        for content_type, body in MALFORMED_BODIES:
            headers = {"Content-Type": content_type}
            async with session.post(url, data=body, headers=headers) as response:
                text = await response.text(errors="replace")
                statuses[response.status] += 1
                assert 400 <= response.status < 500, (content_type, body[:80], text)
        async with session.post(url, json={"name": "grace", "age": 45}) as created:
            assert created.status == 201, await created.text()
            item = await created.json()
        async with session.get(f"{url}/{item['id']}") as response:
            assert await response.json() == item
    print(f"\nmalformed REST bodies: {dict(statuses)}")
    await hostile_rest.still_answers()


_ROUTES = ["/", "/hello", "/pid", "/rest", "/rest/", "/rest/1", "/upload", "/ws", "/static/", ""]
_PIECES = [
    "..",
    ".",
    "/",
    "//",
    "%2e%2e",
    "%2F",
    "%00",
    "%ff",
    "%",
    "%zz",
    "%u2215",
    "\\",
    "~",
    ";",
    "'",
    '"',
    "<script>",
    "{}",
    "|",
    "`",
    "$",
    "*",
    "+",
    "=",
    "&",
    "#",
    "@",
    ":",
    "é",
    "\u202e",
    "etc",
    "passwd",
    "0",
    "-1",
    "999999999999",
    "a" * 200,
    "%c0%ae",
    "..;",
    "?",
    "%3f",
]
_METHODS = ["GET"] * 6 + ["HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "X"]


def _random_request(rng: random.Random) -> tuple[bytes, bool]:
    path = rng.choice(_ROUTES)
    for _ in range(rng.randint(0, 6)):
        path += rng.choice(_PIECES)
    if not path.startswith("/"):
        path = "/" + path
    query = "&".join(
        f"{rng.choice(_PIECES)}={rng.choice(_PIECES)}" for _ in range(rng.randint(0, 4))
    )
    target = quote(path, safe="/%;=&~.:@+$*'") + ("?" + quote(query, safe="=&%") if query else "")
    method = rng.choice(_METHODS)
    body = b"" if method in ("GET", "HEAD") else b"{}"
    request = (
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1") + body
    return request, method == "HEAD"


async def test_random_paths_and_queries(hostile_rest: Hostile) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    requests = [_random_request(rng) for _ in range(RANDOM_REQUESTS)]
    statuses: Counter[int | None] = Counter()
    failures: list[tuple[bytes, int]] = []

    async def worker(share: list[tuple[bytes, bool]]) -> None:
        connection = RawConnection(hostile_rest.port)
        try:
            for request, head in share:
                response = await connection.exchange(request, head=head)
                status = None if response is None else response.status
                statuses[status] += 1
                if status is not None and status >= 500:
                    failures.append((request, status))
                if response is not None:
                    assert b"root:x:0:0" not in response.body, request
        finally:
            await connection.close()

    await asyncio.gather(
        *(worker(requests[i::RANDOM_CONNECTIONS]) for i in range(RANDOM_CONNECTIONS))
    )
    print(f"\n{RANDOM_REQUESTS} random requests (seed {seed}): {dict(statuses)}")
    assert sum(statuses.values()) == RANDOM_REQUESTS
    assert failures == [], f"seed {seed}: {failures[:5]}"
    assert hostile_rest.written_outside_upload_dir() == []
    await hostile_rest.still_answers()
