"""Engines and session makers: parameters, reachability, SQLite set-up, tables, recycling."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import inspect, text

from hostray.orm import (
    DB_MODULE_NAME,
    DatabaseUnavailableError,
    _pool_hooks,
    create_orm_engine,
    get_declarative_base,
    get_session_maker,
)

from .support import Database, drop_schema, make_schema


def test_module_values_are_the_config_strings() -> None:
    assert {m.name: m.value for m in DB_MODULE_NAME} == {
        "SQLITE_MEMORY": "sqlite_memory",
        "SQLITE_FILE": "sqlite",
        "MYSQL": "mysql",
        "POSTGRESQL": "postgresql",
    }


def test_module_may_be_given_as_its_config_string(tmp_path: Path) -> None:
    engine = create_orm_engine("sqlite", file_name=str(tmp_path / "a.db"))
    try:
        assert engine.dialect.name == "sqlite"
        assert engine.url.database == str(tmp_path / "a.db")
    finally:
        engine.dispose()


def test_unknown_module_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown db module 'oracle'; expected one of .*mysql"):
        get_session_maker("oracle", get_declarative_base("tests.orm.engines"))


@pytest.mark.parametrize(
    ("module", "params", "message"),
    [
        (DB_MODULE_NAME.SQLITE_FILE, {}, "missing parameter 'file_name'"),
        (DB_MODULE_NAME.MYSQL, {"host": "h", "user": "root"}, "missing parameter 'db_name'"),
        (
            DB_MODULE_NAME.POSTGRESQL,
            {"host": "127.0.0.1", "db_name": "test", "user": "u", "port": "54x"},
            "port must be an integer, got '54x'",
        ),
        (DB_MODULE_NAME.SQLITE_MEMORY, {"file_name": "x.db"}, "unknown parameter 'file_name'"),
        (DB_MODULE_NAME.SQLITE_FILE, {"file_name": "x", "hots": "h"}, "unknown parameter 'hots'"),
    ],
)
def test_bad_parameters_are_named(
    module: DB_MODULE_NAME, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        create_orm_engine(module, **params)


@pytest.mark.parametrize("refresh", [0, -5, "soon"])
def test_connection_refresh_must_be_positive_seconds(refresh: object) -> None:
    with pytest.raises(ValueError, match="connection_refresh"):
        create_orm_engine(DB_MODULE_NAME.SQLITE_MEMORY, connection_refresh=refresh)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("module", [DB_MODULE_NAME.MYSQL, DB_MODULE_NAME.POSTGRESQL])
def test_unreachable_server_raises_database_unavailable(module: DB_MODULE_NAME) -> None:
    port = closed_port()
    base = get_declarative_base(f"tests.orm.unreachable.{module.value}")
    with pytest.raises(DatabaseUnavailableError, match=f"127.0.0.1:{port}"):
        get_session_maker(module, base, host="127.0.0.1", port=port, db_name="test", user="root")


def test_sqlite_file_in_missing_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir.db"
    with pytest.raises(DatabaseUnavailableError, match=r"dir\.db"):
        get_session_maker(DB_MODULE_NAME.SQLITE_FILE, make_schema().base, file_name=str(missing))


def test_sqlite_file_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_orm_engine(DB_MODULE_NAME.SQLITE_FILE, file_name=str(tmp_path / "w.db"))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert cast(int, conn.exec_driver_sql("PRAGMA busy_timeout").scalar()) >= 1000
    finally:
        engine.dispose()


def test_sqlite_memory_is_one_database_for_every_session_and_thread() -> None:
    schema = make_schema()
    maker = get_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, schema.base)
    with maker() as sess:
        sess.add(schema.person(name="a", age=1, gender="male"))
        sess.commit()

    counts: list[int] = []

    def count() -> None:
        with maker() as other:
            counts.append(other.query(schema.person).count())

    thread = threading.Thread(target=count)
    thread.start()
    thread.join(timeout=10)
    assert counts == [1]


def test_tables_are_created_once_by_concurrent_starters(shared_db: Database) -> None:
    """Eight engines (as eight processes would) create the same tables at the same moment."""
    schema = make_schema()
    barrier = threading.Barrier(8, timeout=30)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait()
            maker = get_session_maker(shared_db.module, schema.base, **shared_db.params)
            maker.kw["bind"].dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        engine = shared_db.engine()
        try:
            assert schema.table in inspect(engine).get_table_names()
        finally:
            engine.dispose()
    finally:
        drop_schema(shared_db, schema)


def backend_id(db: Database, maker: object) -> int:
    with maker() as sess:  # type: ignore[operator]
        return int(sess.execute(text(db.backend_id_sql)).scalar())


def test_connection_dropped_by_the_server_is_replaced_silently(
    server_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen on the socket, without a ping round trip (no ping for this fresh connection)."""
    monkeypatch.setattr(_pool_hooks, "PING_AFTER_IDLE", 1e9)
    schema = make_schema()
    maker = get_session_maker(server_db.module, schema.base, **server_db.params)
    try:
        first = backend_id(server_db, maker)
        server_db.kill(first)
        with maker() as sess:
            sess.add(schema.person(name="after kill", age=1, gender="male"))
            sess.commit()
        assert backend_id(server_db, maker) != first
    finally:
        maker.kw["bind"].dispose()
        drop_schema(server_db, schema)


