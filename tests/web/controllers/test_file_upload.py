"""StreamingFileUploadController: bodies go to disk in upload_dir, and nowhere else."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import os
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostray.web.controller import StreamingFileUploadController
from hostray.web.controller.file_upload import safe_relative_path

if TYPE_CHECKING:
    from .conftest import Served


class WatchedUpload(StreamingFileUploadController):
    """Signals when Tornado reports the client gone, so a test can wait for the clean-up."""

    closed: asyncio.Future[bool] | None = None

    def on_connection_close(self) -> None:
        super().on_connection_close()
        if self.closed is not None and not self.closed.done():
            self.closed.set_result(True)


def tree(root: Path) -> set[str]:
    """Every file and directory below `root`, hidden ones included."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(upload_dir, its parent): nothing may appear in the parent but upload_dir itself."""
    upload_dir = tmp_path / "uploads"
    upload_dir.mkdir()
    return upload_dir, tmp_path


async def raw_exchange(port: int, head: bytes, body_parts: Sequence[bytes] = ()) -> bytes:
    """Send a request by hand and return the whole response (the server closes the connection)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    for part in body_parts:
        writer.write(part)
        await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


async def test_upload_is_saved_under_its_name_and_answers_json(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    response = await served.fetch(
        "/upload", method="POST", body=b"hello file", headers={"filename": "hello.txt"}
    )
    assert response.code == 200, response.body
    assert json.loads(response.body) == {"file_name": "hello.txt", "size": 10}
    assert (upload_dir / "hello.txt").read_bytes() == b"hello file"
    assert tree(upload_dir) == {"hello.txt"}


async def test_query_argument_names_the_file_and_subdirectories_are_created(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    response = await served.fetch("/upload?filename=a/b/c.bin", method="PUT", body=b"\x00\x01")
    assert response.code == 200, response.body
    assert (upload_dir / "a" / "b" / "c.bin").read_bytes() == b"\x00\x01"


async def test_percent_encoded_utf8_header_names_the_file(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    response = await served.fetch(
        "/upload", method="POST", body=b"cv", headers={"filename": quote("résumé.pdf")}
    )
    assert response.code == 200, response.body
    assert (upload_dir / "résumé.pdf").read_bytes() == b"cv"


async def test_second_upload_replaces_the_file(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    for body in (b"first version", b"second"):
        response = await served.fetch(
            "/upload", method="POST", body=body, headers={"filename": "f.txt"}
        )
        assert response.code == 200
    assert (upload_dir / "f.txt").read_bytes() == b"second"
    assert tree(upload_dir) == {"f.txt"}


async def test_missing_file_name_is_a_400(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    response = await served.fetch("/upload", method="POST", body=b"x")
    assert response.code == 400
    assert b"filename" in response.body
    assert tree(upload_dir) == set()


HOSTILE = [
    "../x",
    "../../etc/x",
    "/etc/x",
    "/x",
    "\\x",
    "..\\x",
    "a/../../x",
    "sub/../../x",
    "C:x",
    "a\x00b",
    "a\nb",
    "..",
    ".",
    "",
    "x" * 300,
]


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
@pytest.mark.parametrize("via", ["header", "query"])
async def test_hostile_names_are_refused_and_write_nothing(
    serve: Callable[..., Served], dirs: tuple[Path, Path], name: str, via: str
) -> None:
    upload_dir, parent = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    before = tree(parent)
    if via == "header":
        response = await served.fetch(
            "/upload", method="POST", body=b"evil", headers={"filename": quote(name)}
        )
    else:
        response = await served.fetch(
            f"/upload?filename={quote(name)}", method="POST", body=b"evil"
        )
    assert response.code == 400, response.body
    assert tree(parent) == before
    assert b"Traceback" not in response.body


async def test_raw_nul_and_bad_percent_encoding_in_the_header_are_refused(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, parent = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    before = tree(parent)
    for raw_name in (b"a\x00b", b"%ff%fe", b"../x"):
        answer = await raw_exchange(
            served.port,
            b"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nfilename: "
            + raw_name
            + b"\r\nContent-Length: 4\r\n\r\nevil",
        )
        assert answer.startswith(b"HTTP/1.1 400"), answer
    assert tree(parent) == before


async def test_symlink_out_of_upload_dir_is_refused(
    serve: Callable[..., Served], dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    upload_dir, _ = dirs
    outside = tmp_path / "outside"
    outside.mkdir()
    (upload_dir / "link").symlink_to(outside, target_is_directory=True)
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    response = await served.fetch(
        "/upload", method="POST", body=b"evil", headers={"filename": "link/x"}
    )
    assert response.code == 400
    assert list(outside.iterdir()) == []


async def test_file_standing_where_a_directory_is_needed_is_a_409(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    (upload_dir / "a.txt").write_bytes(b"keep")
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    response = await served.fetch(
        "/upload", method="POST", body=b"x", headers={"filename": "a.txt/b"}
    )
    assert response.code == 409
    assert (upload_dir / "a.txt").read_bytes() == b"keep"


@given(st.text(max_size=40))
def test_sanitised_names_always_stay_inside(name: str) -> None:
    root = os.path.realpath("/srv/uploads")
    try:
        relative = safe_relative_path(name)
    except ValueError:
        return
    assert "\x00" not in relative
    target = os.path.realpath(os.path.join(root, relative))
    assert os.path.commonpath([target, root]) == root
    assert target != root


async def test_aborted_upload_leaves_no_partial_file(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, parent = dirs
    WatchedUpload.closed = asyncio.get_running_loop().create_future()
    served = serve([("/upload", WatchedUpload, {"upload_dir": str(upload_dir)})])
    before = tree(parent)
    _, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(
        b"POST /upload HTTP/1.1\r\nHost: x\r\nfilename: partial.bin\r\n"
        b"Content-Length: 1000000\r\n\r\n" + b"x" * 300_000
    )
    await writer.drain()
    writer.transport.abort()
    assert await asyncio.wait_for(WatchedUpload.closed, 10)
    assert tree(parent) == before


async def test_declared_length_over_the_limit_is_a_413_before_any_body(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, parent = dirs
    served = serve(
        [
            (
                "/upload",
                StreamingFileUploadController,
                {"upload_dir": str(upload_dir), "max_body_size": 1000},
            )
        ]
    )
    before = tree(parent)
    # Only the headers are sent: the answer must not wait for a body.
    answer = await raw_exchange(
        served.port,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nfilename: big.bin\r\n"
        b"Content-Length: 5000000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b"1000 bytes" in answer
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert b"\r\nconnection: close" in head  # the unread body ends the connection: say so
    assert tree(parent) == before


async def test_chunked_body_over_the_limit_is_a_413_and_leaves_nothing(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, parent = dirs
    served = serve(
        [
            (
                "/upload",
                StreamingFileUploadController,
                {"upload_dir": str(upload_dir), "max_body_size": 100_000},
            )
        ]
    )
    before = tree(parent)
    # One chunk announced larger than the limit; the server answers once it has seen too much.
    answer = await raw_exchange(
        served.port,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nfilename: big.bin\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % 200_000,
        [b"y" * 150_000],
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b"\r\nconnection: close" in answer.split(b"\r\n\r\n", 1)[0].lower()
    assert tree(parent) == before


async def test_expect_100_continue_gets_413_instead_of_continue(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve(
        [
            (
                "/upload",
                StreamingFileUploadController,
                {"upload_dir": str(upload_dir), "max_body_size": 10},
            )
        ]
    )
    answer = await raw_exchange(
        served.port,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nfilename: a\r\nContent-Length: 11\r\n"
        b"Expect: 100-continue\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b"100 (Continue)" not in answer


def body_producer(
    total: int, piece: int, digest: hashlib._Hash
) -> Callable[[Callable[[bytes], Awaitable[None]]], Awaitable[None]]:
    """A streaming request body of `total` bytes made `piece` bytes at a time."""

    async def produce(write: Callable[[bytes], Awaitable[None]]) -> None:
        sent = 0
        counter = 0
        while sent < total:
            size = min(piece, total - sent)
            block = (counter.to_bytes(8, "big") * (size // 8 + 1))[:size]
            digest.update(block)
            await write(block)
            sent += size
            counter += 1

    return produce


def _sha256(path: Path) -> bytes:
    """The SHA-256 of the file at `path`, read in chunks."""
    with path.open("rb") as saved:
        return hashlib.file_digest(saved, "sha256").digest()


async def test_20_mb_upload_streams_to_disk_with_bounded_memory(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    total = 20 * 1024 * 1024
    digest = hashlib.sha256()
    gc.collect()
    tracemalloc.start()
    try:
        response = await served.fetch(
            "/upload",
            method="POST",
            headers={"filename": "big.bin", "Content-Length": str(total)},
            body_producer=body_producer(total, 256 * 1024, digest),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.code == 200, response.body
    assert json.loads(response.body)["size"] == total
    assert await asyncio.to_thread(_sha256, upload_dir / "big.bin") == digest.digest()
    # Client and server share this process: both stream, so the peak stays far below the body.
    assert peak < total // 4, f"peak {peak} bytes"


async def test_a_multipart_form_is_refused_with_415_and_saves_nothing(
    serve: Callable[..., Served], dirs: tuple[Path, Path]
) -> None:
    upload_dir, _ = dirs
    served = serve([("/upload", StreamingFileUploadController, {"upload_dir": str(upload_dir)})])
    boundary = "----hostrayboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    ).encode()
    response = await served.fetch(
        "/upload?filename=a.txt",
        method="POST",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.code == 415
    assert b"multipart form uploads are not accepted" in response.body
    assert b"--data-binary" in response.body
    assert tree(upload_dir) == set()
