"""Stopping and starting the machine's shared MariaDB and PostgreSQL servers, briefly.

Other suites use these servers at the same time, so `server_down` restarts the server in every
case and returns only once it accepts connections again: a stop waits for the process to exit
(MariaDB's through a pidfd, `pg_ctlcluster stop` waits itself); MariaDB reports READY=1 through the
systemd notify protocol (an abstract socket of ours in NOTIFY_SOCKET), `pg_ctlcluster start` waits
until PostgreSQL accepts connections, and `pg_isready` confirms it.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["server_down"]

COMMAND_TIMEOUT = 60
READY_TIMEOUT = 60
STOP_TIMEOUT = 60
MARIADBD = "/usr/sbin/mariadbd"


def _run(*argv: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")


def _stop_mariadb() -> None:
    """`mariadb-admin shutdown`, then block on a pidfd until the process has exited (the command
    itself returns before that)."""
    found = subprocess.run(
        ["pidof", "-s", MARIADBD],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if found.returncode != 0:
        return
    exited = os.pidfd_open(int(found.stdout))
    try:
        _run("mariadb-admin", "-uroot", "--protocol=tcp", "-h127.0.0.1", "shutdown")
        readable, _, _ = select.select([exited], [], [], STOP_TIMEOUT)
        if not readable:
            raise RuntimeError(f"MariaDB did not exit within {STOP_TIMEOUT}s of its shutdown")
    finally:
        os.close(exited)


def _accepting(port: int) -> bool:
    """Whether a server accepts connections on 127.0.0.1:`port` right now (one attempt)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return True
    except OSError:
        return False


def _start_mariadb() -> None:
    """Start mariadbd in the background; return when it notifies READY=1."""
    if _accepting(3306):
        return
    name = f"hostray-faults-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind("\0" + name)
        notify.settimeout(READY_TIMEOUT)
        _run(
            "start-stop-daemon",
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            MARIADBD,
            env={**os.environ, "NOTIFY_SOCKET": "@" + name},
        )
        try:
            while b"READY=1" not in notify.recv(4096).split(b"\n"):
                continue
        except TimeoutError:
            raise RuntimeError(f"MariaDB did not report READY=1 within {READY_TIMEOUT}s") from None


def _postgresql_cluster() -> list[str]:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]


def _stop_postgresql() -> None:
    _run(*_postgresql_cluster(), "stop")


def _start_postgresql() -> None:
    if not _accepting(5432):
        _run(*_postgresql_cluster(), "start")
    _run("pg_isready", "-h", "127.0.0.1", "-p", "5432", "-t", str(READY_TIMEOUT))


_SERVERS = {
    "mysql": (_stop_mariadb, _start_mariadb),
    "postgresql": (_stop_postgresql, _start_postgresql),
}


@contextmanager
def server_down(kind: str) -> Iterator[None]:
    """Stop the shared `kind` server ('mysql' or 'postgresql') for the body of the `with`; it is
    started again however the body ends, and accepts connections when this returns."""
    stop, start = _SERVERS[kind]
    try:
        stop()  # inside the try: a stop that fails half-way is still followed by a start
        yield
    finally:
        start()
