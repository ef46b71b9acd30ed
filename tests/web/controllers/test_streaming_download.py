"""StreamingDownloadController: _prepare_binary's bytes arrive whole, written chunk by chunk."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hostray.web.controller import StreamingDownloadController

if TYPE_CHECKING:
    from .conftest import Served

DATA = os.urandom(1024 * 1024 + 123)  # not a multiple of any chunk size


class RecordingDownload(StreamingDownloadController):
    writes: list[int]

    async def _prepare_binary(self) -> bytes:
        return DATA

    def write(self, chunk: Any) -> None:
        self.writes.append(len(chunk))
        super().write(chunk)


class CsvDownload(StreamingDownloadController):
    async def _prepare_binary(self) -> bytes:
        self.set_header("Content-Type", "text/csv")
        return b"a,b\n1,2\n"


class Gone(StreamingDownloadController):
    finished: asyncio.Future[bool]

    async def _prepare_binary(self) -> bytes:
        return bytes(32 * 1024 * 1024)

    def on_connection_close(self) -> None:
        super().on_connection_close()
        if not self.finished.done():
            self.finished.set_result(True)


async def test_download_arrives_whole_in_chunks_of_the_configured_size(
    serve: Callable[..., Served],
) -> None:
    writes: list[int] = []
    RecordingDownload.writes = writes
    served = serve([("/file", RecordingDownload, {"chunk_size": 10_000})])
    received: list[bytes] = []

    response = await served.fetch("/file", streaming_callback=received.append)

    assert response.code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert int(response.headers["Content-Length"]) == len(DATA)
    assert hashlib.sha256(b"".join(received)).digest() == hashlib.sha256(DATA).digest()
    assert sum(writes) == len(DATA)
    assert writes[:-1] == [10_000] * (len(writes) - 1)
    assert writes[-1] == len(DATA) % 10_000


async def test_prepare_binary_may_set_its_own_content_type(serve: Callable[..., Served]) -> None:
    served = serve([("/csv", CsvDownload)])
    response = await served.fetch("/csv")
    assert response.code == 200
    assert response.headers["Content-Type"] == "text/csv"
    assert response.body == b"a,b\n1,2\n"


async def test_client_leaving_mid_download_ends_the_handler_quietly(
    serve: Callable[..., Served], caplog: pytest.LogCaptureFixture
) -> None:
    Gone.finished = asyncio.get_running_loop().create_future()
    served = serve([("/big", Gone)])
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    await reader.readexactly(64 * 1024)
    writer.transport.abort()
    assert await asyncio.wait_for(Gone.finished, 10)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_only_get_is_allowed(serve: Callable[..., Served]) -> None:
    served = serve([("/file", RecordingDownload)])
    RecordingDownload.writes = []
    response = await served.fetch("/file", method="POST", body=b"x")
    assert response.code == 405


class FileDownload(StreamingDownloadController):
    path: str
    writes: list[int]

    async def _prepare_binary(self) -> str:
        return self.path

    def write(self, chunk: Any) -> None:
        self.writes.append(len(chunk))
        super().write(chunk)


class GeneratedDownload(StreamingDownloadController):
    async def _prepare_binary(self) -> Any:
        async def rows() -> Any:
            for n in range(1000):
                yield f"{n},{n * n}\n".encode()

        return rows()


async def test_a_file_path_is_streamed_from_disk_in_chunks(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(DATA)
    FileDownload.path = str(path)
    FileDownload.writes = []
    served = serve([("/file", FileDownload, {"chunk_size": 64 * 1024})])
    received: list[bytes] = []
    response = await served.fetch("/file", streaming_callback=received.append)
    assert response.code == 200
    assert int(response.headers["Content-Length"]) == len(DATA)
    assert b"".join(received) == DATA
    assert max(FileDownload.writes) == 64 * 1024  # never the whole file at once
    assert len(FileDownload.writes) == -(-len(DATA) // (64 * 1024))


async def test_a_missing_file_is_a_404(serve: Callable[..., Served], tmp_path: Path) -> None:
    FileDownload.path = str(tmp_path / "nowhere.bin")
    FileDownload.writes = []
    served = serve([("/file", FileDownload, {})])
    response = await served.fetch("/file")
    assert response.code == 404


async def test_an_async_generator_is_sent_as_it_comes(serve: Callable[..., Served]) -> None:
    served = serve([("/rows", GeneratedDownload, {})])
    response = await served.fetch("/rows")
    assert response.code == 200
    lines = response.body.decode().splitlines()
    assert len(lines) == 1000 and lines[-1] == "999,998001"
