"""pytest plugin: serve a hostray project on a free loopback port for the length of a test.

Installed with hostray-web (entry point `pytest11`), it gives three fixtures:

- `hostray_project`: the project to serve; by default the `hostray_project` ini option (a
  directory relative to the rootdir). Override the fixture to return a directory, a
  `hostray.web.project.Project` or a config dict.
- `hostray_server`: a `RunningServer` (`port`, `base_url`, `url(path)`, `server`), stopped
  gracefully after the test; `hostray_server_factory` starts more, with options.
- `hostray_client`: a `HostrayClient` for it (`await hostray_client.get('/alive')`).

Each server runs on its own event loop in a thread, so any test can use it: plain tests through
`url()`, async tests (any asyncio runner) through the client.
"""

from __future__ import annotations

import json as jsonlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse
from tornado.websocket import WebSocketClientConnection, websocket_connect

from hostray.web.running_server import RunningServer

__all__ = ["HostrayClient", "RunningServer"]


class HostrayClient:
    """An asyncio HTTP and websocket client for one server (Tornado's `AsyncHTTPClient`).

    Responses are returned whatever their status (`raise_error=False`), so tests assert on them.
    """

    def __init__(self, base_url: str, *, request_timeout: float = 30.0, **defaults: Any) -> None:
        """`defaults` go to every request (e.g. `validate_cert=False` or `ca_certs` for TLS)."""
        self.base_url = base_url.rstrip("/")
        self.defaults: dict[str, Any] = {"request_timeout": request_timeout, **defaults}

    def url(self, path: str = "/", scheme: str | None = None) -> str:
        """The absolute URL of `path`; `scheme='ws'` gives the websocket URL."""
        url = self.base_url + path
        if scheme is not None:
            url = scheme + url[url.index(":") :]
        return url

    async def fetch(
        self,
        path: str,
        method: str = "GET",
        *,
        json: Any = None,
        **kwargs: Any,
    ) -> HTTPResponse:
        """Send a request; `json` is encoded as the body with its Content-Type."""
        if json is not None:
            kwargs["body"] = jsonlib.dumps(json)
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("Content-Type", "application/json")
            kwargs["headers"] = headers
        if method in ("POST", "PUT", "PATCH") and not {"body", "body_producer"} & kwargs.keys():
            kwargs["body"] = b""  # Tornado insists on a body for these methods
        client = AsyncHTTPClient(force_instance=True)
        try:
            return await client.fetch(
                self.url(path), method=method, raise_error=False, **{**self.defaults, **kwargs}
            )
        finally:
            client.close()

    async def get(self, path: str, **kwargs: Any) -> HTTPResponse:
        """GET `path`."""
        return await self.fetch(path, "GET", **kwargs)

    async def post(self, path: str, **kwargs: Any) -> HTTPResponse:
        """POST to `path` (`body=`, `json=` or `body_producer=`)."""
        return await self.fetch(path, "POST", **kwargs)

    async def put(self, path: str, **kwargs: Any) -> HTTPResponse:
        """PUT to `path`."""
        return await self.fetch(path, "PUT", **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> HTTPResponse:
        """DELETE `path`."""
        return await self.fetch(path, "DELETE", **kwargs)

    async def websocket_connect(self, path: str, **kwargs: Any) -> WebSocketClientConnection:
        """Open a websocket to `path`."""
        scheme = "wss" if self.base_url.startswith("https") else "ws"
        return await websocket_connect(self.url(path, scheme), **kwargs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The `hostray_project` ini option: the project the `hostray_server` fixture serves."""
    parser.addini(
        "hostray_project",
        "hostray project directory served by the hostray_server fixture (relative to rootdir)",
        default="",
    )


@pytest.fixture
def hostray_project(request: pytest.FixtureRequest) -> str | os.PathLike[str] | Mapping[str, Any]:
    """The project to serve: the `hostray_project` ini option; override it in a conftest."""
    configured = str(request.config.getini("hostray_project"))
    if not configured:
        pytest.fail(
            "hostray_server needs a project: set `hostray_project = <directory>` in the pytest "
            "configuration or override the `hostray_project` fixture",
            pytrace=False,
        )
    return Path(request.config.rootpath, configured)


@pytest.fixture
def hostray_server_factory() -> Iterator[Callable[..., RunningServer]]:
    """Start servers with `factory(project, debug=None)`; all are stopped after the test."""
    servers: list[RunningServer] = []

    def start(project: Any, *, debug: bool | None = None) -> RunningServer:
        server = RunningServer(project, debug=debug)
        servers.append(server)
        return server

    yield start
    failures: list[BaseException] = []
    for server in reversed(servers):
        try:
            server.stop()
        except Exception as exc:
            failures.append(exc)
    if failures:
        raise failures[0]


@pytest.fixture
def hostray_server(
    hostray_server_factory: Callable[..., RunningServer], hostray_project: Any
) -> RunningServer:
    """The `hostray_project` served on a free 127.0.0.1 port."""
    return hostray_server_factory(hostray_project)


@pytest.fixture
def hostray_client(hostray_server: RunningServer) -> HostrayClient:
    """A `HostrayClient` for `hostray_server`."""
    return HostrayClient(hostray_server.base_url)
