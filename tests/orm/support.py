"""Helpers of the ORM tests: the databases they run on and a fresh schema (own base, own table)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Column, DateTime, Engine, Integer, String

from hostray.orm import DB_MODULE_NAME, EntityBaseAddon, create_orm_engine, get_declarative_base

DATABASES = ["sqlite_memory", "sqlite_file", "mysql", "postgresql"]
SERVERS = ["mysql", "postgresql"]


@dataclass
class Database:
    """Where a test's tables live: the module and the parameters `get_session_maker` takes."""

    name: str
    module: DB_MODULE_NAME
    params: dict[str, Any] = field(default_factory=dict)

    def engine(self, **kwargs: Any) -> Engine:
        return create_orm_engine(self.module, **self.params, **kwargs)

    @property
    def backend_id_sql(self) -> str:
        """SQL answering the server-side id of the connection it runs on."""
        if self.module is DB_MODULE_NAME.MYSQL:
            return "SELECT CONNECTION_ID()"
        return "SELECT pg_backend_pid()"

    def kill(self, backend_id: int) -> None:
        """Drop a connection on the server side, as an administrator would."""
        engine = self.engine()
        try:
            with engine.connect() as conn:
                if self.module is DB_MODULE_NAME.MYSQL:
                    conn.exec_driver_sql(f"KILL {int(backend_id)}")
                else:
                    # waits (up to 5 s) until the backend is gone, as KILL does
                    conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend_id)}, 5000)")
        finally:
            engine.dispose()


def server_params(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    params: dict[str, Any] = {
        "host": parts.hostname,
        "port": parts.port,
        "db_name": parts.path.lstrip("/"),
        "user": parts.username,
    }
    if parts.password:
        params["password"] = parts.password
    return params


def make_database(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if name == "sqlite_memory":
        return Database(name, DB_MODULE_NAME.SQLITE_MEMORY)
    if name == "sqlite_file":
        return Database(name, DB_MODULE_NAME.SQLITE_FILE, {"file_name": str(tmp_path / "orm.db")})
    url = request.getfixturevalue(f"{name}_url")
    return Database(name, DB_MODULE_NAME(name), server_params(url))


class GenderType(Enum):
    Male = "male"
    Female = "female"


@dataclass
class Schema:
    """A declarative base of the test's own, holding one `Person` entity in a unique table."""

    base: Any
    person: Any
    table: str


def make_schema() -> Schema:
    key = uuid.uuid4().hex[:10]
    base = get_declarative_base(f"tests.orm.{key}")

    class Person(base, EntityBaseAddon):  # type: ignore[misc, valid-type]
        __tablename__ = f"person_{key}"

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

    return Schema(base, Person, Person.__tablename__)


def drop_schema(db: Database, schema: Schema) -> None:
    """Drop the schema's tables (an in-memory database disappears with its engine)."""
    if db.module is DB_MODULE_NAME.SQLITE_MEMORY:
        return
    engine = db.engine()
    try:
        schema.base.metadata.drop_all(engine)
    finally:
        engine.dispose()
