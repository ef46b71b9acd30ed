"""Uploads behind a real server: deep and long names are a 400 with a message (not a 500), a
refused upload leaves no directory behind, and the partial files a killed run left
are swept when the server starts (issue 13, item 7)."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from hostray.web.controller.upload_files import MAX_NAME_PARTS, safe_relative_path

from .conftest import write_project

if TYPE_CHECKING:
    from .conftest import Served

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    Upload = ('upload', 'hostray.web.controller', 'StreamingFileUploadController')
"""

CONFIG = """\
    name: uploads
    controller:
        /upload:
            enum: upload
            params:
                upload_dir: uploads
                max_body_size: 100000
    """


def upload_project(root: Path) -> Path:
    project = write_project(root, CONFIG, {"controller/__init__.py": CONTROLLER_INIT})
    (project / "uploads").mkdir(exist_ok=True)
    return project


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


async def upload(url: str, name: str, body: bytes = b"data") -> HTTPResponse:
    client = AsyncHTTPClient(force_instance=True)
    try:
        return await client.fetch(
            f"{url}/upload",
            method="POST",
            body=body,
            headers={"filename": quote(name)},
            raise_error=False,
            request_timeout=30,
        )
    finally:
        client.close()


async def raw_exchange(port: int, head: bytes, body: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()


async def test_deep_and_long_names_are_a_400_and_leave_nothing(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path
) -> None:
    project = upload_project(tmp_path / "p")
    uploads = project / "uploads"
    with serve(project) as served:
        deep = await upload(served.url, "/".join(["d"] * 1000) + "/f.txt")
        assert deep.code == 400, deep.body
        assert b"longer than 1024 bytes" in deep.body
        many = await upload(served.url, "/".join(["d"] * 40) + "/f.txt")
        assert many.code == 400, many.body
        assert f"more than {MAX_NAME_PARTS} parts".encode() in many.body
        long_parts = await upload(served.url, "/".join(["x" * 255] * 20))
        assert long_parts.code == 400, long_parts.body
        assert tree(uploads) == set()

        deepest = "/".join(["d"] * (MAX_NAME_PARTS - 1)) + "/f.txt"
        accepted = await upload(served.url, deepest)
        assert accepted.code == 200, accepted.body
        assert (uploads / deepest).read_bytes() == b"data"
        output = served.stop()
    assert "Traceback" not in output
    assert " 500 " not in output


async def test_refused_uploads_remove_their_directories(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path
) -> None:
    project = upload_project(tmp_path / "p")
    uploads = project / "uploads"
    (uploads / "kept").mkdir()
    with serve(project) as served:
        too_big = await upload(served.url, "kept/new/deeper/big.bin", b"y" * 150_000)
        assert too_big.code == 413
        chunked = await raw_exchange(
            served.port,
            b"POST /upload HTTP/1.1\r\nHost: x\r\nfilename: a/b/c/big.bin\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % 200_000,
            b"y" * 150_000,
        )
        assert chunked.startswith(b"HTTP/1.1 413"), chunked
        assert tree(uploads) == {"kept"}
        output = served.stop()
    assert "Traceback" not in output


async def test_partial_files_of_a_killed_run_are_swept_at_start(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path
) -> None:
    project = upload_project(tmp_path / "p")
    uploads = project / "uploads"
    (uploads / "sub").mkdir()
    left = [uploads / ".upload-abc.part", uploads / "sub" / ".upload-def.part"]
    for path in left:
        path.write_bytes(b"half an upload")
    kept = uploads / "report.part"  # not one of ours: a user's file
    kept.write_bytes(b"mine")
    in_progress = uploads / ".upload-live.part"  # locked: another process is writing it
    in_progress.write_bytes(b"arriving")
    fd = os.open(in_progress, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with serve(project) as served:
            assert tree(uploads) == {"sub", "report.part", ".upload-live.part"}
            output = served.stop()
    finally:
        os.close(fd)
    assert "removed 2 partial upload(s) left by an earlier run" in output


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a/" * 40 + "f", "more than 32 parts"),
        ("x" * 1025, "longer than 1024 bytes"),
        ("é" * 513, "longer than 1024 bytes"),
        ("x" * 256, "longer than 255 bytes"),
    ],
)
def test_name_limits(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        safe_relative_path(name)
    assert safe_relative_path("a/" * 31 + "f") == "a/" * 31 + "f"
