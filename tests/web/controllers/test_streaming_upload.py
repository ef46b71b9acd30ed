"""StreamingUploadController: chunks reach _on_chunk_received in order, then _on_data_received."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tornado.httputil import HTTPHeaders
from tornado.web import HTTPError

from hostray.web.component import ComponentManager, DefaultComponentTypes
from hostray.web.controller import StreamingUploadController

if TYPE_CHECKING:
    from .conftest import Served


class SyncCollector(StreamingUploadController):
    """Plain callbacks: they run on a worker thread, never on the event loop's thread."""

    loop_thread: int
    seen: dict[str, Any]

    def _on_chunk_received(
        self, headers: HTTPHeaders, chunk: bytes, bytes_size_received: int
    ) -> None:
        assert threading.get_ident() != self.loop_thread
        self.seen.setdefault("chunks", []).append((len(chunk), bytes_size_received))
        self.seen.setdefault("body", bytearray()).extend(chunk)

    def _on_data_received(self, headers: HTTPHeaders, bytes_size_received: int) -> dict[str, Any]:
        self.seen["total"] = bytes_size_received
        self.seen["header"] = headers.get("X-Tag")
        return {"received": bytes_size_received}


class AsyncCollector(StreamingUploadController):
    seen: list[bytes]

    async def _on_chunk_received(self, headers: HTTPHeaders, chunk: bytes, n: int) -> None:
        await asyncio.sleep(0)
        self.seen.append(chunk)

    async def _on_data_received(self, headers: HTTPHeaders, n: int) -> str:
        return f"{n} bytes"


class Picky(StreamingUploadController):
    def _on_chunk_received(self, headers: HTTPHeaders, chunk: bytes, n: int) -> None:
        if b"!" in chunk:
            raise HTTPError(400, "no exclamation marks")


class Broken(StreamingUploadController):
    def _on_chunk_received(self, headers: HTTPHeaders, chunk: bytes, n: int) -> None:
        raise RuntimeError("secret internal detail")


async def test_plain_callbacks_get_every_chunk_with_the_running_total(
    serve: Callable[..., Served],
) -> None:
    SyncCollector.loop_thread = threading.get_ident()
    seen: dict[str, Any] = {}
    SyncCollector.seen = seen
    served = serve([("/up", SyncCollector)])
    body = bytes(range(256)) * 4000  # about 1 MB: several chunks

    response = await served.fetch("/up", method="POST", body=body, headers={"X-Tag": "t1"})

    assert response.code == 200, response.body
    assert bytes(seen["body"]) == body
    totals = [total for _, total in seen["chunks"]]
    sizes = [size for size, _ in seen["chunks"]]
    assert len(totals) > 1
    assert totals == [sum(sizes[: i + 1]) for i in range(len(sizes))]
    assert seen["total"] == len(body)
    assert seen["header"] == "t1"
    assert response.body == b'{"received": %d}' % len(body)


class ThreadRecorder(StreamingUploadController):
    """Plain hooks that note the thread they run on."""

    upload_pool_id = "uploads"
    threads: list[str]

    def _on_chunk_received(self, headers: HTTPHeaders, chunk: bytes, n: int) -> None:
        self.threads.append(threading.current_thread().name)

    def _on_data_received(self, headers: HTTPHeaders, n: int) -> str:
        self.threads.append(threading.current_thread().name)
        return "ok"


async def test_plain_hooks_run_on_the_servers_worker_pool(serve: Callable[..., Served]) -> None:
    manager = ComponentManager()
    pools = DefaultComponentTypes.WorkerPool.import_class()(DefaultComponentTypes.WorkerPool)
    pools.init(manager, uploads=2)
    manager.set_component(pools)
    threads: list[str] = []
    ThreadRecorder.threads = threads
    try:
        served = serve([("/up", ThreadRecorder)], components=manager)
        response = await served.fetch("/up", method="POST", body=b"x" * 300_000)
        assert response.code == 200 and response.body == b"ok"
    finally:
        await manager.dispose_async()
    workers = {worker.name for worker in pools.pools["uploads"].workers}
    assert len(threads) > 1
    assert set(threads) <= workers, (threads, workers)


async def test_coroutine_callbacks_are_awaited_and_put_works_too(
    serve: Callable[..., Served],
) -> None:
    seen: list[Any] = []
    AsyncCollector.seen = seen
    served = serve([("/up", AsyncCollector)])
    response = await served.fetch("/up", method="PUT", body=b"hello world")
    assert response.code == 200
    assert b"".join(seen) == b"hello world"
    assert response.body == b"11 bytes"


async def test_http_error_from_a_chunk_is_a_4xx_with_its_message(
    serve: Callable[..., Served],
) -> None:
    served = serve([("/up", Picky)])
    response = await served.fetch("/up", method="POST", body=b"hi!")
    assert response.code == 400
    assert b"no exclamation marks" in response.body


async def test_unexpected_error_is_a_500_without_details(serve: Callable[..., Served]) -> None:
    served = serve([("/up", Broken)])
    response = await served.fetch("/up", method="POST", body=b"data")
    assert response.code == 500
    assert b"secret internal detail" not in response.body
    assert b"Traceback" not in response.body


async def test_body_over_the_limit_is_refused_with_413(serve: Callable[..., Served]) -> None:
    SyncCollector.loop_thread = threading.get_ident()
    seen: dict[str, Any] = {}
    SyncCollector.seen = seen
    served = serve([("/up", SyncCollector, {"max_body_size": 1000})])
    response = await served.fetch("/up", method="POST", body=b"x" * 1001)
    assert response.code == 413
    assert b"1000 bytes" in response.body
    assert "chunks" not in seen  # refused from its Content-Length, before any chunk


async def test_body_at_the_limit_is_accepted(serve: Callable[..., Served]) -> None:
    SyncCollector.loop_thread = threading.get_ident()
    seen: dict[str, Any] = {}
    SyncCollector.seen = seen
    served = serve([("/up", SyncCollector, {"max_body_size": 1000})])
    response = await served.fetch("/up", method="POST", body=b"x" * 1000)
    assert response.code == 200
    assert seen["total"] == 1000


async def test_get_is_not_allowed(serve: Callable[..., Served]) -> None:
    served = serve([("/up", SyncCollector)])
    response = await served.fetch("/up")
    assert response.code == 405
