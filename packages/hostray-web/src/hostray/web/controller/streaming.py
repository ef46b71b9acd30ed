"""Streaming controllers: downloads sent in chunks, uploads received in chunks.

Both sides use flow control, so memory stays bounded whatever the size of the data: a download
waits for each chunk to reach the socket before writing the next one, and an upload's next chunk is
read only when the previous one has been processed.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any, Union

from tornado.httputil import HTTPHeaders
from tornado.iostream import StreamClosedError
from tornado.web import HTTPError, stream_request_body

from ..component import DefaultComponentTypes
from .request_controller import RequestController

__all__ = [
    "Downloadable",
    "StreamingDownloadController",
    "StreamingUploadController",
    "run_blocking",
]

KIB = 1024
MIB = 1024 * KIB
DEFAULT_CHUNK_SIZE = 64 * KIB
DEFAULT_MAX_BODY_SIZE = 100 * MIB


Downloadable = Union[
    bytes,
    bytearray,
    memoryview,
    str,
    "os.PathLike[str]",
    AsyncIterable[bytes],
    Iterable[bytes],
]
"""What `_prepare_binary()` may return: the bytes, a file path, or chunks (async or not)."""


class StreamingDownloadController(RequestController):
    """Sends what `_prepare_binary()` returns in `chunk_size` pieces (route param, 64 KiB).

    It may return the bytes themselves, a file path (read from disk one chunk at a time on the
    worker pool, `Content-Length` from its size; a missing file is a 404), or an iterable or async
    iterable of byte chunks (sent as they come, chunked transfer encoding).
    """

    SUPPORTED_METHODS = ("GET",)
    chunk_size: int = DEFAULT_CHUNK_SIZE
    download_pool_id: str = "default"
    """The pool of the `worker_pool` component that reads files; override per class."""

    def initialize(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        """Keep the route's chunk size."""
        if chunk_size <= 0:
            raise ValueError(f"chunk_size must be a positive number of bytes, got {chunk_size!r}")
        self.chunk_size = chunk_size

    async def _prepare_binary(self) -> Downloadable:
        """Override: return the bytes, a file path or the chunks to send."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _prepare_binary()")

    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Send the data chunk by chunk, each one flushed to the socket before the next."""
        self.set_header("Content-Type", "application/octet-stream")  # _prepare_binary may change it
        source = await self._prepare_binary()
        try:
            if isinstance(source, (bytes, bytearray, memoryview)):
                await self._send_bytes(memoryview(source))
            elif isinstance(source, (str, os.PathLike)):
                await self._send_file(os.fspath(source))
            else:
                await self._send_chunks(source)
        except StreamClosedError:
            return  # the client went away: nothing left to send it
        self.finish()

    async def _send_bytes(self, data: memoryview) -> None:
        self.set_header("Content-Length", len(data))
        for start in range(0, len(data), self.chunk_size):
            self.write(bytes(data[start : start + self.chunk_size]))
            await self.flush()

    async def _send_file(self, path: str) -> None:
        try:
            file = await run_blocking(self, open, path, "rb", pool_id=self.download_pool_id)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise HTTPError(404) from None
        try:
            self.set_header("Content-Length", os.fstat(file.fileno()).st_size)
            while True:
                chunk = await run_blocking(
                    self, file.read, self.chunk_size, pool_id=self.download_pool_id
                )
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        finally:
            file.close()

    async def _send_chunks(self, chunks: AsyncIterable[bytes] | Iterable[bytes]) -> None:
        if isinstance(chunks, AsyncIterable):
            async for chunk in chunks:
                self.write(chunk)
                await self.flush()
            return
        for chunk in chunks:
            self.write(chunk)
            await self.flush()


