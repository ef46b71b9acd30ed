"""The four databases every ORM test runs on, and a fresh schema (own base, own table) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import DATABASES, SERVERS, Database, Schema, drop_schema, make_database, make_schema


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    return make_database(request.param, request, tmp_path)


@pytest.fixture(params=SERVERS)
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    return make_database(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite_file", *SERVERS])
def shared_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """A database that several engines (or processes) reach: not the in-memory one."""
    return make_database(request.param, request, tmp_path)


@pytest.fixture
def schema(db: Database) -> Iterator[Schema]:
    made = make_schema()
    yield made
    drop_schema(db, made)
