"""Fixtures of the controller tests: a Tornado application served on a real loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application

from hostray.web.component import ComponentManager


class Served:
    """An application listening on 127.0.0.1 and a way to send it requests."""

    def __init__(self, app: Application, port: int) -> None:
        self.app = app
        self.port = port

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def fetch(self, path: str, **kwargs: Any) -> HTTPResponse:
        client = AsyncHTTPClient(force_instance=True)
        try:
            kwargs.setdefault("request_timeout", 30)
            return await client.fetch(self.url(path), raise_error=False, **kwargs)
        finally:
            client.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Served]]:
    """Serve `Application(routes, **settings)` with a component manager and websocket registry."""
    servers: list[HTTPServer] = []

    def start(
        routes: list[Any], components: ComponentManager | None = None, **settings: Any
    ) -> Served:
        app = Application(routes, **settings)
        app.component_manager = components or ComponentManager()  # type: ignore[attr-defined]
        app.open_websockets = set()  # type: ignore[attr-defined]
        sockets = bind_sockets(0, "127.0.0.1")
        server = HTTPServer(app)
        server.add_sockets(sockets)
        servers.append(server)
        return Served(app, sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.stop()
        await server.close_all_connections()
