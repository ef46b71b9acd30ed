"""Engines for the database modules of a hostray config, and the session makers built on them.

Every engine recycles connections older than `connection_refresh` seconds; a database server's
engine also checks each connection it lends out (`_pool_hooks`), so one the server dropped is
replaced without the caller noticing. A server that cannot be reached raises
`DatabaseUnavailableError` within the connect timeout instead of hanging. The hooks of
`add_engine_hook` see every engine `create_orm_engine` makes (hostray-web's tracing instruments
them).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, Protocol

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from . import _pool_hooks

__all__ = [
    "CONNECT_TIMEOUT",
    "DB_MODULE_NAME",
    "DEFAULT_PORTS",
    "SQLITE_BUSY_TIMEOUT",
    "TABLE_LOCK_TIMEOUT",
    "EngineHook",
    "HasMetadata",
    "add_engine_hook",
    "create_orm_engine",
    "create_tables",
    "db_module_of",
    "get_session_maker",
    "remove_engine_hook",
]

CONNECT_TIMEOUT = 5
"""Seconds to wait for a database server to accept a connection."""

SQLITE_BUSY_TIMEOUT = 30
"""Seconds a SQLite connection waits for another writer before failing with "database is locked"."""

TABLE_LOCK_TIMEOUT = 60
"""Seconds `create_tables` waits for another process that is creating the same tables."""


EngineHook = Callable[[Engine], None]
"""Called with each new engine before `create_orm_engine` returns it."""

_ENGINE_HOOKS: tuple[EngineHook, ...] = ()


def add_engine_hook(hook: EngineHook) -> None:
    """Call `hook(engine)` on every engine `create_orm_engine` makes from now on (adding the same
    hook again changes nothing); a hook that raises fails the creation."""
    global _ENGINE_HOOKS
    if hook not in _ENGINE_HOOKS:
        _ENGINE_HOOKS = (*_ENGINE_HOOKS, hook)


def remove_engine_hook(hook: EngineHook) -> None:
    """Stop calling `hook` (a no-op if it was not added)."""
    global _ENGINE_HOOKS
    _ENGINE_HOOKS = tuple(h for h in _ENGINE_HOOKS if h is not hook)


class DB_MODULE_NAME(Enum):
    """The database modules; each value is the `module` string of an `orm_db` config entry."""

    SQLITE_MEMORY = "sqlite_memory"
    SQLITE_FILE = "sqlite"
    MYSQL = "mysql"
    POSTGRESQL = "postgresql"


class HasMetadata(Protocol):
    """A declarative base (or anything else) that carries the `MetaData` of its tables."""

    metadata: MetaData


_SERVER_PARAMETERS = ("host", "port", "db_name", "user", "password")
_ACCEPTED: dict[DB_MODULE_NAME, tuple[str, ...]] = {
    DB_MODULE_NAME.SQLITE_MEMORY: (),
    DB_MODULE_NAME.SQLITE_FILE: ("file_name",),
    DB_MODULE_NAME.MYSQL: _SERVER_PARAMETERS,
    DB_MODULE_NAME.POSTGRESQL: _SERVER_PARAMETERS,
}
_REQUIRED: dict[DB_MODULE_NAME, tuple[str, ...]] = {
    DB_MODULE_NAME.SQLITE_MEMORY: (),
    DB_MODULE_NAME.SQLITE_FILE: ("file_name",),
    DB_MODULE_NAME.MYSQL: ("host", "db_name", "user"),
    DB_MODULE_NAME.POSTGRESQL: ("host", "db_name", "user"),
}
DEFAULT_PORTS: Mapping[DB_MODULE_NAME, int] = MappingProxyType(
    {DB_MODULE_NAME.MYSQL: 3306, DB_MODULE_NAME.POSTGRESQL: 5432}
)
"""The port of each database server module when its config gives none (the one place)."""

# module -> (SQLAlchemy driver name, extra to install)
_SERVERS: dict[DB_MODULE_NAME, tuple[str, str]] = {
    DB_MODULE_NAME.MYSQL: ("mysql+pymysql", "mysql"),
    DB_MODULE_NAME.POSTGRESQL: ("postgresql+psycopg", "postgresql"),
}


def db_module_of(value: DB_MODULE_NAME | str) -> DB_MODULE_NAME:
    """The `DB_MODULE_NAME` member for a member or its config string ('sqlite', 'mysql', …)."""
    if isinstance(value, DB_MODULE_NAME):
        return value
    try:
        return DB_MODULE_NAME(value)
    except ValueError:
        choices = ", ".join(m.value for m in DB_MODULE_NAME)
        raise ValueError(f"unknown db module {value!r}; expected one of {choices}") from None


def _checked_parameters(module: DB_MODULE_NAME, params: dict[str, Any]) -> dict[str, Any]:
    accepted, required = _ACCEPTED[module], _REQUIRED[module]
    unknown = [key for key in params if key not in accepted]
    if unknown:
        allowed = ", ".join(accepted) or "none"
        raise ValueError(
            f"db module {module.value!r}: unknown parameter {unknown[0]!r} (accepted: {allowed})"
        )
    missing = [key for key in required if params.get(key) in (None, "")]
    if missing:
        raise ValueError(f"db module {module.value!r}: missing parameter {missing[0]!r}")
    checked = dict(params)
    if module in _SERVERS:
        port = checked.get("port")
        if port is None:
            checked["port"] = DEFAULT_PORTS[module]
        elif isinstance(port, bool) or not str(port).isdigit():
            raise ValueError(f"db module {module.value!r}: port must be an integer, got {port!r}")
        else:
            checked["port"] = int(port)
    return checked


def _recycle_seconds(connection_refresh: float | None) -> float:
    if connection_refresh is None:
        return -1
    if isinstance(connection_refresh, bool) or not isinstance(connection_refresh, int | float):
        raise ValueError(f"connection_refresh must be seconds, got {connection_refresh!r}")
    if connection_refresh <= 0:
        raise ValueError(f"connection_refresh must be positive, got {connection_refresh!r}")
    return connection_refresh


def create_orm_engine(
    db_module: DB_MODULE_NAME | str,
    *,
    connection_refresh: float | None = None,
    pool_size: int = 5,
    echo: bool = False,
    **params: Any,
) -> Engine:
    """An engine for `db_module` configured with its parameters (file_name, host, port, …),
    handed to every hook of `add_engine_hook`.

    Nothing is connected yet; a bad module or parameter raises `ValueError` naming it.
    """
    engine = _new_engine(
        db_module, connection_refresh=connection_refresh, pool_size=pool_size, echo=echo, **params
    )
    for hook in _ENGINE_HOOKS:
        hook(engine)
    return engine


def _new_engine(
    db_module: DB_MODULE_NAME | str,
    *,
    connection_refresh: float | None,
    pool_size: int,
    echo: bool,
    **params: Any,
) -> Engine:
    """The engine `create_orm_engine` returns, before its hooks have seen it."""
    module = db_module_of(db_module)
    checked = _checked_parameters(module, params)
    recycle = _recycle_seconds(connection_refresh)
    if module is DB_MODULE_NAME.SQLITE_MEMORY:
        # One connection shared by every session and thread: one in-memory database.
        engine = create_engine(
            "sqlite://",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            echo=echo,
        )
        _pool_hooks.install_pool_hooks(engine, "the in-memory database", None)
        return engine
    pooling: dict[str, Any] = {"pool_size": pool_size, "pool_recycle": recycle, "echo": echo}
    if module is DB_MODULE_NAME.SQLITE_FILE:
        # No server can drop a SQLite connection: nothing to check on checkout.
        file_name = str(checked["file_name"])
        engine = create_engine(
            URL.create("sqlite", database=file_name),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
            **pooling,
        )
        event.listen(engine, "connect", _use_wal)
        _pool_hooks.install_pool_hooks(engine, f"sqlite file {file_name!r}", None)
        return engine
    driver, extra = _SERVERS[module]
    url = URL.create(
        driver,
        username=str(checked["user"]),
        password=None if checked.get("password") is None else str(checked["password"]),
        host=str(checked["host"]),
        port=checked["port"],
        database=str(checked["db_name"]),
        query={"charset": "utf8mb4"} if module is DB_MODULE_NAME.MYSQL else {},
    )
    connect_args = {"connect_timeout": CONNECT_TIMEOUT}
    try:
        # install_pool_hooks resets only connections whose transaction is open
        engine = create_engine(url, connect_args=connect_args, pool_reset_on_return=None, **pooling)
    except ImportError as exc:
        raise ImportError(
            f"db module {module.value!r} needs its driver: "
            f"pip install 'hostray-orm[{extra}]' ({exc})"
        ) from exc
    where = (
        f"{module.value} server {checked['host']}:{checked['port']} database {checked['db_name']!r}"
    )
    hooks = _pool_hooks.MYSQL if module is DB_MODULE_NAME.MYSQL else _pool_hooks.POSTGRESQL
    _pool_hooks.install_pool_hooks(engine, where, hooks)
    return engine


def _use_wal(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Readers never block the writer and a writer waits (busy timeout) instead of failing.

    WAL is a property of the file, set by the first connection that manages to. Switching needs
    the file to itself and SQLite does not wait for that: when other connections hold it just
    then, this one goes on in the file's current mode and a later connection switches it.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
    finally:
        cursor.close()


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Create the tables of `metadata` that do not exist yet.

    A database-wide lock (SQLite's write lock, MySQL `GET_LOCK`, a PostgreSQL advisory lock) is
    held while checking and creating, so threads and processes starting together never collide
    with "table already exists".
    """
    dialect = engine.dialect.name
    if dialect == "sqlite" and engine.url.database in (None, "", ":memory:"):
        metadata.create_all(engine)
        return
    lock_name = f"hostray.orm.create_tables.{engine.url.database}"[:64]
    with engine.begin() as conn:
        if dialect == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif dialect == "postgresql":
            digest = hashlib.blake2b(lock_name.encode(), digest_size=8).digest()
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{TABLE_LOCK_TIMEOUT}s'")
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": int.from_bytes(digest, "big", signed=True)},
            )
        elif dialect in ("mysql", "mariadb"):
            got = conn.execute(
                text("SELECT GET_LOCK(:name, :timeout)"),
                {"name": lock_name, "timeout": TABLE_LOCK_TIMEOUT},
            ).scalar()
            if got != 1:
                raise TimeoutError(
                    f"waited {TABLE_LOCK_TIMEOUT}s for lock {lock_name!r} held by another process"
                )
        try:
            metadata.create_all(conn)
        finally:
            if dialect in ("mysql", "mariadb"):
                conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock_name})


def get_session_maker(
    db_module: DB_MODULE_NAME | str,
    declared_entity_base: HasMetadata,
    autoflush: bool = False,
    connection_refresh: float | None = None,
    **params: Any,
) -> sessionmaker[Session]:
    """A session factory on a new engine for `db_module`, with the base's tables created.

    Sessions keep an entity's values after commit (`expire_on_commit=False`): they stay readable
    after `save()` without another query; `refresh()` reloads them.
    """
    engine = create_orm_engine(db_module, connection_refresh=connection_refresh, **params)
    try:
        create_tables(engine, declared_entity_base.metadata)
    except BaseException:
        engine.dispose()
        raise
    return sessionmaker(bind=engine, autoflush=autoflush, expire_on_commit=False)