def test_idle_connections_are_pinged_as_well(
    server_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the socket looks fine, a connection idle for a while is pinged before use."""
    monkeypatch.setattr(_pool_hooks, "PING_AFTER_IDLE", 0.0)
    monkeypatch.setattr(_pool_hooks, "_closed_by_server", lambda fd: False)
    schema = make_schema()
    maker = get_session_maker(server_db.module, schema.base, **server_db.params)
    try:
        first = backend_id(server_db, maker)
        server_db.kill(first)
        assert backend_id(server_db, maker) != first
    finally:
        maker.kw["bind"].dispose()
        drop_schema(server_db, schema)


def test_connection_refresh_recycles_older_connections(server_db: Database) -> None:
    schema = make_schema()
    maker = get_session_maker(
        server_db.module, schema.base, connection_refresh=0.2, **server_db.params
    )
    steady = get_session_maker(server_db.module, schema.base, **server_db.params)
    try:
        refreshed, kept = backend_id(server_db, maker), backend_id(server_db, steady)
        time.sleep(0.4)
        assert backend_id(server_db, maker) != refreshed
        assert backend_id(server_db, steady) == kept
    finally:
        maker.kw["bind"].dispose()
        steady.kw["bind"].dispose()
        drop_schema(server_db, schema)


def test_pooled_connections_never_keep_a_transaction_open(server_db: Database) -> None:
    """A connection back in the pool carries no snapshot: MariaDB's repeatable read would hide
    rows committed since, PostgreSQL would show the backend 'idle in transaction'."""
    schema = make_schema()
    maker = get_session_maker(server_db.module, schema.base, **server_db.params)
    engine = maker.kw["bind"]
    writer = server_db.engine()
    count = text(f"SELECT count(*) FROM {schema.table}")

    def add_one() -> None:
        with writer.begin() as conn:
            conn.execute(
                schema.person.__table__.insert(), {"name": "n", "age": 1, "gender": "male"}
            )

    def backend_state(backend: int) -> str:
        with writer.connect() as conn:
            sql = text("SELECT state FROM pg_stat_activity WHERE pid = :pid")
            return str(conn.execute(sql, {"pid": backend}).scalar())

    try:
        with maker() as sess:
            backend = sess.execute(text(server_db.backend_id_sql)).scalar_one()
            assert sess.execute(count).scalar() == 0
        if server_db.module is DB_MODULE_NAME.POSTGRESQL:
            assert backend_state(backend) == "idle"
        add_one()
        with maker() as sess:
            assert sess.execute(count).scalar() == 1
        raw = engine.raw_connection()  # used outside SQLAlchemy's transactions
        cursor = raw.cursor()
        cursor.execute(f"SELECT count(*) FROM {schema.table}")
        assert cursor.fetchone()[0] == 1
        cursor.close()
        raw.close()
        if server_db.module is DB_MODULE_NAME.POSTGRESQL:
            assert backend_state(backend) == "idle"
        add_one()
        with maker() as sess:
            assert sess.execute(text(server_db.backend_id_sql)).scalar_one() == backend
            assert sess.execute(count).scalar() == 2
    finally:
        engine.dispose()
        writer.dispose()
        drop_schema(server_db, schema)
