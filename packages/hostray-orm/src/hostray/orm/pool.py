"""`OrmAccessWorkerPool`: accessor methods run on worker threads that each own a session.

`pool.run_method(accessor.add, name='x', identity=identity)` runs `accessor.add(session,
name='x')` on a worker, `session` being that worker's own. All workers share one engine (one
connection pool) and the tables are created once, by the first call that needs them.

Between calls a worker holds on to nothing it does not need: when a call leaves no pending or
flushed-but-uncommitted changes, the session is closed, so its connection goes back to the pool
(checked and recycled there) and the entities it returned are detached, free to be read on any
thread and taken up again by any worker. Changes still pending stay in the session until `save`
or `rollback`, which is why such sequences use `reserve_worker()`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.orm import Session, sessionmaker

from hostray.workers import AsyncWorkerPool, FunctionQueueWorker

from .engines import (
    DB_MODULE_NAME,
    SQLITE_BUSY_TIMEOUT,
    HasMetadata,
    create_orm_engine,
    create_tables,
)
from .errors import DatabaseUnavailableError

__all__ = ["OrmAccessWorker", "OrmAccessWorkerPool"]

logger = logging.getLogger("hostray.orm")

_FLUSHED = "hostray.orm.flushed"


class _Binding:
    """One engine and its session maker, shared by the workers of a pool; tables made once."""

    def __init__(self, engine: Engine, declared_entity_base: HasMetadata, autoflush: bool) -> None:
        self.engine = engine
        self.metadata = declared_entity_base.metadata
        self.session_maker = sessionmaker(bind=engine, autoflush=autoflush, expire_on_commit=False)
        event.listen(self.session_maker, "after_flush", _mark_flushed)
        self._tables_lock = threading.Lock()
        self._tables_ready = False
        # The in-memory database is one SQLite connection: its transactions are the workers'
        # common state, so a worker holds this lock while it uses it (see OrmAccessWorker).
        self.exclusive = threading.Lock() if self.keeps_data_in_engine else None

    def ensure_tables(self) -> None:
        """Create the tables on first use; concurrent workers wait for the one creating them."""
        if self._tables_ready:
            return
        with self._tables_lock:
            if not self._tables_ready:
                create_tables(self.engine, self.metadata)
                self._tables_ready = True

    @property
    def keeps_data_in_engine(self) -> bool:
        """Whether disposing the engine would lose the data (the in-memory SQLite database)."""
        return self.engine.dialect.name == "sqlite" and not self.engine.url.database


def _mark_flushed(session: Session, _context: Any) -> None:
    session.info[_FLUSHED] = session.get_transaction()


def _flushed_uncommitted(session: Session) -> bool:
    """Whether the session's current transaction has flushed changes (not yet committed)."""
    flushed = session.info.get(_FLUSHED)
    return flushed is not None and flushed is session.get_transaction()


def _holds_changes(session: Session) -> bool:
    """Whether `session` has changes that a later save() or rollback() must settle."""
    return bool(session.new or session.dirty or session.deleted) or _flushed_uncommitted(session)


# Server-side errors that end the connection and that drivers do not all flag as disconnects:
# MySQL/MariaDB error numbers and PostgreSQL SQLSTATE classes (08 connection, 57P shutdown).
_MYSQL_CONNECTION_ERRORS = frozenset({1053, 1927, 2006, 2013, 2014, 2045, 2055, 4031})
_POSTGRESQL_CONNECTION_STATES = ("08", "57P")


def _connection_failed(exc: DBAPIError) -> bool:
    """Whether the error is the connection's (dropped, server shut down), not the statement's."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_POSTGRESQL_CONNECTION_STATES)
    args: tuple[Any, ...] = getattr(exc.orig, "args", ())
    return bool(args) and args[0] in _MYSQL_CONNECTION_ERRORS


def _discard_connection(session: Session) -> None:
    """Drop the session's connection without a round trip: the server is gone or going."""
    with contextlib.suppress(DBAPIError):
        session.invalidate()


def _close(session: Session) -> None:
    """Close the session after a call; a connection the server dropped meanwhile is discarded
    instead of raised, since the call itself has finished and its result or error stands."""
    try:
        session.close()
    except DBAPIError:
        _discard_connection(session)


