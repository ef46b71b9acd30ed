"""A minimal HTTP/1.1 client on raw sockets, for requests no well-behaved client would send.

`RawConnection.exchange(request_bytes)` writes the bytes as they are and reads one response: its
status, or None when the server closed the connection without answering (as it may for a request
line it cannot parse).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

__all__ = ["RawConnection", "RawResponse"]

TIMEOUT = 15.0


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: bytes
    keep_alive: bool


class RawConnection:
    """One keep-alive connection to 127.0.0.1:`port`, reopened after the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes, *, head: bool = False) -> RawResponse | None:
        """Send `request`, read its response (no body for HEAD); None if the server hung up."""
        return await asyncio.wait_for(self._exchange(request, head), TIMEOUT)

    async def _exchange(self, request: bytes, head: bool) -> RawResponse | None:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
        except ConnectionError:
            status_line = b""
        if not status_line:
            await self.close()
            return None
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self._body(reader, status, headers, head)
        keep_alive = headers.get("connection", "").lower() != "close" and body is not None
        if not keep_alive:
            await self.close()
        return RawResponse(status, body or b"", keep_alive)

    @staticmethod
    async def _body(
        reader: asyncio.StreamReader, status: int, headers: dict[str, str], head: bool
    ) -> bytes | None:
        """The body; None when it ran to the end of the connection."""
        if head or status in (204, 304) or 100 <= status < 200:
            return b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            return b"".join(chunks)
        if "content-length" in headers:
            return await reader.readexactly(int(headers["content-length"]))
        await reader.read()
        return None

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
