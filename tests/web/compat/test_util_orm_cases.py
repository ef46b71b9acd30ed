"""0.7.5's library test case `unit_test/util_orm.py`, as our own checks through
`hostray.util.orm`: an accessor on a plain session and on an `OrmAccessWorkerPool` (free and
reserved workers, sync and async), fixed and validated columns refused and rolled back,
hidden columns absent from `to_client_dict()`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import pytest
from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import Session

from hostray.util.orm import (
    DB_MODULE_NAME,
    EntityBaseAddon,
    OrmAccessWorkerPool,
    OrmDBEntityAccessor,
    get_declarative_base,
    get_session_maker,
)

Base = get_declarative_base(f"compat-util-orm-{uuid.uuid4().hex}")


class GenderType(Enum):
    Male = "male"
    Female = "female"


class SampleEntity(Base, EntityBaseAddon):  # type: ignore[misc,valid-type]
    __tablename__ = "test"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)
    age = Column(Integer, nullable=False)
    gender = Column(String(6), nullable=False)
    secret = Column(String(40))
    note = Column(String(100))
    schedule = Column(DateTime, default=datetime.now)

    column_type_validations: ClassVar[dict[str, Any]] = {"gender": GenderType}
    column_fix: ClassVar[list[str]] = ["name"]
    client_excluded_columns: ClassVar[list[str]] = ["secret"]


class SampleAccessor(OrmDBEntityAccessor[SampleEntity]):
    def __init__(self) -> None:
        super().__init__(SampleEntity)


FIELDS = {"name": "someone", "secret": "my secret", "note": "this is note"}


def check(entity: Any, age: int, gender: str) -> None:
    assert (entity.name, entity.age, entity.gender) == ("someone", age, gender)
    assert (entity.secret, entity.note) == ("my secret", "this is note")


def test_accessor_on_a_session() -> None:
    sess = get_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, Base)()
    assert isinstance(sess, Session)
    accessor = SampleAccessor()
    try:
        entity = accessor.add(sess, age=30, gender="male", **FIELDS)
        check(entity, 30, "male")
        accessor.save(sess)
        accessor.refresh(sess, entity)
        accessor.set_attribute(sess, entity, age=50, gender="female")
        check(entity, 50, "female")
        with pytest.raises(ValueError, match="name"):
            accessor.set_attribute(sess, entity, name="sometwo")
        accessor.rollback(sess)
        accessor.refresh(sess, entity)
        assert entity.name == "someone"
        assert "secret" in entity.to_dict()
        assert "secret" not in entity.to_client_dict()
    finally:
        sess.close()


@pytest.fixture
def pool() -> Iterator[OrmAccessWorkerPool]:
    db_pool = OrmAccessWorkerPool()
    db_pool.set_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, Base)
    yield db_pool
    db_pool.dispose()


def test_accessor_on_a_pool_with_a_reserved_worker(pool: OrmAccessWorkerPool) -> None:
    accessor = SampleAccessor()
    entity = pool.run_method(accessor.add, age=50, gender="male", **FIELDS)
    check(entity, 50, "male")
    pool.run_method(accessor.save)
    with pool.reserve_worker() as identity:
        pool.run_method(accessor.set_attribute, entity, age=18, identity=identity)
        check(entity, 18, "male")
        pool.run_method(accessor.flush, identity=identity)
        with pytest.raises(ValueError, match="gender"):
            pool.run_method(accessor.set_attribute, entity, gender="Gender", identity=identity)
        pool.run_method(accessor.rollback, identity=identity)
        pool.run_method(accessor.refresh, entity, identity=identity)
        check(entity, 50, "male")


async def test_accessor_on_a_pool_async(pool: OrmAccessWorkerPool) -> None:
    accessor = SampleAccessor()
    await pool.reset_connection_async()
    pool.run_method(accessor.add, age=50, gender="female", **FIELDS)
    pool.run_method(accessor.save)
    async with pool.reserve_worker_async() as identity:
        entity = await pool.run_method_async(accessor.load, identity=identity, name="someone")
        check(entity, 50, "female")
        await pool.run_method_async(accessor.set_attribute, entity, age=18, identity=identity)
        check(entity, 18, "female")
        pool.run_method(accessor.flush, identity=identity)
        with pytest.raises(ValueError, match="gender"):
            await pool.run_method_async(
                accessor.set_attribute, entity, gender="Gender", identity=identity
            )
        await pool.run_method_async(accessor.rollback, identity=identity)
        await pool.run_method_async(accessor.refresh, entity, identity=identity)
        check(entity, 50, "female")
