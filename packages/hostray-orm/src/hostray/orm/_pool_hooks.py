"""What an engine's connection pool does as a connection is made, lent out and given back.

- Made: a failed connect raises `DatabaseUnavailableError` naming the database.
- Given back (servers): rolled back only if a transaction may be open. SQLAlchemy's default rolls
  back every returned connection, although a session's commit or rollback has just ended it.
  psycopg reports its transaction state; PyMySQL connections are made of a subclass that records
  whether a statement ran since the last commit or rollback (a MySQL read snapshot leaves no
  trace in the server status). SQLite keeps SQLAlchemy's reset, a no-op on an idle connection.
- Lent out (servers): checked to be alive. A connection the server closed (`KILL`,
  `pg_terminate_backend`, a restart, an idle timeout) has a readable socket, seen without a round
  trip; one idle for more than `PING_AFTER_IDLE` seconds is also pinged, for servers that vanished
  without closing it. A dead connection is replaced before the caller gets it.

Compared with SQLAlchemy's `pool_pre_ping` and default reset, a checkout costs two round trips
less.
"""

from __future__ import annotations

import functools
import importlib
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState

from .errors import DatabaseUnavailableError

__all__ = ["MYSQL", "PING_AFTER_IDLE", "POSTGRESQL", "Driver", "install_pool_hooks"]

PING_AFTER_IDLE = 1.0
"""Seconds a connection may stay in the pool before it is pinged (not only checked) on checkout."""

_RETURNED = "hostray.orm.returned_at"


@dataclass(frozen=True)
class Driver:
    """What the hooks need to know of a database server driver's connections."""

    socket_of: Callable[[Any], int | None]
    """The socket's file descriptor, None once the driver closed it."""

    in_transaction: Callable[[Any], bool]
    """Whether a transaction may be open, known without a round trip."""

    connection_class: Callable[[], Callable[..., Any]] | None = None
    """The class to connect with instead of the DBAPI's `connect`."""


def _mysql_socket(dbapi_connection: Any) -> int | None:
    sock = dbapi_connection._sock
    return None if sock is None else int(sock.fileno())


@functools.cache
def _tracked_mysql_connection() -> Callable[..., Any]:
    """A PyMySQL connection class that records whether a statement ran since the transaction
    last ended (made on first use: PyMySQL is an optional dependency)."""
    connections: Any = importlib.import_module("pymysql.connections")

    class TrackedConnection(connections.Connection):  # type: ignore[misc]  # PyMySQL: untyped
        statement_since_end = True  # until the first commit or rollback

        def query(self, sql: Any, unbuffered: bool = False) -> Any:
            self.statement_since_end = True
            return super().query(sql, unbuffered)

        def commit(self) -> None:
            super().commit()
            self.statement_since_end = False

        def rollback(self) -> None:
            super().rollback()
            self.statement_since_end = False

    return TrackedConnection


def _pg_socket(dbapi_connection: Any) -> int | None:
    return None if dbapi_connection.closed else int(dbapi_connection.pgconn.socket)


def _pg_in_transaction(dbapi_connection: Any) -> bool:
    return int(dbapi_connection.info.transaction_status) != 0  # 0: IDLE


MYSQL = Driver(
    _mysql_socket,
    lambda connection: getattr(connection, "statement_since_end", True),
    _tracked_mysql_connection,
)
POSTGRESQL = Driver(_pg_socket, _pg_in_transaction)


def _closed_by_server(fd: int | None) -> bool:
    """An idle connection's socket is readable only when the server sent its goodbye (or EOF)."""
    if fd is None or fd < 0:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def install_pool_hooks(engine: Engine, where: str, driver: Driver | None) -> None:
    """Connect, naming `where` if that fails; for a server's `driver`, also check liveness on
    checkout and reset only open transactions (the engine has `pool_reset_on_return=None`)."""
    connection_class = None if driver is None else driver.connection_class

    def connect(dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any) -> Any:
        dbapi = dialect.loaded_dbapi
        factory = dbapi.connect if connection_class is None else connection_class()
        try:
            return factory(*cargs, **cparams)
        except dbapi.Error as exc:
            reason = " ".join(str(exc).split())
            raise DatabaseUnavailableError(f"cannot connect to {where}: {reason}") from exc

    event.listen(engine, "do_connect", connect)
    if driver is not None:
        _check_and_reset(engine, driver)


def _check_and_reset(engine: Engine, driver: Driver) -> None:
    dialect = engine.dialect
    socket_of, in_transaction = driver.socket_of, driver.in_transaction

    def checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None:  # connected just now
            return
        if _closed_by_server(socket_of(dbapi_connection)):
            raise DisconnectionError("the server closed the connection")
        if time.monotonic() - returned > PING_AFTER_IDLE:
            try:
                dialect.do_ping(dbapi_connection)
            except dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError(f"ping failed: {exc}") from exc

    def reset(
        dbapi_connection: Any, record: ConnectionPoolEntry | None, state: PoolResetState
    ) -> None:
        if record is not None:
            record.info[_RETURNED] = time.monotonic()
        if not state.transaction_was_reset and in_transaction(dbapi_connection):
            dbapi_connection.rollback()

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "reset", reset)
