"""`RunningServer`: a `HostrayServer` on a free loopback port, served from its own event loop
thread, so that synchronous test code (unittest, pytest, a script) can talk to it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tornado.netutil import bind_sockets

if TYPE_CHECKING:
    from hostray.web.server import HostrayServer

__all__ = ["LOOPBACK", "STARTUP_TIMEOUT", "RunningServer"]

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 60.0


class RunningServer:
    """A `HostrayServer` serving on 127.0.0.1 from its own event loop thread."""

    def __init__(
        self,
        project: Any,
        *,
        debug: bool | None = None,
        timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        """Start serving `project` (directory, `Project` or config dict) on a free port."""
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        sockets = bind_sockets(0, LOOPBACK)
        self.port: int = sockets[0].getsockname()[1]
        started: concurrent.futures.Future[HostrayServer] = concurrent.futures.Future()

        async def boot() -> HostrayServer:
            from hostray.web.server import HostrayServer

            server = HostrayServer(project, port=self.port, address=LOOPBACK, debug=debug)
            await server.start(sockets=sockets)
            return server

        def main() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                started.set_result(self._loop.run_until_complete(boot()))
            except BaseException as exc:
                for sock in sockets:
                    sock.close()
                started.set_exception(exc)
                self._loop.close()
                return
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(
            target=main, name=f"hostray-server-{self.port}", daemon=True
        )
        self._thread.start()
        self.server: HostrayServer = started.result(timeout)
        ssl = self.server.project.config.get("ssl")
        self.scheme = "https" if ssl else "http"

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` (`https` when the project configures `ssl`)."""
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `func` on the server's event loop thread (awaited if async); return its result."""

        async def run() -> Any:
            result = func(*args, **kwargs)
            if isinstance(result, Awaitable):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(self.timeout)

    def stop(self) -> None:
        """Stop the server gracefully (as on SIGTERM), then its loop and thread."""
        if self._loop.is_closed():
            return
        try:
            self.call(self.server.stop)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(self.timeout)