class OrmAccessWorker(FunctionQueueWorker):
    """A pool worker that passes its own session to every call as the first argument."""

    def __init__(self, pool: OrmAccessWorkerPool) -> None:
        super().__init__()
        self._pool = pool
        self._binding: _Binding | None = None
        self._session: Session | None = None
        self._held: threading.Lock | None = None

    @property
    def session(self) -> Session | None:
        """This worker's session, None until its first call (or after `close_session`)."""
        return self._session

    def execute(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run `func(session, *args, **kwargs)` with this worker's session (on its thread)."""
        session = self._open_session()
        self._hold_database()
        try:
            return func(session, *args, **kwargs)
        except DBAPIError as exc:
            if not _connection_failed(exc):
                raise
            _discard_connection(session)
            reason = " ".join(str(exc.orig).split())
            raise DatabaseUnavailableError(
                f"{self._pool.pool_name}: the database dropped the connection during the call; "
                f"uncommitted changes are lost ({reason})"
            ) from exc
        except PendingRollbackError:
            # An earlier failure (swallowed inside a call) broke the transaction: roll it back
            # so that the worker's next call starts afresh.
            session.rollback()
            raise
        finally:
            try:
                if not _holds_changes(session):
                    _close(session)
            finally:
                if not _flushed_uncommitted(session):
                    self._let_go_database()

    def _hold_database(self) -> None:
        """Take the in-memory database for this worker; wait while another worker's flushed
        changes are uncommitted (as SQLite's busy timeout waits for a file's writer)."""
        lock = None if self._binding is None else self._binding.exclusive
        if lock is None or self._held is lock:
            return
        if not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT):
            raise TimeoutError(
                f"{self._pool.pool_name}: the in-memory database stayed locked by another "
                f"worker's uncommitted changes for {SQLITE_BUSY_TIMEOUT}s"
            )
        self._held = lock

    def _let_go_database(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.release()

    def _open_session(self) -> Session:
        binding = self._pool._binding
        if binding is None:
            raise RuntimeError(
                f"{self._pool.pool_name}: call set_session_maker() before running accessor methods"
            )
        if binding is not self._binding:
            self.close_session()
            self._binding = binding
        binding.ensure_tables()
        if self._session is None:
            self._session = binding.session_maker()
        return self._session

    def close_session(self) -> None:
        """Close this worker's session (uncommitted work rolls back); call on the worker thread."""
        session, self._session = self._session, None
        try:
            if session is not None:
                if _holds_changes(session):
                    logger.warning(
                        "%s: closing a session with uncommitted changes (%d new, %d changed, "
                        "%d deleted entities); they are discarded",
                        self.name,
                        len(session.new),
                        len(session.dirty),
                        len(session.deleted),
                    )
                session.close()
        finally:
            self._let_go_database()

    def on_thread_exit(self) -> None:
        """The pool is disposed: release the session and its connection."""
        self.close_session()


class OrmAccessWorkerPool(AsyncWorkerPool):
    """Workers that run `OrmDBEntityAccessor` methods, each on a session of its own."""

    worker_type = OrmAccessWorker

    def __init__(self, pool_name: str | None = None, worker_limit: int = 1) -> None:
        super().__init__(pool_name, worker_limit)
        self._binding: _Binding | None = None
        self._echo = False

    def new_worker(self) -> OrmAccessWorker:
        """A worker holding this pool, whose binding gives it its session."""
        return OrmAccessWorker(self)

    @property
    def engine(self) -> Engine | None:
        """The engine the workers share, None before `set_session_maker`."""
        return None if self._binding is None else self._binding.engine

    def enable_orm_log(self, echo: bool = False) -> None:
        """Echo the SQL this pool's engine runs to stdout (SQLAlchemy's `echo`), or stop."""
        self._echo = echo
        if self._binding is not None:
            self._binding.engine.echo = echo

    def set_session_maker(
        self,
        db_module: DB_MODULE_NAME | str,
        declared_entity_base: HasMetadata,
        autoflush: bool = False,
        connection_refresh: float | None = None,
        **params: Any,
    ) -> None:
        """Point the workers at `db_module` (parameters as `get_session_maker` takes them).

        Bad parameters raise `ValueError` here; the database is first reached, and the tables of
        `declared_entity_base` created, by the first call.
        """
        engine = create_orm_engine(
            db_module,
            connection_refresh=connection_refresh,
            pool_size=self.worker_limit,
            echo=self._echo,
            **params,
        )
        previous, self._binding = self._binding, _Binding(engine, declared_entity_base, autoflush)
        if previous is not None:
            previous.engine.dispose()

    def reset_connection(self) -> None:
        """Close every worker's session and the pooled connections; the next call reconnects.

        Pending changes of reserved workers are discarded: call it outside `reserve_worker()`.
        """
        self.broadcast_method("close_session")
        self._dispose_connections()

    async def reset_connection_async(self) -> None:
        """`reset_connection()` for async callers: awaits the workers instead of blocking."""
        await self.broadcast_method_async("close_session")
        self._dispose_connections()

    def _dispose_connections(self) -> None:
        binding = self._binding
        if binding is not None and not binding.keeps_data_in_engine:
            binding.engine.dispose()

    def dispose(self) -> None:
        """Finish the queued calls, close the workers' sessions, then the engine's connections."""
        super().dispose()
        if self._binding is not None:
            self._binding.engine.dispose()
