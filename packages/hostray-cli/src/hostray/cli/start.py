"""`hostray start DIR`: serve a project in one process, or in N forked processes sharing the port.

The sockets are bound here first, by the server's own `listen_sockets` (so `--processes` can fork
after binding, as Tornado requires); each process then runs a `HostrayServer` on them. Problems of
the project are `ConfigError`s, which `main` prints as `error:` lines. The forking and supervision
of `--processes` is `hostray.cli.processes`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Sequence

from hostray.cli.errors import CliError
from hostray.cli.processes import serve_forked
from hostray.config import console_line
from hostray.web.component.optional_component.metrics_processes import multiprocess_metrics
from hostray.web.per_process import per_process_problems
from hostray.web.project import Project, load_project
from hostray.web.server import HostrayServer, listen_sockets

__all__ = ["AUTORELOAD_CHECK_MS", "CommandLineServer", "start_project"]

AUTORELOAD_CHECK_MS = 500
"""How often `--debug` compares the project's files with what was loaded (Tornado's autoreload)."""


class CommandLineServer(HostrayServer):
    """A `HostrayServer` that tells the console where it listens, and may autoreload or follow a
    parent's lifeline pipe (EOF: stop gracefully)."""

    def __init__(
        self,
        project: Project,
        *,
        port: int | None = None,
        address: str | None = None,
        debug: bool | None = None,
        autoreload: bool = False,
        lifeline: int | None = None,
    ) -> None:
        super().__init__(project, port=port, address=address, debug=debug)
        self.autoreload = autoreload
        self.lifeline = lifeline

    async def start(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Start as `HostrayServer` does, then announce the URL and arm autoreload / lifeline."""
        await super().start(sockets)
        # One write of whole lines: the children of --processes share stdout and must not
        # interleave their announcements.
        # With `logger.format: json` each line is a JSON object like the log lines.
        sys.stdout.write(
            console_line(f"{self.project.name}: listening on {self.url} (pid {os.getpid()})")
            + "\n"
            + console_line("press ctrl+c to stop")
            + "\n"
        )
        sys.stdout.flush()
        if self.autoreload:
            self._start_autoreload()
        if self.lifeline is not None:
            loop = asyncio.get_running_loop()
            loop.add_reader(self.lifeline, self._parent_gone, loop)

    def _start_autoreload(self) -> None:
        """Re-execute on a change of any loaded module or the config; say when it is watching.

        Tornado's first check (after one interval) records the files' times; the note comes a full
        interval later, so an edit made once it is shown is always picked up.
        """
        import tornado.autoreload

        if self.project.config_file:
            tornado.autoreload.watch(self.project.config_file)
        tornado.autoreload.start(check_time=AUTORELOAD_CHECK_MS)
        asyncio.get_running_loop().call_later(
            2 * AUTORELOAD_CHECK_MS / 1000,
            print,
            console_line("autoreload: watching the project's files for changes"),
        )

    def _parent_gone(self, loop: asyncio.AbstractEventLoop) -> None:
        """The parent closed the lifeline (it was told to stop, or died): stop gracefully."""
        assert self.lifeline is not None
        loop.remove_reader(self.lifeline)
        self.request_stop()


def _bind(project: Project, port: int | None, address: str | None) -> list[socket.socket]:
    """Bind before forking; a failure names `--port`/`--address` when the option chose it."""
    return listen_sockets(
        project,
        port,
        address,
        port_source=f"--port {port}" if port is not None else None,
        address_source=f"--address {address}" if address is not None else None,
    )


def _serve(server: CommandLineServer, sockets: list[socket.socket]) -> int:
    """Run one server until it is stopped, then close the sockets bound for it."""
    try:
        return server.run(sockets)
    finally:
        for sock in sockets:
            sock.close()


def start_project(
    directory: str | os.PathLike[str],
    *,
    port: int | None = None,
    address: str | None = None,
    processes: int = 1,
    debug: bool = False,
) -> int:
    """Serve the project in `directory` until SIGINT/SIGTERM; the exit status (0 when stopped)."""
    if debug and processes != 1:
        raise CliError(
            f"--debug autoreloads a single process; it cannot be combined with "
            f"--processes {processes}"
        )
    project = load_project(directory)
    if processes != 1:
        problems = per_process_problems(project.config, processes or os.cpu_count() or 1)
        if problems:
            raise CliError(*problems)
    sockets = _bind(project, port, address)
    if processes == 1:
        server = CommandLineServer(
            project, port=port, address=address, debug=True if debug else None, autoreload=debug
        )
        return _serve(server, sockets)
    with multiprocess_metrics(project):
        return serve_forked(
            lambda lifeline: _serve(
                CommandLineServer(project, port=port, address=address, lifeline=lifeline), sockets
            ),
            processes,
        )
