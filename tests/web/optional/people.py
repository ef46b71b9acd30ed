"""The entity of the orm_db tests: the seed's PersonEntity, one table (and base) per test."""

# No `from __future__ import annotations`: the entity class is made later, when a test calls
# people_model(), and SQLAlchemy would then resolve its string annotations through
# sys.modules[__name__], which loading a project may have purged (web/_reserved.py).
import uuid
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy import Column, DateTime, Integer, String

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor, get_declarative_base

__all__ = ["GenderType", "people_model"]


class GenderType(Enum):
    Male = "male"
    Female = "female"


def people_model(table: str | None = None) -> tuple[Any, type, OrmDBEntityAccessor[Any]]:
    """`(DeclarativeBase, PersonEntity, accessor)` for a table of this test's own."""
    table = table or f"person_{uuid.uuid4().hex[:12]}"
    base = get_declarative_base(f"hostray-test-{table}")

    class PersonEntity(base, EntityBaseAddon):  # type: ignore[misc,valid-type]
        __tablename__ = table

        id = Column(Integer, primary_key=True, autoincrement=True)
        name = Column(String(40), nullable=False)
        age = Column(Integer, nullable=False)
        gender = Column(String(6), nullable=False)
        secret = Column(String(40))
        note = Column(String(100))
        schedule = Column(DateTime, default=datetime.now)

        column_type_validations: ClassVar[dict[str, Any]] = {"gender": GenderType}
        column_fix: ClassVar[list[str]] = ["name"]
        client_excluded_columns: ClassVar[list[str]] = ["secret"]

    return base, PersonEntity, OrmDBEntityAccessor(PersonEntity)
