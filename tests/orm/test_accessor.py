"""OrmDBEntityAccessor on a session of one's own, on each of the four databases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hostray.orm import EntityValidationError, OrmDBEntityAccessor, get_session_maker

from .support import Database, GenderType, Schema


@pytest.fixture
def maker(db: Database, schema: Schema) -> Iterator[sessionmaker[Session]]:
    made = get_session_maker(db.module, schema.base, **db.params)
    yield made
    made.kw["bind"].dispose()


@pytest.fixture
def sess(maker: sessionmaker[Session]) -> Iterator[Session]:
    with maker() as opened:
        yield opened


@pytest.fixture
def accessor(schema: Schema) -> OrmDBEntityAccessor[Any]:
    return OrmDBEntityAccessor(schema.person)


def add_people(accessor: OrmDBEntityAccessor[Any], sess: Session) -> None:
    for name, age, gender in [("ann", 30, "female"), ("bob", 25, "male"), ("cy", 41, "male")]:
        accessor.add(sess, name=name, age=age, gender=gender)
    accessor.save(sess)


def names(people: list[Any]) -> list[str]:
    return [p.name for p in people]


def test_add_save_and_load_in_another_session(
    accessor: OrmDBEntityAccessor[Any], sess: Session, maker: sessionmaker[Session]
) -> None:
    entity = accessor.add(sess, name="ann", age=30, gender=GenderType.Female, note="n")
    accessor.save(sess)
    assert entity.id is not None
    assert entity.gender == "female"
    with maker() as other:
        loaded = accessor.load(other, id=entity.id)
        assert loaded is not None
        # refresh: what the database stored (MySQL DATETIME keeps no microseconds)
        assert loaded.to_dict() == accessor.refresh(sess, entity).to_dict()
        assert accessor.load(other, name="nobody") is None


def test_select_filters_orders_and_limits(
    accessor: OrmDBEntityAccessor[Any], sess: Session
) -> None:
    add_people(accessor, sess)
    assert names(accessor.select(sess, order_by="age")) == ["bob", "ann", "cy"]
    assert names(accessor.select(sess, order_by="-age", limit=2)) == ["cy", "ann"]
    assert names(accessor.select(sess, order_by="age", limit=1, offset=1)) == ["ann"]
    assert names(accessor.select(sess, gender="male", order_by=["-name"])) == ["cy", "bob"]
    assert accessor.select(sess, gender="robot") == []


@pytest.mark.parametrize("call", ["load", "select", "order_by"])
def test_unknown_filter_or_order_column_is_named(
    accessor: OrmDBEntityAccessor[Any], sess: Session, call: str
) -> None:
    with pytest.raises(EntityValidationError, match="unknown column 'height'") as caught:
        if call == "load":
            accessor.load(sess, height=3)
        elif call == "select":
            accessor.select(sess, height=3)
        else:
            accessor.select(sess, order_by="-height")
    assert caught.value.column == "height"
    assert "secret" not in str(caught.value)  # client_excluded_columns are never listed
    assert "note" in str(caught.value)


def test_set_attribute_validates_everything_before_changing_anything(
    accessor: OrmDBEntityAccessor[Any], sess: Session, maker: sessionmaker[Session]
) -> None:
    entity = accessor.add(sess, name="ann", age=30, gender="female")
    accessor.save(sess)
    with pytest.raises(EntityValidationError) as caught:
        accessor.set_attribute(sess, entity, age=31, gender="robot")
    assert caught.value.column == "gender"
    assert entity.age == 30
    accessor.set_attribute(sess, entity, age=31, schedule="2020-01-02T03:04:05")
    accessor.save(sess)
    with maker() as other:
        stored = accessor.load(other, id=entity.id)
        assert stored is not None
        assert (stored.age, stored.to_dict()["schedule"]) == (31, "2020-01-02 03:04:05.000000")


def test_session_stays_usable_after_bad_input_and_rollback(
    accessor: OrmDBEntityAccessor[Any], sess: Session
) -> None:
    """The seed's flow: a fixed column refused, rollback, refresh: the stored values are back."""
    entity = accessor.add(sess, name="someone", age=30, gender="male")
    accessor.save(sess)
    accessor.refresh(sess, entity)
    accessor.set_attribute(sess, entity, age=50, gender="female")
    with pytest.raises(EntityValidationError, match="name"):
        accessor.set_attribute(sess, entity, name="sometwo")
    accessor.rollback(sess)
    accessor.refresh(sess, entity)
    assert (entity.name, entity.age, entity.gender) == ("someone", 30, "male")
    with pytest.raises(EntityValidationError, match="nickname"):
        accessor.add(sess, name="x", age=1, gender="male", nickname="y")
    assert not sess.new
    accessor.add(sess, name="next", age=2, gender="male")
    accessor.save(sess)
    assert names(accessor.select(sess, order_by="id")) == ["someone", "next"]


