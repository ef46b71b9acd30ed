"""A REST resource on orm_db, served by HostrayServer, against SQLite, MariaDB and PostgreSQL;
and a project with all three optional components."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from hostray.web.pytest_plugin import HostrayClient, RunningServer

from .http_server import echo_server
from .orm_project import db_settings, write_project
from .redis_server import free_port

SQLALCHEMY_DRIVERS = {"mysql": "mysql+pymysql", "postgresql": "postgresql+psycopg"}


def sqlalchemy_url(settings: dict[str, Any], root: Path) -> str:
    if settings["module"] == "sqlite":
        return f"sqlite:///{root / settings['file_name']}"
    driver = SQLALCHEMY_DRIVERS[settings["module"]]
    password = f":{settings['password']}" if settings["password"] else ""
    return (
        f"{driver}://{settings['user']}{password}@{settings['host']}:{settings['port']}/"
        f"{settings['db_name']}"
    )


@pytest.fixture(params=["sqlite", "mysql", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[dict[str, Any], str, str]]:
    """`(orm_db settings, table, SQLAlchemy URL)`; the table is dropped afterwards."""
    kind = request.param
    if kind == "sqlite":
        settings: dict[str, Any] = {"module": "sqlite", "worker": 2, "file_name": "people.db"}
    else:
        url = request.getfixturevalue(f"{kind}_url")
        settings = db_settings(url, kind)
    table = f"person_{uuid.uuid4().hex[:12]}"
    url = sqlalchemy_url(settings, tmp_path / "proj")
    yield settings, table, url
    if kind != "sqlite":
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def rows(url: str, table: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(table):
                return []
            result = conn.execute(text(f"SELECT id, name, age, gender FROM {table} ORDER BY id"))
            return [dict(row._mapping) for row in result]
    finally:
        engine.dispose()


async def test_rest_resource(
    hostray_server_factory: Callable[..., RunningServer],
    tmp_path: Path,
    database: tuple[dict[str, Any], str, str],
) -> None:
    settings, table, url = database
    project = write_project(tmp_path / "proj", table, {"orm_db": {"db": settings}})
    client = HostrayClient(hostray_server_factory(project).base_url)

    created = await client.post(
        "/people", json={"name": "ada", "age": 36, "gender": "female", "secret": "s"}
    )
    assert created.code == 201, created.body
    person = json.loads(created.body)
    assert (person["name"], person["age"], person["gender"]) == ("ada", 36, "female")
    assert "secret" not in person
    path = f"/people/{person['id']}"

    read = json.loads((await client.get(path)).body)
    read.pop("schedule"), person.pop("schedule")  # MySQL DATETIME drops the microseconds
    assert read == person
    updated = await client.put(path, json={"age": 37})
    assert updated.code == 200 and json.loads(updated.body)["age"] == 37

    for change, column in (
        ({"name": "bob"}, "name"),  # fixed column
        ({"gender": "other"}, "gender"),  # outside the allowed values
        ({"nickname": "x"}, "nickname"),  # unknown column
        ({"age": 40, "gender": "robot"}, "gender"),  # nothing is applied when one value is bad
    ):
        refused = await client.put(path, json=change)
        assert refused.code == 400, refused.body
        assert refused.body.decode().startswith("400 Bad Request")
        assert repr(column) in refused.body.decode() or f".{column}" in refused.body.decode()
        assert "secret" not in refused.body.decode()  # a client_excluded_columns column
    bad_insert = await client.post(
        "/people", json={"name": "eve", "age": 1, "gender": "female", "nickname": "e"}
    )
    assert bad_insert.code == 400 and "'nickname'" in bad_insert.body.decode()
    assert "secret" not in bad_insert.body.decode()

    assert rows(url, table) == [{"id": person["id"], "name": "ada", "age": 37, "gender": "female"}]
    assert (await client.get(path)).code == 200

    assert (await client.delete(path)).code == 204
    assert (await client.get(path)).code == 404
    listing = json.loads((await client.get("/people")).body)
    assert listing == {"people": []}
    assert rows(url, table) == []


@pytest.mark.parametrize("module", ["mysql", "postgresql"])
async def test_unreachable_database_is_a_503(
    hostray_server_factory: Callable[..., RunningServer], tmp_path: Path, module: str
) -> None:
    settings = {
        "module": module,
        "host": "127.0.0.1",
        "port": free_port(),
        "db_name": "test",
        "user": "nobody",
    }
    project = write_project(tmp_path / "proj", "person_x", {"orm_db": {"db": settings}})
    client = HostrayClient(hostray_server_factory(project).base_url)
    response = await client.get("/people")
    assert response.code == 503
    created = await client.post("/people", json={"name": "a", "age": 1, "gender": "male"})
    assert created.code == 503


@pytest.fixture
def pg_table(postgresql_url: str) -> Iterator[str]:
    """A table name of this test's own in the PostgreSQL test database, dropped afterwards."""
    table = f"person_{uuid.uuid4().hex[:12]}"
    yield table
    engine = create_engine(sqlalchemy_url(db_settings(postgresql_url, "postgresql"), Path()))
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


async def test_project_with_all_three_components(
    hostray_server_factory: Callable[..., RunningServer],
    tmp_path: Path,
    postgresql_url: str,
    pg_table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSTRAY_TEST_DB_PASSWORD", "pg-s3cret")
    settings = db_settings(postgresql_url, "postgresql")
    settings["password"] = "${HOSTRAY_TEST_DB_PASSWORD}"
    with echo_server() as echo_url:
        project = write_project(
            tmp_path / "proj",
            pg_table,
            {
                "services": {echo_url: {"/echo": {"name": "echo", "get": ["q"]}}},
                "memory_cache": {
                    "sess_lifetime": 600,
                    "save_file": "sessions.json",
                    "renew_lifetime": False,
                    "renew_id": False,
                },
                "orm_db": {"db": settings},
            },
        )
        running = hostray_server_factory(project)
        client = HostrayClient(running.base_url)

        info = (await client.get("/components_info")).body.decode()
        assert "pg-s3cret" not in info
        shown = json.loads(info)["info"]
        assert {"services", "memory_cache", "orm_db"} <= set(shown)
        assert set(shown["orm_db"]["info"]["db"]["password"]) == {"*"}

        relayed = json.loads((await client.get("/relay?q=hi")).body)
        assert relayed == {"status": 200, "echo": {"q": ["hi"]}}

        created = await client.post("/people", json={"name": "a", "age": 1, "gender": "male"})
        assert created.code == 201, created.body

        first = await client.get("/visits")
        cookie = first.headers["Set-Cookie"].split(";")[0]
        assert json.loads(first.body) == {"visits": 1}
        running.stop()
        assert (project / "sessions.json").is_file()

        restarted = hostray_server_factory(project)
        again = await HostrayClient(restarted.base_url).get("/visits", headers={"Cookie": cookie})
        assert json.loads(again.body) == {"visits": 2}  # the session survived the restart
