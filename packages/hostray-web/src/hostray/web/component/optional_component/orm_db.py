"""`orm_db`: one `hostray.orm.OrmAccessWorkerPool` per configured database id.

    orm_db:
        db_0: {module: sqlite_memory, worker: 1}
        db_1: {module: sqlite, worker: 2, connection_refresh: 60, file_name: data.db}
        db_2: {module: postgresql, host: 127.0.0.1, db_name: app, user: app,
               password: "${DB_PASSWORD}"}

A pool is made by `init_db_declarative_base(db_id, Base)`, when the entity classes are known;
accessor methods then run on its workers through `run_accessor[_async]`.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hostray.config import ConfigError
from hostray.orm import DB_MODULE_NAME, OrmAccessWorkerPool, OrmDBEntityAccessor, create_orm_engine
from hostray.orm.engines import HasMetadata

from .. import Component, ComponentManager
from .schema import DEFAULT_CONNECTION_REFRESH

__all__ = ["OrmDBComponent"]

SECRET_KEYS = frozenset({"password"})
DEFAULT_PORTS = {DB_MODULE_NAME.MYSQL: 3306, DB_MODULE_NAME.POSTGRESQL: 5432}


@dataclass
class _Database:
    """The settings of one db_id and, once a declarative base is given, its pool."""

    module: DB_MODULE_NAME
    worker: int
    connection_refresh: float
    parameters: dict[str, Any]
    pool: OrmAccessWorkerPool | None = None
    base: HasMetadata | None = None
    last_reset: float = field(default_factory=time.monotonic)

    def settings(self) -> dict[str, Any]:
        return {
            "module": self.module.value,
            "worker": self.worker,
            "connection_refresh": self.connection_refresh,
            **self.parameters,
        }


class OrmDBComponent(Component):
    """Database access worker pools by db_id, running `OrmDBEntityAccessor` methods."""

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **databases: Any
    ) -> None:
        """Check every db_id's settings (module, worker, parameters); no connection is made yet."""
        self._databases: dict[str, _Database] = {}
        problems: list[str] = []
        for db_id, settings in databases.items():
            try:
                self._databases[db_id] = _parse(settings, root_dir)
            except _SettingError as exc:
                problems.append(f"component.orm_db.{db_id}.{exc.key}: {exc.message}")
            except (ValueError, ImportError) as exc:
                problems.append(f"component.orm_db.{db_id}: {exc}")
        if problems:
            raise ConfigError(*problems)

    def info(self) -> dict[str, Any]:
        """Every db_id's settings, passwords masked, and whether its pool is up."""
        details = {}
        for db_id, database in self._databases.items():
            shown = {
                k: ("***" if k in SECRET_KEYS and v else v) for k, v in database.settings().items()
            }
            shown["initialized"] = database.pool is not None
            details[db_id] = shown
        return {**super().info(), "info": details}

    def _database(self, db_id: str) -> _Database:
        database = self._databases.get(db_id)
        if database is None:
            known = ", ".join(sorted(self._databases)) or "none configured"
            raise LookupError(f"orm_db: unknown db_id {db_id!r} (configured: {known})")
        return database

    def _pool(self, db_id: str) -> OrmAccessWorkerPool:
        pool = self._database(db_id).pool
        if pool is None:
            raise RuntimeError(
                f"orm_db: db_id {db_id!r} has no pool yet; call "
                "init_db_declarative_base(db_id, Base) first"
            )
        return pool

    def get_pool_obj(self, db_id: str) -> OrmAccessWorkerPool | None:
        """The worker pool of `db_id`; None before `init_db_declarative_base`."""
        return self._database(db_id).pool

    def get_db_settings(self, db_id: str) -> dict[str, Any]:
        """The settings of `db_id` as configured (absolute `file_name`; password included)."""
        return self._database(db_id).settings()

    def init_db_declarative_base(self, db_id: str, declared_entity_base: HasMetadata) -> None:
        """Make the pool of `db_id` for the entities of `declared_entity_base` (tables are
        created by the first call). Calling it again with the same base does nothing."""
        database = self._database(db_id)
        if database.pool is not None:
            if database.base is not declared_entity_base:
                raise RuntimeError(
                    f"orm_db: db_id {db_id!r} is already initialized with another declarative base"
                )
            return
        pool = OrmAccessWorkerPool(pool_name=db_id, worker_limit=database.worker)
        refresh = (
            None if database.module is DB_MODULE_NAME.SQLITE_MEMORY else database.connection_refresh
        )
        pool.set_session_maker(
            database.module, declared_entity_base, connection_refresh=refresh, **database.parameters
        )
        database.pool, database.base = pool, declared_entity_base
        database.last_reset = time.monotonic()

    @contextmanager
    def reserve_worker(self, db_id: str) -> Iterator[str]:
        """Reserve one worker (one session) of `db_id`; yields the identity for `run_accessor`."""
        with self._pool(db_id).reserve_worker() as identity:
            yield identity

    @asynccontextmanager
    async def reserve_worker_async(self, db_id: str) -> AsyncIterator[str]:
        """`reserve_worker` for coroutines."""
        async with self._pool(db_id).reserve_worker_async() as identity:
            yield identity

    def _due(self, database: _Database, force_reconnect: bool) -> bool:
        if database.pool is None or database.module is DB_MODULE_NAME.SQLITE_MEMORY:
            return False
        now = time.monotonic()
        if force_reconnect or now - database.last_reset >= database.connection_refresh:
            database.last_reset = now
            return True
        return False

    def reset_session(self, db_id: str, force_reconnect: bool = False) -> None:
        """Close the workers' sessions and pooled connections if `connection_refresh` seconds
        passed since the last reset (now with `force_reconnect`); never for sqlite_memory.
        Not inside `reserve_worker()`: pending changes would be discarded."""
        database = self._database(db_id)
        if self._due(database, force_reconnect):
            assert database.pool is not None
            database.pool.reset_connection()

    async def reset_session_async(self, db_id: str, force_reconnect: bool = False) -> None:
        """`reset_session` for coroutines."""
        database = self._database(db_id)
        if self._due(database, force_reconnect):
            assert database.pool is not None
            await database.pool.reset_connection_async()

    def run_accessor(
        self,
        db_id: str,
        accessor_func: Callable[..., Any],
        *args: Any,
        identity: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run `accessor_func(session, *args, **kwargs)` on a worker of `db_id` and return its
        result (`identity` from `reserve_worker` pins the worker)."""
        _check_accessor(accessor_func)
        return self._pool(db_id).run_method(accessor_func, *args, identity=identity, **kwargs)

    async def run_accessor_async(
        self,
        db_id: str,
        accessor_func: Callable[..., Any],
        *args: Any,
        identity: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """`run_accessor` for coroutines: the event loop stays free while the worker runs."""
        _check_accessor(accessor_func)
        pool = self._pool(db_id)
        return await pool.run_method_async(accessor_func, *args, identity=identity, **kwargs)

    async def ready(self) -> str | None:
        """None when every initialized db_id's database answers `SELECT 1`, else why not."""
        for db_id, database in self._databases.items():
            if database.pool is None:
                continue
            try:
                await database.pool.run_method_async(_ping)
            except Exception as exc:
                first_line = (str(exc).splitlines() or [""])[0]
                return f"db_id {db_id!r} unreachable ({type(exc).__name__}: {first_line})"
        return None

    async def dispose(self, component_manager: ComponentManager) -> None:
        """Let queued calls finish, then close the sessions and connections of every pool."""
        for database in self._databases.values():
            pool, database.pool = database.pool, None
            if pool is not None:
                await asyncio.to_thread(pool.dispose)


def _ping(session: Session) -> None:
    """A round trip to the database on a worker's session."""
    session.execute(text("SELECT 1"))
    session.rollback()


def _check_accessor(accessor_func: Callable[..., Any]) -> None:
    owner = getattr(accessor_func, "__self__", None)
    if not (inspect.ismethod(accessor_func) and isinstance(owner, OrmDBEntityAccessor)):
        raise TypeError(
            f"orm_db: {accessor_func!r} is not a method of an OrmDBEntityAccessor "
            "(pass e.g. accessor.add)"
        )


class _SettingError(ValueError):
    """A problem with one key of a db_id's settings."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def _parse(settings: Any, root_dir: str | None) -> _Database:
    """One db_id's settings, checked by building (not connecting) its engine."""
    if not isinstance(settings, dict):
        raise ValueError(f"expected a mapping of settings, got {settings!r}")
    options = dict(settings)
    if "module" not in options:
        raise _SettingError("module", "missing required key")
    module_name = options.pop("module")
    try:
        module = DB_MODULE_NAME(module_name)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in DB_MODULE_NAME)
        raise _SettingError("module", f"expected one of {choices}, got {module_name!r}") from None
    worker = options.pop("worker", 1)
    if isinstance(worker, bool) or not isinstance(worker, int) or worker < 1:
        raise _SettingError("worker", f"expected an integer ≥ 1, got {worker!r}")
    refresh = options.pop("connection_refresh", DEFAULT_CONNECTION_REFRESH)
    if isinstance(refresh, bool) or not isinstance(refresh, (int, float)) or refresh <= 0:
        raise _SettingError("connection_refresh", f"expected seconds > 0, got {refresh!r}")
    if module is DB_MODULE_NAME.SQLITE_FILE and isinstance(options.get("file_name"), str):
        options["file_name"] = os.path.join(root_dir or "", options["file_name"])
    if module in DEFAULT_PORTS:
        options.setdefault("port", DEFAULT_PORTS[module])
        if options.get("password") is None:
            options["password"] = ""
    create_orm_engine(module, **options).dispose()  # raises ValueError/ImportError naming the key
    return _Database(module, worker, float(refresh), options)
