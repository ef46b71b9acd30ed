"""orm_db: the seed's methods on real databases (SQLite here; MariaDB and PostgreSQL in
test_orm_rest.py), configuration errors and what info() shows."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session

from hostray.config import ConfigError
from hostray.orm import EntityValidationError, OrmAccessWorkerPool, OrmDBEntityAccessor
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.optional_component import OrmDBComponent

from .conftest import dispose
from .people import people_model

ORM_DB = OptionalComponentTypes.OrmDB


@pytest.fixture
def orm(make_component: Callable[..., Any], tmp_path: Path) -> OrmDBComponent:
    return cast(
        OrmDBComponent,
        make_component(
            ORM_DB,
            root_dir=str(tmp_path),
            memory={"module": "sqlite_memory", "worker": 2, "connection_refresh": 60},
            file={"module": "sqlite", "worker": 2, "file_name": "data.db"},
        ),
    )


def test_seed_example_through_the_component(orm: OrmDBComponent) -> None:
    base, _, accessor = people_model()
    orm.init_db_declarative_base("memory", base)
    with orm.reserve_worker("memory") as identity:
        entity = orm.run_accessor(
            "memory",
            accessor.add,
            name="someone",
            age=30,
            gender="male",
            secret="my secret",
            note="this is note",
            identity=identity,
        )
        orm.run_accessor("memory", accessor.save, identity=identity)
        orm.run_accessor("memory", accessor.refresh, entity, identity=identity)
        with pytest.raises(EntityValidationError) as err:
            orm.run_accessor(
                "memory", accessor.set_attribute, entity, name="sometwo", identity=identity
            )
        assert err.value.column == "name"
        orm.run_accessor("memory", accessor.rollback, identity=identity)
        orm.run_accessor("memory", accessor.refresh, entity, identity=identity)
    data = entity.to_dict()
    assert (data["name"], data["age"], data["gender"]) == ("someone", 30, "male")
    assert "secret" not in entity.to_client_dict()


async def test_async_methods_on_a_sqlite_file(orm: OrmDBComponent, tmp_path: Path) -> None:
    base, _, accessor = people_model()
    orm.init_db_declarative_base("file", base)
    async with orm.reserve_worker_async("file") as identity:
        added = await orm.run_accessor_async(
            "file", accessor.add, name="ada", age=36, gender="female", identity=identity
        )
        await orm.run_accessor_async("file", accessor.save, identity=identity)
    loaded = await orm.run_accessor_async("file", accessor.load, id=added.id)
    assert loaded.to_dict()["name"] == "ada"
    assert (tmp_path / "data.db").is_file()  # relative file_name under the project directory


class ThreadAccessor(OrmDBEntityAccessor[Any]):
    def thread_id(self, session: Session) -> int:
        return threading.get_ident()


async def test_accessor_methods_run_on_worker_threads(orm: OrmDBComponent) -> None:
    base, entity, _ = people_model()
    orm.init_db_declarative_base("file", base)
    accessor = ThreadAccessor(entity)
    assert orm.run_accessor("file", accessor.thread_id) != threading.get_ident()
    assert await orm.run_accessor_async("file", accessor.thread_id) != threading.get_ident()


def test_get_pool_obj_and_settings(orm: OrmDBComponent, tmp_path: Path) -> None:
    assert orm.get_pool_obj("memory") is None
    base, _, _ = people_model()
    orm.init_db_declarative_base("memory", base)
    pool = orm.get_pool_obj("memory")
    assert isinstance(pool, OrmAccessWorkerPool)
    orm.init_db_declarative_base("memory", base)  # again with the same base: nothing changes
    assert orm.get_pool_obj("memory") is pool
    other, _, _ = people_model()
    with pytest.raises(RuntimeError, match="already initialized with another declarative base"):
        orm.init_db_declarative_base("memory", other)
    assert orm.get_db_settings("file") == {
        "module": "sqlite",
        "worker": 2,
        "connection_refresh": 30.0,
        "file_name": str(tmp_path / "data.db"),
    }


def test_reset_session_keeps_an_in_memory_database(orm: OrmDBComponent) -> None:
    base, _, accessor = people_model()
    orm.init_db_declarative_base("memory", base)
    with orm.reserve_worker("memory") as identity:
        orm.run_accessor("memory", accessor.add, name="a", age=1, gender="male", identity=identity)
        orm.run_accessor("memory", accessor.save, identity=identity)
    orm.reset_session("memory", force_reconnect=True)
    assert len(orm.run_accessor("memory", accessor.select)) == 1


async def test_reset_session_respects_connection_refresh(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    orm = make_component(
        ORM_DB,
        slow={"module": "sqlite", "file_name": str(tmp_path / "a.db"), "connection_refresh": 600},
        fast={"module": "sqlite", "file_name": str(tmp_path / "b.db"), "connection_refresh": 0.05},
    )
    base, _, accessor = people_model()
    for db_id in ("slow", "fast"):
        orm.init_db_declarative_base(db_id, base)
        await orm.run_accessor_async(db_id, accessor.select)
    slow, fast = orm.get_pool_obj("slow").engine, orm.get_pool_obj("fast").engine
    assert slow.pool.checkedin() == 1 and fast.pool.checkedin() == 1

    await orm.reset_session_async("slow")  # within connection_refresh: connections stay
    assert slow.pool.checkedin() == 1
    orm.reset_session("slow", force_reconnect=True)
    assert slow.pool.checkedin() == 0  # closed; the next call reconnects
    assert await orm.run_accessor_async("slow", accessor.select) == []

    await asyncio.sleep(0.06)
    orm.reset_session("fast")  # connection_refresh has passed
    assert fast.pool.checkedin() == 0


def test_unknown_db_id_and_missing_base_are_clear(orm: OrmDBComponent) -> None:
    _, _, accessor = people_model()
    with pytest.raises(LookupError, match=r"unknown db_id 'nope' \(configured: file, memory\)"):
        orm.run_accessor("nope", accessor.select)
    with pytest.raises(RuntimeError, match=r"init_db_declarative_base\(db_id, Base\) first"):
        orm.run_accessor("memory", accessor.select)


def test_only_accessor_methods_are_run(orm: OrmDBComponent) -> None:
    base, _, _ = people_model()
    orm.init_db_declarative_base("memory", base)
    with pytest.raises(TypeError, match="is not a method of an OrmDBEntityAccessor"):
        orm.run_accessor("memory", print)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"module": "oracle"}, "bad.module: expected one of 'sqlite_memory'"),
        ({"worker": 1}, "bad.module: missing required key"),
        ({"module": "sqlite"}, "bad.file_name: missing required key"),
        (
            {"module": "mysql", "host": "127.0.0.1", "user": "u"},
            "bad.db_name: missing required key",
        ),
        ({"module": "sqlite_memory", "worker": 0}, "bad.worker: expected an integer >= 1"),
        ({"module": "sqlite_memory", "connection_refresh": -5}, "bad.connection_refresh"),
        ({"module": "sqlite_memory", "host": "x"}, "bad.host: unknown key"),
    ],
)
def test_bad_settings_are_config_errors(
    make_component: Callable[..., Any], settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as err:
        make_component(ORM_DB, bad=settings)
    assert all(p.startswith("component.orm_db.bad") for p in err.value.problems)


def test_info_masks_passwords(make_component: Callable[..., Any]) -> None:
    orm = make_component(
        ORM_DB,
        db={
            "module": "postgresql",
            "host": "127.0.0.1",
            "db_name": "test",
            "user": "postgres",
            "password": "s3cret",
        },
        mem={"module": "sqlite_memory"},
    )
    info = orm.info()["info"]
    assert "s3cret" not in json.dumps(info)
    assert info["db"]["password"] == "***"
    assert info["db"]["port"] == 5432
    assert info["mem"] == {
        "module": "sqlite_memory",
        "worker": 1,
        "connection_refresh": 30.0,
        "initialized": False,
    }
    assert orm.get_db_settings("db")["password"] == "s3cret"


async def test_dispose_finishes_and_closes_the_pools(
    make_component: Callable[..., Any], tmp_path: Path
) -> None:
    orm = make_component(ORM_DB, db={"module": "sqlite", "file_name": str(tmp_path / "x.db")})
    base, _, accessor = people_model()
    orm.init_db_declarative_base("db", base)
    await orm.run_accessor_async("db", accessor.select)
    pool = orm.get_pool_obj("db")
    await dispose(orm, None)
    orm.disposed = True
    assert orm.get_pool_obj("db") is None
    with pytest.raises(RuntimeError):
        pool.run_method(accessor.select)