def test_failed_save_rolls_back_and_the_session_goes_on(
    accessor: OrmDBEntityAccessor[Any], sess: Session
) -> None:
    first = accessor.add(sess, name="a", age=1, gender="male")
    accessor.save(sess)
    sess.expunge(first)
    accessor.add(sess, id=first.id, name="dup", age=2, gender="male")
    with pytest.raises(IntegrityError):
        accessor.save(sess)
    assert not sess.new
    accessor.add(sess, name="b", age=3, gender="female")
    accessor.save(sess)
    assert names(accessor.select(sess, order_by="id")) == ["a", "b"]


def test_flush_sends_changes_that_rollback_discards(
    accessor: OrmDBEntityAccessor[Any], sess: Session, maker: sessionmaker[Session]
) -> None:
    accessor.add(sess, name="tmp", age=1, gender="male")
    accessor.flush(sess)
    assert names(accessor.select(sess)) == ["tmp"]
    accessor.rollback(sess)
    assert accessor.select(sess) == []


def test_delete_one_or_many(accessor: OrmDBEntityAccessor[Any], sess: Session) -> None:
    add_people(accessor, sess)
    accessor.delete(sess, accessor.load(sess, name="ann"))
    accessor.save(sess)
    assert names(accessor.select(sess, order_by="name")) == ["bob", "cy"]
    accessor.delete(sess, accessor.select(sess))
    accessor.save(sess)
    assert accessor.select(sess) == []


def test_merge_updates_or_adds(accessor: OrmDBEntityAccessor[Any], sess: Session) -> None:
    entity = accessor.add(sess, name="ann", age=30, gender="female")
    accessor.save(sess)
    merged = accessor.merge(sess, id=entity.id, name="ann", age=33, gender="female")
    added = accessor.merge(sess, name="new", age=1, gender="male")
    accessor.save(sess)
    assert merged is entity and entity.age == 33
    assert names(accessor.select(sess, order_by="id")) == ["ann", "new"]
    assert added.id is not None


def test_entities_move_between_sessions(
    accessor: OrmDBEntityAccessor[Any], maker: sessionmaker[Session]
) -> None:
    """An entity from a closed session is taken up by the next one (how pool workers share them)."""
    with maker() as first:
        entity = accessor.add(first, name="ann", age=30, gender="female")
        accessor.save(first)
    with maker() as second:
        accessor.set_attribute(second, entity, age=44)
        accessor.save(second)
    with maker() as third:
        assert accessor.refresh(third, entity).age == 44
        accessor.delete(third, entity)
        accessor.save(third)
        assert accessor.select(third) == []


def test_close_session_releases_pending_work(
    accessor: OrmDBEntityAccessor[Any], maker: sessionmaker[Session]
) -> None:
    sess = maker()
    accessor.add(sess, name="never", age=1, gender="male")
    accessor.flush(sess)
    accessor.close_session(sess)
    with maker() as other:
        assert accessor.select(other) == []


def test_set_orm_engine_gives_the_accessor_sessions(db: Database, schema: Schema) -> None:
    accessor = OrmDBEntityAccessor(schema.person)
    accessor.set_orm_engine(db.module, schema.base, **db.params)
    assert accessor.session_maker is not None
    try:
        with accessor.session_maker() as sess:
            accessor.add(sess, name="own", age=1, gender="male")
            accessor.save(sess)
            assert names(accessor.select(sess)) == ["own"]
    finally:
        accessor.session_maker.kw["bind"].dispose()


def test_accessor_without_entity_class_says_so() -> None:
    with pytest.raises(RuntimeError, match="set_entity_cls"):
        OrmDBEntityAccessor().load(None, id=1)  # type: ignore[arg-type]
