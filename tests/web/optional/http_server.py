"""A bare aiohttp server on 127.0.0.1, port 0, running on its own thread so that blocking
`invoke()` calls and async tests can both reach it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from aiohttp import web

__all__ = ["echo_server"]

STREAM_CHUNKS = [b"alpha-", b"beta-", b"gamma"]


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    form = {}
    if request.content_type == "application/x-www-form-urlencoded":
        posted = await request.post()
        form = {k: posted.getall(k) for k in posted}
    document = {
        "method": request.method,
        "path": request.path,
        "query": {k: request.query.getall(k) for k in request.query},
        "form": form,
        "json": json.loads(body) if request.content_type == "application/json" else None,
        "cookies": dict(request.cookies),
        "x_token": request.headers.get("X-Token"),
    }
    response = web.json_response(document)
    response.set_cookie("served", "yes")
    return response


async def stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for chunk in STREAM_CHUNKS:
        await response.write(chunk)
    await response.write_eof()
    return response


async def latin(request: web.Request) -> web.Response:
    return web.Response(body="café".encode("latin-1"), content_type="text/plain", charset="latin-1")


async def slow(request: web.Request) -> web.Response:
    await asyncio.Event().wait()  # never answers; the client's timeout ends the call
    raise AssertionError("unreachable")


async def big(request: web.Request) -> web.StreamResponse:
    """`?size=N` bytes; `&length=1` announces them in Content-Length, else chunked."""
    size = int(request.query["size"])
    response = web.StreamResponse()
    if request.query.get("length"):
        response.content_length = size
    await response.prepare(request)
    block = b"x" * 65536
    while size > 0:
        await response.write(block[:size])
        size -= len(block)
    await response.write_eof()
    return response


async def redirect(request: web.Request) -> web.Response:
    """A 302 (`?status=` another) to `?to=`."""
    status = int(request.query.get("status", "302"))
    return web.Response(status=status, headers={"Location": request.query["to"]})


async def fail(request: web.Request) -> web.Response:
    return web.json_response({"error": "nope"}, status=418)


@contextmanager
def echo_server(port: int = 0) -> Iterator[str]:
    """Yield the base URL of a running server (on `port`, a free one by default); stop it
    afterwards."""
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/echo/{tail:.*}", echo)
    app.router.add_get("/stream", stream)
    app.router.add_get("/latin", latin)
    app.router.add_get("/slow", slow)
    app.router.add_get("/fail", fail)
    app.router.add_get("/big", big)
    app.router.add_get("/big/{tail:.*}", big)
    app.router.add_route("*", "/redirect", redirect)
    app.router.add_route("*", "/redirect/{tail:.*}", redirect)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    thread = threading.Thread(target=loop.run_forever, name="echo-server", daemon=True)
    thread.start()

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        return cast(int, runner.addresses[0][1])

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
