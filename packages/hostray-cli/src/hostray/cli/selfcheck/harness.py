"""The self-check's server: the self-check project served in-process on a free loopback port.

The server runs on its own event loop thread; checks talk to it over HTTP from the main thread
and run coroutines on its loop with `call()` (blocking on the future, bounded by a timeout).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import threading
import urllib.parse
import urllib.request
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from tornado.netutil import bind_sockets

from hostray.cli.project_templates import write_template
from hostray.web.component import ComponentManager
from hostray.web.project import Project, load_project
from hostray.web.server import HostrayServer

__all__ = ["CALL_TIMEOUT", "HttpResponse", "SelfCheckServer"]

CALL_TIMEOUT = 5.0
"""Seconds any single step of the self-check may take before it counts as hung."""

T = TypeVar("T")

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy


class HttpResponse:
    """Status, headers and body of one request."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class SelfCheckServer:
    """`with SelfCheckServer() as server:` the self-check project, started and later stopped."""

    def __init__(self) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="hostray-selfcheck-"))
        self.root = self._workdir / "selfcheck"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="hostray-selfcheck", daemon=True
        )
        self.port = 0
        self._server: HostrayServer | None = None

    @property
    def project(self) -> Project:
        assert self._server is not None
        return self._server.project

    @property
    def components(self) -> ComponentManager:
        assert self._server is not None and self._server.component_manager is not None
        return self._server.component_manager

    def __enter__(self) -> SelfCheckServer:
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        try:
            write_template("selfcheck", self.root, {"port": self.port})
            self._server = HostrayServer(load_project(self.root))
            self._thread.start()
            self.call(self._server.start(sockets))
        except BaseException:
            for sock in sockets:
                sock.close()
            self._close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        try:
            if self._server is not None and self._thread.is_alive():
                self.call(self._server.stop())
        finally:
            if self._thread.is_alive():
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(CALL_TIMEOUT)
            if not self._loop.is_running():
                self._loop.close()
            shutil.rmtree(self._workdir, ignore_errors=True)

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT) -> T:
        """Run `coroutine` on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def request(
        self, path: str, method: str = "GET", form: dict[str, str] | None = None
    ) -> HttpResponse:
        """An HTTP request to the server; error statuses are returned, not raised."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.url(path), data=data, method=method)
        try:
            with _DIRECT.open(request, timeout=CALL_TIMEOUT) as response:
                return HttpResponse(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return HttpResponse(error.code, dict(error.headers), error.read())
