"""`hostray start DIR`: serve a project in one process, or in N forked processes sharing the port.

The sockets are bound here first, by the server's own `listen_sockets` and, when
`component.metrics.port` is set, `bind_metrics_sockets` (so `--processes` can fork after binding,
as Tornado requires); each process then runs a `HostrayServer` on them. Problems of
the project are `ConfigError`s, which `main` prints as `error:` lines. The forking and supervision
of `--processes` is `hostray.cli.processes`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from hostray.cli.errors import CliError, report
from hostray.cli.processes import serve_forked
from hostray.config import (
    ConfigDict,
    ConfigError,
    console_line,
    install_console_fallback,
    load_yaml,
    location_of,
    set_log_format,
)
from hostray.web.component.optional_component.metrics.processes import multiprocess_metrics
from hostray.web.component.settings import LoggerSettings
from hostray.web.metrics_listener import bind_metrics_sockets
from hostray.web.per_process import per_process_problems
from hostray.web.project import CONFIG_FILE, Project, load_project, project_from_config
from hostray.web.server import HostrayServer, listen_sockets

__all__ = ["AUTORELOAD_CHECK_MS", "CommandLineServer", "start_project"]

AUTORELOAD_CHECK_MS = 500
"""How often `--debug` compares the project's files with what was loaded (Tornado's autoreload)."""

_WATCHED_SUFFIXES = (".py", ".yaml", ".yml", ".csv")
"""The files of a project a failed `--debug` start watches for the fix."""


class CommandLineServer(HostrayServer):
    """A `HostrayServer` that tells the console where it listens, and may autoreload or follow a
    parent's lifeline pipe (EOF: stop gracefully)."""

    def __init__(  # noqa: PLR0913 -- the keyword-only options of `hostray start`
        self,
        project: Project,
        *,
        port: int | None = None,
        address: str | None = None,
        autoreload: bool = False,
        lifeline: int | None = None,
        metrics_sockets: list[socket.socket] | None = None,
    ) -> None:
        # `--debug` is debug mode and autoreload together; without it the config's `debug` holds.
        super().__init__(
            project,
            port=port,
            address=address,
            debug=True if autoreload else None,
            metrics_sockets=metrics_sockets,
        )
        self.autoreload = autoreload
        self.lifeline = lifeline

    async def start(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Start as `HostrayServer` does, then announce the URL and arm autoreload / lifeline."""
        await super().start(sockets)
        # From here on, a record no hostray logger echoes (Tornado's when they do not echo, any
        # logged after the logger component is disposed) still gets time and level.
        install_console_fallback()
        # One write of whole lines: the children of --processes share stdout and must not
        # interleave their announcements.
        # With `logger.format: json` each line is a JSON object like the log lines.
        lines = [f"{self.project.name}: listening on {self.url} (pid {os.getpid()})"]
        if self.metrics_url is not None:
            lines.append(f"{self.project.name}: metrics on {self.metrics_url}")
        lines.append("press ctrl+c to stop")
        sys.stdout.write("".join(console_line(line) + "\n" for line in lines))
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


class _Sockets:
    """The sockets bound before serving: the server's, and the metrics listener's (or None)."""

    def __init__(self, project: Project, port: int | None, address: str | None) -> None:
        """Bind; a failure names `--port`/`--address` when the option chose it."""
        port_source = f"--port {port}" if port is not None else None
        self.server = listen_sockets(
            project,
            port,
            address,
            port_source=port_source,
            address_source=f"--address {address}" if address is not None else None,
        )
        self.metrics: list[socket.socket] | None = None
        try:
            self.metrics = bind_metrics_sockets(
                project, self.server[0].getsockname()[1], port_source=port_source
            )
        except ConfigError:
            self.close()
            raise

    def close(self) -> None:
        """Close every socket bound here."""
        for sock in [*self.server, *(self.metrics or ())]:
            sock.close()


def _serve(server: CommandLineServer, sockets: _Sockets) -> int:
    """Run one server until it is stopped, then close the sockets bound for it."""
    try:
        return server.run(sockets.server)
    finally:
        sockets.close()


def _config_path(directory: str | os.PathLike[str]) -> str:
    """The project's config file, named as `load_project` names it in its problems."""
    return os.path.join(os.path.abspath(os.fspath(directory)), CONFIG_FILE)


def _read_config(directory: str | os.PathLike[str]) -> ConfigDict | None:
    """The project's config, read once for the whole start; None when it cannot be read (then
    `load_project` reads it and reports why)."""
    config_file = _config_path(directory)
    if not os.path.isfile(config_file):
        return None
    try:
        return load_yaml(config_file)
    except ConfigError:
        return None


def _config_debug(raw: ConfigDict | None, directory: str | os.PathLike[str]) -> str | None:
    """Where the config sets `debug: true` (`file:line`), or None; known before the project
    loads, so that `debug: true` and `--debug` behave the same from the first line."""
    if raw is not None and raw.get("debug") is True:
        return location_of(raw, "debug") or _config_path(directory)
    return None


def _load(directory: str | os.PathLike[str], raw: ConfigDict | None, *, debug: bool) -> Project:
    """The project, built from the config `start_project` read (none: `load_project` says why)."""
    if raw is None:
        return load_project(directory, debug=debug)
    return project_from_config(raw, directory, _config_path(directory), debug=debug)


def _wait_for_fix(directory: str | os.PathLike[str], problems: list[str]) -> int:
    """`--debug` after a failed start: print the problems, watch the project's files, and start
    again (re-executing, as Tornado's autoreload does) once one of them changes."""
    import tornado.autoreload

    report(problems)
    root = Path(directory)
    for path in root.rglob("*"):
        if path.suffix in _WATCHED_SUFFIXES and path.is_file():
            tornado.autoreload.watch(str(path))

    async def watch() -> None:
        tornado.autoreload.start(check_time=AUTORELOAD_CHECK_MS)
        # As in _start_autoreload: the note waits until the files' times have been recorded.
        asyncio.get_running_loop().call_later(
            2 * AUTORELOAD_CHECK_MS / 1000,
            print,
            "autoreload: waiting for a change to the project's files to start again",
        )
        await asyncio.Event().wait()  # until the reload re-executes the process, or ctrl+c

    asyncio.run(watch())
    return 0  # not reached: the reload replaces the process


def start_project(
    directory: str | os.PathLike[str],
    *,
    port: int | None = None,
    address: str | None = None,
    processes: int = 1,
    debug: bool = False,
) -> int:
    """Serve the project in `directory` until SIGINT/SIGTERM; the exit status (0 when stopped).

    `--debug` and the config's `debug: true` are the same: tracebacks on 500 pages and in errors,
    autoreload on a change, and a failed start waits for the fix instead of exiting."""
    raw = _read_config(directory)
    source = "--debug" if debug else _config_debug(raw, directory)
    if source is not None and processes != 1:
        label = source if debug else f"{source}: debug: true"
        raise CliError(
            f"{label} autoreloads a single process; it cannot be combined with "
            f"--processes {processes}"
        )
    if source is not None:
        try:
            return _start_single(directory, raw, port, address, debug=True)
        except (CliError, ConfigError) as exc:
            if not os.path.isfile(_config_path(directory)):
                raise  # nothing to watch: no project there
            return _wait_for_fix(directory, exc.problems)
    if processes == 1:
        return _start_single(directory, raw, port, address, debug=False)
    project = _load(directory, raw, debug=False)
    problems = per_process_problems(project.config, processes or os.cpu_count() or 1)
    if problems:
        raise CliError(*problems)
    _use_project_log_format(project)
    sockets = _Sockets(project, port, address)
    with multiprocess_metrics(project):
        return serve_forked(
            lambda lifeline: _serve(
                CommandLineServer(
                    project,
                    port=port,
                    address=address,
                    lifeline=lifeline,
                    metrics_sockets=sockets.metrics,
                ),
                sockets,
            ),
            processes,
        )


def _use_project_log_format(project: Project) -> None:
    """Write this process's own lines in the project's `logger.format`: the parent of
    `--processes` builds no components, yet logs (Tornado's notes on its children)."""
    set_log_format(LoggerSettings.of_project(project.config).format)


def _start_single(
    directory: str | os.PathLike[str],
    raw: ConfigDict | None,
    port: int | None,
    address: str | None,
    *,
    debug: bool,
) -> int:
    """Load (from `raw`, the config as read), bind and serve in this process (`debug`: with
    autoreload)."""
    project = _load(directory, raw, debug=debug)
    sockets = _Sockets(project, port, address)
    server = CommandLineServer(
        project, port=port, address=address, autoreload=debug, metrics_sockets=sockets.metrics
    )
    return _serve(server, sockets)