async def run_blocking(
    handler: RequestController, func: Callable[..., Any], *args: Any, pool_id: str = "default"
) -> Any:
    """Run a plain `func` on the server's worker pool `pool_id` (bounded, drained at stop); an
    application without the worker_pool component (a bare Tornado `Application`) runs it on
    asyncio's default executor."""
    manager = getattr(handler.application, "component_manager", None)
    pools = None if manager is None else manager.get_component(DefaultComponentTypes.WorkerPool)
    if pools is None:
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)
    return await pools.run_method_async(func, *args, pool_id=pool_id)


@stream_request_body
class StreamingUploadController(RequestController):
    """Receives a POST/PUT body chunk by chunk: `_on_chunk_received`, then `_on_data_received`.

    Both may be plain functions (run on the server's worker pool `upload_pool_id`, so they may
    block) or coroutine functions (awaited on the event loop). A body larger than `max_body_size`
    (route param, default 100 MiB) is answered 413: at once when its Content-Length says so,
    otherwise as soon as it has sent more.
    """

    SUPPORTED_METHODS = ("POST", "PUT")
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    upload_pool_id: str = "default"
    """The pool of the `worker_pool` component that runs plain hooks; override per class."""
    bytes_received: int = 0
    body_complete: bool = False

    def initialize(self, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> None:
        """Keep the route's body size limit (bytes)."""
        if max_body_size < 0:
            raise ValueError(f"max_body_size must be >= 0 bytes, got {max_body_size!r}")
        self.max_body_size = max_body_size

    def _on_chunk_received(
        self, headers: HTTPHeaders, chunk: bytes, bytes_size_received: int
    ) -> Any:
        """Override: process one chunk; `bytes_size_received` counts the body so far."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _on_chunk_received()")

    def _on_data_received(self, headers: HTTPHeaders, bytes_size_received: int) -> Any:
        """Override: finish the upload; a value other than None is written as the response."""

    async def prepare(self) -> None:
        """Refuse a body whose declared length is over the limit before reading any of it."""
        length = self.request.headers.get("Content-Length")
        if length is not None:
            if not length.isdigit():
                raise HTTPError(400, "invalid Content-Length %r", length)
            if int(length) > self.max_body_size:
                raise HTTPError(413, "the body exceeds %d bytes", self.max_body_size)
        # The limit is ours: Tornado's own would drop the connection instead of answering 413.
        self.request.connection.set_max_body_size(sys.maxsize)  # type: ignore[union-attr]

    async def data_received(self, chunk: bytes) -> None:
        """Count the chunk against the limit and hand it to `_on_chunk_received`."""
        if self._finished:
            return
        self.bytes_received += len(chunk)
        try:
            if self.bytes_received > self.max_body_size:
                raise HTTPError(413, "the body exceeds %d bytes", self.max_body_size)
            await self._call(
                self._on_chunk_received, self.request.headers, chunk, self.bytes_received
            )
        except Exception as exc:
            self._handle_request_exception(exc)

    async def post(self, *args: Any, **kwargs: Any) -> None:
        """The whole body has arrived: run `_on_data_received` and answer with its result."""
        await self._complete()

    async def put(self, *args: Any, **kwargs: Any) -> None:
        """Same as `post`."""
        await self._complete()

    async def _complete(self) -> None:
        self.body_complete = True
        result = await self._call(self._on_data_received, self.request.headers, self.bytes_received)
        if result is not None and not self._finished:
            self.write(result)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """An answer sent before the whole body arrived ends the connection: say so in a header."""
        if not self.body_complete:
            self.set_header("Connection", "close")
        super().write_error(status_code, **kwargs)

    async def _call(self, func: Callable[..., Any], *args: Any) -> Any:
        """Await a coroutine function; run a plain one on the worker pool `upload_pool_id` (the
        server's threads, bounded and drained at stop). An application without the worker_pool
        component (a bare Tornado `Application`) runs it on asyncio's default executor."""
        if inspect.iscoroutinefunction(func):
            return await func(*args)
        return await run_blocking(self, func, *args, pool_id=self.upload_pool_id)
