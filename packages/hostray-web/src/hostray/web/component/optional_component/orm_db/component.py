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
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hostray.config import ConfigError, mask_secrets
from hostray.orm import (
    DB_MODULE_NAME,
    DEFAULT_PORTS,
    DatabaseUnavailableError,
    HasMetadata,
    OrmAccessWorkerPool,
    OrmDBEntityAccessor,
    create_orm_engine,
)

from ....request_context import in_request_context
from ... import Component, ComponentManager
from ..outages import OutageLog, show_logger
from ..settings import OrmDBSettings

__all__ = ["OrmDBComponent"]

logger = logging.getLogger("hostray.web.orm_db")


@dataclass
class _Database:
    """The settings of one db_id and, once a declarative base is given, its pool."""

    settings: OrmDBSettings
    pool: OrmAccessWorkerPool | None = None
    base: HasMetadata | None = None
    last_reset: float = field(default_factory=time.monotonic)
    reconnects: int = 0
    """Resets that closed the pooled connections (`metrics`: hostray_orm_db_reconnects_total)."""
    unavailable: int = 0
    """Calls that failed with `DatabaseUnavailableError`."""

    @property
    def module(self) -> DB_MODULE_NAME:
        return self.settings.module

    @property
    def parameters(self) -> Mapping[str, Any]:
        """What `create_orm_engine` takes besides the module."""
        return self.settings.parameters

    def shown(self) -> dict[str, Any]:
        """The settings as `get_db_settings` and `info` give them."""
        settings = self.settings
        return {
            "module": settings.module.value,
            "worker": settings.worker,
            "connection_refresh": settings.connection_refresh,
            **settings.parameters,
        }


class OrmDBComponent(Component):
    """Database access worker pools by db_id, running `OrmDBEntityAccessor` methods."""

    def init(
        self, component_manager: ComponentManager, root_dir: str | None = None, **databases: Any
    ) -> None:
        """Take every db_id's settings (`OrmDBSettings`) and check that its engine can be made
        (the driver is installed); no connection is made yet."""
        self._databases: dict[str, _Database] = {}
        problems: list[str] = []
        for db_id, settings in OrmDBSettings.from_config(databases, root_dir).items():
            try:
                create_orm_engine(settings.module, **settings.parameters).dispose()
            except (ValueError, ImportError) as exc:
                problems.append(f"component.orm_db.{db_id}: {exc}")
            self._databases[db_id] = _Database(settings)
        if problems:
            raise ConfigError(*problems)
        show_logger(component_manager, logger.name)
        self._outages = OutageLog(logger, "orm_db")
        self._probes = [
            threading.Thread(
                target=_probe, args=(db_id, database), name=f"orm_db-probe-{db_id}", daemon=True
            )
            for db_id, database in self._databases.items()
            if database.module in DEFAULT_PORTS
        ]
        for probe in self._probes:
            probe.start()

    def info(self) -> dict[str, Any]:
        """Every db_id's settings, passwords masked, and whether its pool is up."""
        details = {}
        for db_id, database in self._databases.items():
            shown = mask_secrets(database.shown())
            shown["initialized"] = database.pool is not None
            details[db_id] = shown
        return {**super().info(), "info": details}

    def pool_state(self) -> dict[str, tuple[int | None, int | None, int, int]]:
        """Per db_id: the engine pool's checked-out connections and size (None before the pool
        exists or for a pool without a size, as SQLite's), reconnects and unavailable errors."""
        state: dict[str, tuple[int | None, int | None, int, int]] = {}
        for db_id, database in self._databases.items():
            engine = database.pool.engine if database.pool is not None else None
            pool = engine.pool if engine is not None else None
            size = getattr(pool, "size", None)
            checked_out = getattr(pool, "checkedout", None)
            state[db_id] = (
                None if checked_out is None else int(checked_out()),
                None if size is None else int(size()),
                database.reconnects,
                database.unavailable,
            )
        return state

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
        return self._database(db_id).shown()

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
        settings = database.settings
        pool = OrmAccessWorkerPool(pool_name=db_id, worker_limit=settings.worker)
        refresh = (
            None if settings.module is DB_MODULE_NAME.SQLITE_MEMORY else settings.connection_refresh
        )
        pool.set_session_maker(
            settings.module, declared_entity_base, connection_refresh=refresh, **database.parameters
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
        if force_reconnect or now - database.last_reset >= database.settings.connection_refresh:
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
            database.reconnects += 1
            database.pool.reset_connection()

    async def reset_session_async(self, db_id: str, force_reconnect: bool = False) -> None:
        """`reset_session` for coroutines."""
        database = self._database(db_id)
        if self._due(database, force_reconnect):
            assert database.pool is not None
            database.reconnects += 1
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
        pool = self._pool(db_id)
        try:
            result = pool.run_method(
                in_request_context(accessor_func), *args, identity=identity, **kwargs
            )
        except DatabaseUnavailableError as exc:
            self._databases[db_id].unavailable += 1
            self._outages.failed(db_id, str(exc))
            raise
        self._outages.recovered(db_id)
        return result

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
        try:
            result = await pool.run_method_async(
                in_request_context(accessor_func), *args, identity=identity, **kwargs
            )
        except DatabaseUnavailableError as exc:
            self._databases[db_id].unavailable += 1
            self._outages.failed(db_id, str(exc))
            raise
        self._outages.recovered(db_id)
        return result

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
        for probe in self._probes:
            await asyncio.to_thread(probe.join)
        for database in self._databases.values():
            pool, database.pool = database.pool, None
            if pool is not None:
                await asyncio.to_thread(pool.dispose)


def _ping(session: Session) -> None:
    """A round trip to the database on a worker's session."""
    session.execute(text("SELECT 1"))
    session.rollback()


def _probe(db_id: str, database: _Database) -> None:
    """Connect once to a database server when the server starts; a refusal (wrong password,
    unknown database, server down) is a warning naming the db_id, before any request fails."""
    engine = create_orm_engine(database.module, **database.parameters)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # DatabaseUnavailableError, or anything: a probe never raises
        logger.warning("orm_db %s: the database is not ready at start: %s", db_id, exc)
    finally:
        engine.dispose()


def _check_accessor(accessor_func: Callable[..., Any]) -> None:
    owner = getattr(accessor_func, "__self__", None)
    if not (inspect.ismethod(accessor_func) and isinstance(owner, OrmDBEntityAccessor)):
        raise TypeError(
            f"orm_db: {accessor_func!r} is not a method of an OrmDBEntityAccessor "
            "(pass e.g. accessor.add)"
        )
