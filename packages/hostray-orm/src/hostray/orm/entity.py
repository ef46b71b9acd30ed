"""`EntityBaseAddon`: the helpers an entity class mixes in next to its declarative base.

It knows the entity's columns, checks values before they are set (unknown columns, values outside
an allowed set, changes to fixed columns) and turns an entity into a JSON-ready dict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any, ClassVar, NamedTuple, Protocol
from weakref import WeakKeyDictionary

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ColumnProperty, Mapper

from .errors import EntityValidationError

__all__ = [
    "DatetimeConverter",
    "EntityBaseAddon",
    "LegacyDatetimeConverter",
    "PyDatetimeConverter",
]

_MISSING = object()


class DatetimeConverter(Protocol):
    """What `EntityBaseAddon.dt_converter` must offer (hostray.config's PY_DT_Converter fits);
    a 0.7.5 converter that has only `dt_to_str(dt)` is accepted too."""

    def datetime_to_str(self, dt: datetime, /) -> str: ...


class LegacyDatetimeConverter(Protocol):
    """A 0.7.5 datetime converter (its `DATETIME_TYPE` members, or an object of your own)."""

    def dt_to_str(self, dt: datetime, /) -> str: ...


def _datetime_text(converter: Any, dt: datetime) -> str:
    """`dt` through `converter`'s `datetime_to_str`, or 0.7.5's `dt_to_str`."""
    to_str = getattr(converter, "datetime_to_str", None) or getattr(converter, "dt_to_str", None)
    if to_str is None:
        raise TypeError(
            f"dt_converter {converter!r} has neither datetime_to_str(dt) nor dt_to_str(dt)"
        )
    return str(to_str(dt))


class PyDatetimeConverter:
    """Datetimes as Python prints them, '2019-12-16 17:49:28.385881': the seed's to_dict output."""

    @staticmethod
    def datetime_to_str(dt: datetime, /) -> str:
        return dt.isoformat(sep=" ", timespec="microseconds")


class _Layout(NamedTuple):
    """What an entity class's mapper says about its columns, looked up once per class."""

    columns: tuple[str, ...]
    primary: tuple[str, ...]
    non_primary: tuple[str, ...]
    properties: dict[str, ColumnProperty[Any]]
    temporal: dict[str, type]
    """Column -> date or datetime, for the columns that take ISO strings."""

    @classmethod
    def of(cls, entity_cls: type) -> _Layout:
        mapper: Mapper[Any] = sa_inspect(entity_cls)
        properties = {prop.key: prop for prop in mapper.column_attrs}
        primary = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
        non_primary = tuple(key for key in properties if key not in primary)
        temporal = {}
        for key, prop in properties.items():
            try:
                python_type = prop.columns[0].type.python_type
            except NotImplementedError:
                continue
            if python_type in (date, datetime):
                temporal[key] = python_type
        return cls(tuple(properties), primary, non_primary, properties, temporal)


_layouts: WeakKeyDictionary[type, _Layout] = WeakKeyDictionary()


class EntityBaseAddon:
    """Helpers for entity classes: `class Person(get_declarative_base(), EntityBaseAddon)`."""

    column_type_validations: ClassVar[Mapping[str, Any]] = {}
    """Column -> Enum whose values the column accepts (or a callable that raises on bad values)."""

    column_fix: ClassVar[list[str]] = []
    """Columns that may not change once the entity is inserted."""

    client_excluded_columns: ClassVar[list[str]] = []
    """Columns left out of `to_client_dict()`."""

    dt_converter: ClassVar[DatetimeConverter | LegacyDatetimeConverter] = PyDatetimeConverter
    """Turns datetime values into strings in `to_dict()`."""

    @classmethod
    def _layout(cls) -> _Layout:
        layout = _layouts.get(cls)
        if layout is None:
            layout = _layouts[cls] = _Layout.of(cls)
        return layout

    @classmethod
    def _table_name(cls) -> str:
        return str(getattr(cls, "__tablename__", cls.__name__))

    @classmethod
    def columns(cls) -> list[str]:
        """Attribute names of the entity's columns, in declaration order."""
        return list(cls._layout().columns)

    @classmethod
    def client_columns(cls) -> list[str]:
        """`columns()` without the `client_excluded_columns`: what an error message may list."""
        excluded = set(cls.client_excluded_columns)
        return [name for name in cls._layout().columns if name not in excluded]

    @classmethod
    def primary_keys(cls) -> list[str]:
        """Attribute names of the primary key columns."""
        return list(cls._layout().primary)

    @classmethod
    def non_primary_keys(cls) -> list[str]:
        """Attribute names of the columns outside the primary key."""
        return list(cls._layout().non_primary)

    @classmethod
    def get_primary_key_args(cls, **kwargs: Any) -> dict[str, Any]:
        """The items of `kwargs` that name primary key columns."""
        keys = cls._layout().primary
        return {k: v for k, v in kwargs.items() if k in keys}

    @classmethod
    def get_non_primary_key_args(cls, **kwargs: Any) -> dict[str, Any]:
        """The items of `kwargs` that name columns outside the primary key."""
        keys = cls._layout().non_primary
        return {k: v for k, v in kwargs.items() if k in keys}

    @classmethod
    def get_entity_args(cls, **kwargs: Any) -> dict[str, Any]:
        """The items of `kwargs` that name columns."""
        keys = cls._layout().properties
        return {k: v for k, v in kwargs.items() if k in keys}

    @classmethod
    def get_non_entity_args(cls, **kwargs: Any) -> dict[str, Any]:
        """The items of `kwargs` that name no column."""
        keys = cls._layout().properties
        return {k: v for k, v in kwargs.items() if k not in keys}

    @property
    def identity(self) -> tuple[Any, ...]:
        """The primary key values, in primary key order."""
        return tuple(getattr(self, key) for key in self.primary_keys())

    @property
    def str_identity(self) -> str:
        """The primary key values as a JSON list of strings, e.g. '["7"]' (0.7.5's form)."""
        return json.dumps([str(value) for value in self.identity])

    @property
    def primary_key_args(self) -> dict[str, Any]:
        """Primary key column -> value."""
        return {key: getattr(self, key) for key in self.primary_keys()}

    @property
    def non_primary_key_args(self) -> dict[str, Any]:
        """Column outside the primary key -> value."""
        return {key: getattr(self, key) for key in self.non_primary_keys()}

    def parameter_validation(self, check_fix: bool = True, **kwargs: Any) -> None:
        """Raise `EntityValidationError` naming the column if a value in `kwargs` may not be set.

        With `check_fix`, a new value for a `column_fix` column is refused (inserts pass False).
        """
        self._checked_values(check_fix, kwargs)

    def _checked_values(self, check_fix: bool, values: Mapping[str, Any]) -> dict[str, Any]:
        """`values` validated and converted for assignment: Enum members become their values,
        ISO strings for date/datetime columns become dates and datetimes."""
        layout = self._layout()
        loaded = sa_inspect(self).dict
        checked: dict[str, Any] = {}
        for key, value in values.items():
            prop = layout.properties.get(key)
            if prop is None:
                raise EntityValidationError(
                    key,
                    f"{self._table_name()}: unknown column {key!r} "
                    f"(columns: {', '.join(self.client_columns())})",
                )
            new = self._allowed(key, prop, value)
            if isinstance(new, str) and key in layout.temporal:
                new = self._parsed(key, layout.temporal[key], new)
            if check_fix and key in self.column_fix and loaded.get(key, _MISSING) != new:
                raise EntityValidationError(
                    key, f"{self._table_name()}.{key} is fixed: it may not change after insert"
                )
            checked[key] = new
        return checked

    def _allowed(self, key: str, prop: ColumnProperty[Any], value: Any) -> Any:
        validation = self.column_type_validations.get(key)
        if validation is None or (value is None and prop.columns[0].nullable):
            return value
        where = f"{self._table_name()}.{key}"
        if isinstance(validation, type) and issubclass(validation, Enum):
            if isinstance(value, validation):
                return value.value
            allowed = [member.value for member in validation]
            if value not in allowed:
                choices = ", ".join(repr(v) for v in allowed)
                raise EntityValidationError(key, f"{where}: {value!r} is not one of {choices}")
            return value
        try:
            validation(value)
        except Exception as exc:
            name = getattr(validation, "__name__", repr(validation))
            raise EntityValidationError(key, f"{where}: {value!r} is not a valid {name}") from exc
        return value

    def _parsed(self, key: str, kind: type, text: str) -> Any:
        try:
            return datetime.fromisoformat(text) if kind is datetime else date.fromisoformat(text)
        except ValueError:
            raise EntityValidationError(
                key, f"{self._table_name()}.{key}: {text!r} is not an ISO {kind.__name__}"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """Column -> value, datetimes as strings through `dt_converter`, dates and times in ISO."""
        return {key: self._serializable(getattr(self, key)) for key in self._layout().columns}

    def to_client_dict(self) -> dict[str, Any]:
        """`to_dict()` without the `client_excluded_columns`."""
        excluded = set(self.client_excluded_columns)
        return {k: v for k, v in self.to_dict().items() if k not in excluded}

    def _serializable(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return _datetime_text(type(self).dt_converter, value)
        if isinstance(value, date | time):
            return value.isoformat()
        return value

    def equals(self, r: object) -> bool:
        """True when `r` is an entity of the same class with the same column values."""
        return (
            type(r) is type(self)
            and isinstance(r, EntityBaseAddon)
            and r.to_dict() == self.to_dict()
        )
