"""OrmAccessWorkerPool on the four databases: own sessions, bad input, failures, lost links."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, PendingRollbackError
from sqlalchemy.orm import Session

from hostray.orm import (
    DB_MODULE_NAME,
    DatabaseUnavailableError,
    EntityValidationError,
    OrmAccessWorker,
    OrmAccessWorkerPool,
    OrmDBEntityAccessor,
)
from hostray.workers import PoolClosedError

from .support import Database, Schema, drop_schema, make_schema

CALL_TIMEOUT = 30


@pytest.fixture
def pool(db: Database, schema: Schema) -> Iterator[OrmAccessWorkerPool]:
    made = OrmAccessWorkerPool(worker_limit=4)
    made.set_session_maker(db.module, schema.base, **db.params)
    yield made
    made.dispose()


@pytest.fixture
def accessor(schema: Schema) -> OrmDBEntityAccessor[Any]:
    return OrmDBEntityAccessor(schema.person)


def session_and_thread(sess: Session) -> tuple[int, int]:
    return id(sess), threading.get_ident()


def backend_id(db: Database) -> Any:
    def query(sess: Session) -> int:
        return int(sess.execute(text(db.backend_id_sql)).scalar_one())

    return query


def test_every_worker_owns_its_session(pool: OrmAccessWorkerPool) -> None:
    with pool.reserve_worker() as a, pool.reserve_worker() as b, pool.reserve_worker() as c:
        seen = [pool.run_method(session_and_thread, identity=i) for i in (a, b, c, a, b, c)]
    assert seen[:3] == seen[3:]
    assert len({s for s, _ in seen}) == 3
    assert len({t for _, t in seen}) == 3
    workers = pool.workers
    assert all(isinstance(w, OrmAccessWorker) for w in workers)


def test_seed_flow_through_a_reserved_worker(
    pool: OrmAccessWorkerPool, accessor: OrmDBEntityAccessor[Any]
) -> None:
    with pool.reserve_worker() as identity:
        entity = pool.run_method(
            accessor.add, name="someone", age=30, gender="male", secret="s", identity=identity
        )
        pool.run_method(accessor.save, identity=identity)
        assert entity.id is not None  # readable here, on the caller's thread
        pool.run_method(accessor.refresh, entity, identity=identity)
        with pytest.raises(EntityValidationError) as caught:
            pool.run_method(accessor.set_attribute, entity, name="sometwo", identity=identity)
        assert caught.value.column == "name"
        pool.run_method(accessor.rollback, identity=identity)
        pool.run_method(accessor.refresh, entity, identity=identity)
    assert entity.to_client_dict()["name"] == "someone"
    assert "secret" not in entity.to_client_dict()


def test_entities_pass_from_worker_to_worker(
    pool: OrmAccessWorkerPool, accessor: OrmDBEntityAccessor[Any]
) -> None:
    with pool.reserve_worker() as first:
        entity = pool.run_method(accessor.add, name="a", age=1, gender="male", identity=first)
        pool.run_method(accessor.save, identity=first)
    with pool.reserve_worker() as hold, pool.reserve_worker() as second:
        assert pool.run_method(session_and_thread, identity=hold) != pool.run_method(
            session_and_thread, identity=second
        )
        pool.run_method(accessor.set_attribute, entity, age=2, identity=second)
        pool.run_method(accessor.save, identity=second)
    stored = pool.run_method(accessor.load, id=entity.id)
    assert stored.age == 2


async def test_concurrent_coroutines_insert_and_load(
    pool: OrmAccessWorkerPool, accessor: OrmDBEntityAccessor[Any]
) -> None:
    async def insert(n: int) -> int:
        async with pool.reserve_worker_async() as identity:
            entity = await pool.run_method_async(
                accessor.add, name=f"p{n}", age=n, gender="female", identity=identity
            )
            await pool.run_method_async(accessor.save, identity=identity)
            return int(entity.id)

    ids = await asyncio.wait_for(asyncio.gather(*(insert(n) for n in range(16))), CALL_TIMEOUT)
    loaded = await asyncio.wait_for(
        asyncio.gather(*(pool.run_method_async(accessor.load, id=i) for i in ids)), CALL_TIMEOUT
    )
    assert sorted(e.name for e in loaded) == sorted(f"p{n}" for n in range(16))
    everyone = await pool.run_method_async(accessor.select, order_by="age")
    assert [e.age for e in everyone] == list(range(16))


def test_bad_input_leaves_the_worker_usable(
    pool: OrmAccessWorkerPool, accessor: OrmDBEntityAccessor[Any]
) -> None:
    with pool.reserve_worker() as identity:
        with pytest.raises(EntityValidationError, match="'robot'") as caught:
            pool.run_method(accessor.add, name="x", age=1, gender="robot", identity=identity)
        assert caught.value.column == "gender"
        with pytest.raises(EntityValidationError, match="nickname"):
            pool.run_method(accessor.load, nickname="x", identity=identity)
        pool.run_method(accessor.add, name="ok", age=1, gender="male", identity=identity)
        pool.run_method(accessor.save, identity=identity)
    assert [e.name for e in pool.run_method(accessor.select)] == ["ok"]


def test_failed_calls_never_leave_a_worker_stuck(db: Database, schema: Schema) -> None:
    """One worker only: after a Python error and an SQL error its next call runs normally."""
    pool = OrmAccessWorkerPool(worker_limit=1)
    pool.set_session_maker(db.module, schema.base, **db.params)
    accessor = OrmDBEntityAccessor(schema.person)
    try:

        def boom(sess: Session) -> None:
            raise KeyError("boom")

        with pytest.raises(KeyError):
            pool.run_method(boom)
        with pytest.raises(Exception, match="no_such_table"):
            pool.run_method(lambda sess: sess.execute(text("SELECT * FROM no_such_table")))
        pool.run_method(accessor.add, name="after", age=1, gender="male")
        pool.run_method(accessor.save)
        assert [e.name for e in pool.run_method(accessor.select)] == ["after"]
    finally:
        pool.dispose()


@pytest.mark.filterwarnings("ignore:Session's state has been changed on a non-active transaction")
def test_a_transaction_broken_by_a_swallowed_error_is_rolled_back(
    db: Database, schema: Schema
) -> None:
    """A call that swallows a failed flush leaves a broken transaction: the next call reports it,
    and the one after works."""
    pool = OrmAccessWorkerPool(worker_limit=1)
    pool.set_session_maker(db.module, schema.base, **db.params)
    accessor = OrmDBEntityAccessor(schema.person)

    def swallow_duplicate(sess: Session) -> None:
        sess.add(schema.person(id=1, name="b", age=1, gender="male"))
        with contextlib.suppress(IntegrityError):
            sess.flush()
        sess.add(schema.person(id=2, name="c", age=1, gender="male"))  # pending, never saved

    try:
        pool.run_method(accessor.add, id=1, name="a", age=1, gender="male")
        pool.run_method(accessor.save)
        pool.run_method(swallow_duplicate)
        with pytest.raises(PendingRollbackError):
            pool.run_method(accessor.select)
        assert [e.name for e in pool.run_method(accessor.select)] == ["a"]
    finally:
        pool.dispose()


def test_calls_before_set_session_maker_say_what_is_missing() -> None:
    pool = OrmAccessWorkerPool()
    try:
        with pytest.raises(RuntimeError, match=r"set_session_maker\(\)"):
            pool.run_method(session_and_thread)
    finally:
        pool.dispose()


def test_bad_parameters_fail_at_set_session_maker() -> None:
    pool = OrmAccessWorkerPool()
    try:
        with pytest.raises(ValueError, match="missing parameter 'host'"):
            pool.set_session_maker(DB_MODULE_NAME.MYSQL, make_schema().base, db_name="x", user="u")
    finally:
        pool.dispose()


@pytest.mark.parametrize("module", [DB_MODULE_NAME.MYSQL, DB_MODULE_NAME.POSTGRESQL])
def test_unreachable_server_fails_each_call_without_hanging(module: DB_MODULE_NAME) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pool = OrmAccessWorkerPool(worker_limit=2)
    schema = make_schema()
    pool.set_session_maker(module, schema.base, host="127.0.0.1", port=port, db_name="t", user="u")
    accessor = OrmDBEntityAccessor(schema.person)
    try:
        for _ in range(2):
            with pytest.raises(DatabaseUnavailableError, match=f"127.0.0.1:{port}"):
                pool.run_method(accessor.load, id=1)
    finally:
        pool.dispose()


def test_connections_dropped_by_the_server_are_replaced(
    server_db: Database, server_schema: Schema
) -> None:
    """An administrator kills every connection of the pool; the next calls just work."""
    schema = server_schema
    accessor = OrmDBEntityAccessor(schema.person)
    pool = OrmAccessWorkerPool(worker_limit=2)
    pool.set_session_maker(server_db.module, schema.base, **server_db.params)
    query = backend_id(server_db)
    try:
        with pool.reserve_worker() as a, pool.reserve_worker() as b:
            before = {pool.run_method(query, identity=i) for i in (a, b)}
        for backend in before:
            server_db.kill(backend)
        with pool.reserve_worker() as a, pool.reserve_worker() as b:
            after = {pool.run_method(query, identity=i) for i in (a, b)}
            pool.run_method(accessor.add, name="still", age=1, gender="male", identity=a)
            pool.run_method(accessor.save, identity=a)
        assert before.isdisjoint(after)
        assert [e.name for e in pool.run_method(accessor.select)] == ["still"]
    finally:
        pool.dispose()


def test_connection_lost_mid_transaction_is_reported_and_the_worker_recovers(
    server_db: Database, server_schema: Schema
) -> None:
    schema = server_schema
    accessor = OrmDBEntityAccessor(schema.person)
    pool = OrmAccessWorkerPool(worker_limit=1)
    pool.set_session_maker(server_db.module, schema.base, **server_db.params)
    try:
        with pool.reserve_worker() as identity:
            pool.run_method(accessor.add, name="lost", age=1, gender="male", identity=identity)
            pool.run_method(accessor.flush, identity=identity)
            server_db.kill(pool.run_method(backend_id(server_db), identity=identity))
            with pytest.raises(DatabaseUnavailableError, match="dropped the connection"):
                pool.run_method(accessor.save, identity=identity)
            pool.run_method(accessor.add, name="kept", age=2, gender="male", identity=identity)
            pool.run_method(accessor.save, identity=identity)
        assert [e.name for e in pool.run_method(accessor.select)] == ["kept"]
    finally:
        pool.dispose()


def test_connection_refresh_recycles_the_workers_connections(
    server_db: Database, server_schema: Schema
) -> None:
    schema = server_schema
    pool = OrmAccessWorkerPool(worker_limit=1)
    pool.set_session_maker(
        server_db.module, schema.base, connection_refresh=0.2, **server_db.params
    )
    query = backend_id(server_db)
    try:
        first = pool.run_method(query)
        time.sleep(0.4)
        assert pool.run_method(query) != first
    finally:
        pool.dispose()


def test_reset_connection_reconnects(server_db: Database, server_schema: Schema) -> None:
    schema = server_schema
    pool = OrmAccessWorkerPool(worker_limit=1)
    pool.set_session_maker(server_db.module, schema.base, **server_db.params)
    query = backend_id(server_db)
    try:
        first = pool.run_method(query)
        assert pool.run_method(query) == first
        pool.reset_connection()
        second = pool.run_method(query)
        assert second != first
        asyncio.run(pool.reset_connection_async())
        assert pool.run_method(query) != second
    finally:
        pool.dispose()


def test_reset_keeps_the_in_memory_database(
    accessor_schema: tuple[OrmDBEntityAccessor[Any], Schema],
) -> None:
    accessor, schema = accessor_schema
    pool = OrmAccessWorkerPool(worker_limit=2)
    pool.set_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, schema.base)
    try:
        with pool.reserve_worker() as identity:
            pool.run_method(accessor.add, name="mem", age=1, gender="male", identity=identity)
            pool.run_method(accessor.save, identity=identity)
        pool.reset_connection()
        assert all(cast(OrmAccessWorker, w).session is None for w in pool.workers)
        assert [e.name for e in pool.run_method(accessor.select)] == ["mem"]
    finally:
        pool.dispose()


def test_dispose_closes_sessions_and_refuses_calls(
    accessor_schema: tuple[OrmDBEntityAccessor[Any], Schema], caplog: pytest.LogCaptureFixture
) -> None:
    accessor, schema = accessor_schema
    pool = OrmAccessWorkerPool(worker_limit=2)
    pool.set_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, schema.base)
    with pool.reserve_worker() as identity:
        pool.run_method(accessor.add, name="pending", age=1, gender="male", identity=identity)
        workers = pool.workers
        assert any(cast(OrmAccessWorker, w).session is not None for w in workers)
    pool.dispose()
    assert all(cast(OrmAccessWorker, w).session is None for w in workers)
    assert "uncommitted changes (1 new" in caplog.text
    with pytest.raises(PoolClosedError):
        pool.run_method(accessor.select)


def test_enable_orm_log_echoes_sql(
    accessor_schema: tuple[OrmDBEntityAccessor[Any], Schema], capsys: pytest.CaptureFixture[str]
) -> None:
    accessor, schema = accessor_schema
    pool = OrmAccessWorkerPool()
    pool.enable_orm_log(True)
    pool.set_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, schema.base)
    try:
        pool.run_method(accessor.select)
        assert f"FROM {schema.table}" in capsys.readouterr().out
        pool.enable_orm_log(False)
        pool.run_method(accessor.select)
        assert f"FROM {schema.table}" not in capsys.readouterr().out
    finally:
        pool.dispose()


def test_tables_are_created_once_by_concurrent_first_calls(
    shared_db: Database,
) -> None:
    schema = make_schema()
    accessor = OrmDBEntityAccessor(schema.person)
    pool = OrmAccessWorkerPool(worker_limit=8)
    pool.set_session_maker(shared_db.module, schema.base, **shared_db.params)
    try:

        async def first_calls() -> list[Any]:
            calls = (pool.run_method_async(accessor.select) for _ in range(8))
            return await asyncio.wait_for(asyncio.gather(*calls), CALL_TIMEOUT)

        assert asyncio.run(first_calls()) == [[]] * 8
    finally:
        pool.dispose()
        drop_schema(shared_db, schema)


@pytest.fixture
def accessor_schema() -> tuple[OrmDBEntityAccessor[Any], Schema]:
    schema = make_schema()
    return OrmDBEntityAccessor(schema.person), schema


@pytest.fixture
def server_schema(server_db: Database) -> Iterator[Schema]:
    made = make_schema()
    yield made
    drop_schema(server_db, made)


def test_connection_dropped_after_the_query_does_not_fail_the_call(
    server_db: Database, server_schema: Schema
) -> None:
    """The server drops the connection between a call's query and the worker closing its session
    (a restart under traffic): the call's result stands and the next call gets a new connection."""
    pool = OrmAccessWorkerPool(worker_limit=1)
    pool.set_session_maker(server_db.module, server_schema.base, **server_db.params)
    query = backend_id(server_db)

    def read_then_lose_connection(session: Session) -> int:
        backend: int = query(session)  # opens a transaction the worker must end when it closes
        server_db.kill(backend)
        return backend

    try:
        killed = pool.run_method(read_then_lose_connection)
        assert isinstance(killed, int)
        assert pool.run_method(query) != killed
    finally:
        pool.dispose()
