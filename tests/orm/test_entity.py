"""EntityBaseAddon: column lists, argument filters, validation naming the column, dict forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, ClassVar

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, String
from sqlalchemy.orm import Session

from hostray.orm import (
    DB_MODULE_NAME,
    EntityBaseAddon,
    EntityValidationError,
    get_declarative_base,
    get_session_maker,
)

from .support import GenderType, Schema, make_schema


@pytest.fixture
def memory() -> Iterator[tuple[Schema, Session]]:
    schema = make_schema()
    maker = get_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, schema.base)
    with maker() as sess:
        yield schema, sess


def saved_person(schema: Schema, sess: Session, **values: object) -> Any:
    person = schema.person(**{"name": "ann", "age": 30, "gender": "female", **values})
    sess.add(person)
    sess.commit()
    return person


def test_get_declarative_base_is_one_base_per_key() -> None:
    assert get_declarative_base("tests.orm.same") is get_declarative_base("tests.orm.same")
    assert get_declarative_base("tests.orm.same") is not get_declarative_base("tests.orm.other")


def test_column_lists_follow_declaration_order() -> None:
    person = make_schema().person
    assert person.columns() == ["id", "name", "age", "gender", "secret", "note", "schedule"]
    assert person.primary_keys() == ["id"]
    assert person.non_primary_keys() == ["name", "age", "gender", "secret", "note", "schedule"]


def test_argument_filters_split_kwargs_by_column() -> None:
    person = make_schema().person
    kwargs = {"id": 3, "name": "x", "page": 2}
    assert person.get_primary_key_args(**kwargs) == {"id": 3}
    assert person.get_non_primary_key_args(**kwargs) == {"name": "x"}
    assert person.get_entity_args(**kwargs) == {"id": 3, "name": "x"}
    assert person.get_non_entity_args(**kwargs) == {"page": 2}


def test_saved_entity_knows_its_identity(memory: tuple[Schema, Session]) -> None:
    schema, sess = memory
    person = saved_person(schema, sess)
    assert person.identity == (person.id,)
    assert person.primary_key_args == {"id": person.id}
    assert person.non_primary_key_args["name"] == "ann"


def test_to_dict_formats_datetimes_and_client_dict_hides_secrets(
    memory: tuple[Schema, Session],
) -> None:
    schema, sess = memory
    when = datetime(2019, 12, 16, 17, 49, 28, 385881)
    person = saved_person(schema, sess, secret="s", schedule=when)
    as_dict = person.to_dict()
    assert as_dict["schedule"] == "2019-12-16 17:49:28.385881"
    assert as_dict["secret"] == "s"
    client = person.to_client_dict()
    assert "secret" not in client
    assert client == {k: v for k, v in as_dict.items() if k != "secret"}


def test_whole_second_datetimes_keep_the_microsecond_format(
    memory: tuple[Schema, Session],
) -> None:
    schema, sess = memory
    person = saved_person(schema, sess, schedule=datetime(2020, 1, 2, 3, 4, 5))
    assert person.to_dict()["schedule"] == "2020-01-02 03:04:05.000000"


def test_dt_converter_is_replaceable() -> None:
    class Dotnet:
        @staticmethod
        def datetime_to_str(dt: datetime) -> str:
            return dt.strftime("%Y-%m-%dT%H:%M:%S")

    base = get_declarative_base("tests.orm.converter")

    class Event(base, EntityBaseAddon):  # type: ignore[misc, valid-type]
        __tablename__ = "event"
        id = Column(Integer, primary_key=True)
        at = Column(DateTime)
        day = Column(Date)
        dt_converter = Dotnet

    event = Event(id=1, at=datetime(2019, 12, 17, 12, 2, 58), day=date(2020, 2, 29))
    assert event.to_dict() == {"id": 1, "at": "2019-12-17T12:02:58", "day": "2020-02-29"}
    assert Event(id=2).to_dict() == {"id": 2, "at": None, "day": None}


def test_equals_compares_class_and_values(memory: tuple[Schema, Session]) -> None:
    schema, sess = memory
    person = saved_person(schema, sess)
    twin = schema.person(**person.to_dict() | {"schedule": person.schedule})
    assert person.equals(twin)
    twin.age = 31
    assert not person.equals(twin)
    assert not person.equals(person.to_dict())


def test_unknown_column_is_named(memory: tuple[Schema, Session]) -> None:
    schema, _ = memory
    with pytest.raises(EntityValidationError, match="unknown column 'nickname'") as caught:
        schema.person().parameter_validation(check_fix=False, nickname="x")
    assert caught.value.column == "nickname"
    assert "secret" not in str(caught.value)  # client_excluded_columns are never listed
    assert schema.person.client_columns() == ["id", "name", "age", "gender", "note", "schedule"]
    assert isinstance(caught.value, ValueError)


def test_value_outside_the_enum_names_column_and_allowed_values(
    memory: tuple[Schema, Session],
) -> None:
    schema, _ = memory
    with pytest.raises(EntityValidationError) as caught:
        schema.person().parameter_validation(check_fix=False, gender="robot")
    assert caught.value.column == "gender"
    message = str(caught.value)
    assert "'robot'" in message and "'male'" in message and "'female'" in message
    assert "\n" not in message


def test_enum_members_are_accepted(memory: tuple[Schema, Session]) -> None:
    schema, _ = memory
    schema.person().parameter_validation(check_fix=False, gender=GenderType.Male)
    schema.person().parameter_validation(check_fix=False, gender="female")


def test_fixed_column_may_not_change_after_insert(memory: tuple[Schema, Session]) -> None:
    schema, sess = memory
    person = saved_person(schema, sess)
    with pytest.raises(EntityValidationError, match=re.escape(".name is fixed")) as caught:
        person.parameter_validation(name="bob")
    assert caught.value.column == "name"
    person.parameter_validation(name="ann")  # unchanged value: no change at all
    person.parameter_validation(check_fix=False, name="bob")


def test_datetime_column_needs_an_iso_string(memory: tuple[Schema, Session]) -> None:
    schema, _ = memory
    schema.person().parameter_validation(check_fix=False, schedule="2019-12-17T12:02:58")
    with pytest.raises(EntityValidationError, match="schedule") as caught:
        schema.person().parameter_validation(check_fix=False, schedule="next tuesday")
    assert caught.value.column == "schedule"


def test_validation_by_a_callable() -> None:
    base = get_declarative_base("tests.orm.callable")

    class Item(base, EntityBaseAddon):  # type: ignore[misc, valid-type]
        __tablename__ = "item"
        id = Column(Integer, primary_key=True)
        code = Column(String(8))
        column_type_validations: ClassVar[dict[str, Any]] = {"code": int}

    Item().parameter_validation(code="42")
    with pytest.raises(EntityValidationError, match=r"item\.code: 'x1' is not a valid int"):
        Item().parameter_validation(code="x1")


def test_a_declarative_scope_declares_the_same_table_again_on_a_base_of_its_own() -> None:
    from sqlalchemy import Column, Integer

    from hostray.orm import declarative_scope, declared_bases, get_declarative_base

    loads = []
    for _ in range(2):
        with declarative_scope({}) as bases:
            base = get_declarative_base("scoped_reload")
            assert get_declarative_base("scoped_reload") is base
            type(
                "Row",
                (base,),
                {"__tablename__": "scoped_rows", "id": Column(Integer, primary_key=True)},
            )
            assert declared_bases() == {"scoped_reload": base}
        loads.append(bases["scoped_reload"])
    assert loads[0] is not loads[1]
    assert "scoped_reload" not in declared_bases()  # the process registry is untouched
