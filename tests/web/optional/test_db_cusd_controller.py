"""`DBCSUDController` (0.7.5's generic REST controller) in a project served by HostrayServer, on
SQLite, MariaDB and PostgreSQL: every method, the primary keys each needs, hidden columns that
never leave the server, and 400s that name the column (never a hidden one)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from tornado.httpclient import HTTPResponse

from hostray.web.pytest_plugin import HostrayClient, RunningServer

from .test_orm_rest import database, rows

__all__ = ["database"]  # the fixture, shared with test_orm_rest

CONTROLLER_INIT = """
from hostray.web.controller import ControllerType


class ProjectControllerType(ControllerType):
    People = ("people", "people", "PeopleController")
    Adults = ("adults", "people", "AdultsController")
"""

PEOPLE = """
from datetime import datetime
from enum import Enum

from sqlalchemy import Column, DateTime, Integer, String

from hostray.util.orm import EntityBaseAddon, OrmDBEntityAccessor, get_declarative_base
from hostray.web.controller import DBCSUDController

Base = get_declarative_base("db-cusd-{table}")


class GenderType(Enum):
    Male = "male"
    Female = "female"


class PersonEntity(Base, EntityBaseAddon):
    __tablename__ = "{table}"

    id = Column(Integer, primary_key=True, autoincrement=True)
    name = Column(String(40), nullable=False)
    age = Column(Integer, nullable=False)
    gender = Column(String(6), nullable=False)
    secret = Column(String(40))
    schedule = Column(DateTime, default=datetime.now)

    column_type_validations = {{"gender": GenderType}}
    column_fix = ["name"]
    client_excluded_columns = ["secret"]


class PeopleController(DBCSUDController):
    orm_db_accessor = OrmDBEntityAccessor(PersonEntity)


class AdultsAccessor(OrmDBEntityAccessor):
    def adults(self, sess, **kwargs):
        return [person for person in self.select(sess, **kwargs) if person.age >= 18]


adults = AdultsAccessor(PersonEntity)


class AdultsController(DBCSUDController):
    orm_db_accessor = adults
    orm_db_methods = {{"GET": adults.adults}}
"""


def write_project(root: Path, table: str, settings: dict[str, Any]) -> Path:
    (root / "controller").mkdir(parents=True)
    (root / "controller" / "__init__.py").write_text(CONTROLLER_INIT)
    (root / "controller" / "people.py").write_text(PEOPLE.format(table=table))
    config = {
        "debug": False,
        "controller": {
            "/people": {"enum": "people", "params": {"use_orm_db": "db"}},
            "/adults": {"enum": "adults", "params": {"use_orm_db": "db"}},
        },
        "component": {"orm_db": {"db": settings}},
    }
    (root / "server_config.yaml").write_text(textwrap.dedent(yaml.safe_dump(config)))
    return root


def body(response: HTTPResponse) -> Any:
    assert response.headers["Content-Type"].startswith("application/json"), response.body
    return json.loads(response.body)


def refused(response: HTTPResponse, code: int, text: str) -> None:
    assert response.code == code, response.body
    assert text in response.body.decode(), response.body
    assert b"secret" not in response.body


async def test_every_method(
    hostray_server_factory: Callable[..., RunningServer],
    tmp_path: Path,
    database: tuple[dict[str, Any], str, str],
) -> None:
    settings, table, url = database
    project = write_project(tmp_path / "proj", table, settings)
    client = HostrayClient(hostray_server_factory(project).base_url)

    # POST adds (form body; the autoincrement key is generated) and answers without `secret`
    form = urlencode({"name": "ada", "age": "36", "gender": "female", "secret": "s1"})
    created = await client.post("/people", body=form)
    assert created.code == 201, created.body
    ada = body(created)
    assert (ada["name"], ada["age"], ada["gender"]) == ("ada", 36, "female")
    assert "secret" not in ada and ada["schedule"]
    bob = body(await client.post("/people", json={"name": "bob", "age": 20, "gender": "male"}))
    for n in range(3):
        await client.post("/people", json={"name": f"p{n}", "age": 50 + n, "gender": "male"})

    # GET filters on columns, pages with limit/offset, in primary key order
    everyone = body(await client.get("/people"))
    assert [p["name"] for p in everyone["entities"]] == ["ada", "bob", "p0", "p1", "p2"]
    assert all("secret" not in p for p in everyone["entities"])
    males = body(await client.get("/people?gender=male&limit=2&offset=1"))
    assert [p["name"] for p in males["entities"]] == ["p0", "p1"]
    assert (males["limit"], males["offset"]) == (2, 1)
    assert body(await client.get(f"/people?id={bob['id']}"))["entities"] == [bob]

    # orm_db_methods replaces the accessor method of one HTTP method
    await client.post("/people", json={"name": "kid", "age": 9, "gender": "male"})
    adults = body(await client.get("/adults?gender=male"))["entities"]
    assert [p["name"] for p in adults] == ["bob", "p0", "p1", "p2"]
    kid = body(await client.get("/people?name=kid"))["entities"][0]
    assert body(await client.delete(f"/people?id={kid['id']}"))["name"] == "kid"

    # PATCH sets columns of the row its key names; a fixed column is refused, naming it
    patched = await client.fetch(
        "/people",
        "PATCH",
        body=urlencode({"id": ada["id"], "age": "37", "secret": "s2"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert body(patched)["age"] == 37, patched.body
    fixed = await client.fetch("/people", "PATCH", json={"id": ada["id"], "name": "eve"})
    refused(fixed, 400, "name")

    # PUT merges: replaces the row of its key, or adds it
    put = await client.put(
        "/people", json={"id": bob["id"], "name": "bob", "age": 21, "gender": "male"}
    )
    assert (put.code, body(put)["age"]) == (200, 21)
    added = await client.put("/people", json={"id": 900, "name": "zed", "age": 9, "gender": "male"})
    assert (added.code, body(added)["id"]) == (201, 900)

    # DELETE deletes the row its key names and answers what it was
    deleted = await client.delete(f"/people?id={bob['id']}")
    assert body(deleted)["name"] == "bob"
    refused(await client.delete(f"/people?id={bob['id']}"), 404, "no row")

    assert [(r["name"], r["age"]) for r in rows(url, table)] == [
        ("ada", 37),
        ("p0", 50),
        ("p1", 51),
        ("p2", 52),
        ("zed", 9),
    ]


async def test_bad_requests_name_the_column_never_a_hidden_one(
    hostray_server_factory: Callable[..., RunningServer],
    tmp_path: Path,
    database: tuple[dict[str, Any], str, str],
) -> None:
    settings, table, url = database
    project = write_project(tmp_path / "proj", table, settings)
    client = HostrayClient(hostray_server_factory(project).base_url)
    person = {"name": "ada", "age": 36, "gender": "female", "secret": "s"}
    ada = body(await client.post("/people", json=person))

    refused(await client.post("/people", json={**person, "gender": "robot"}), 400, "gender")
    refused(await client.post("/people", json={**person, "age": "old"}), 400, "'age'")
    refused(await client.post("/people", json={**person, "name": "x" * 41}), 400, "'name'")
    refused(await client.post("/people", json={**person, "colour": "red"}), 400, "'colour'")
    unknown = await client.post("/people", json={**person, "colour": "red"})
    assert b"columns" not in unknown.body  # no list of the table's columns
    refused(await client.post("/people", json={"age": 1, "gender": "male"}), 400, "'name'")
    refused(await client.post("/people", body="[1]", headers=JSON), 400, "JSON object")

    # the hidden column cannot be filtered on: the same answer as for a column that is not there
    hidden = await client.get("/people?secret=s")
    absent = await client.get("/people?nothere=s")
    assert (hidden.code, hidden.body) == (400, absent.body.replace(b"nothere", b"secret"))
    refused(await client.get("/people?limit=100000"), 400, "limit")
    refused(await client.get("/people?offset=-1"), 400, "offset")

    # primary keys are required where a row is named
    refused(await client.fetch("/people", "PATCH", json={"age": 3}), 400, "'id'")
    refused(
        await client.put("/people", json={"name": "x", "age": 3, "gender": "male"}), 400, "'id'"
    )
    refused(await client.delete("/people"), 400, "'id'")
    refused(await client.fetch("/people", "PATCH", json={"id": ada["id"]}), 400, "column to change")
    refused(await client.fetch("/people", "PATCH", json={"id": 999, "age": 1}), 404, "no row")

    # a duplicate key is a conflict that quotes no database message
    duplicate = await client.put("/people", json={**person, "id": ada["id"]})
    assert duplicate.code == 200
    again = await client.post("/people", json={**person, "id": ada["id"]})
    refused(again, 409, "conflicts")
    assert [r["name"] for r in rows(url, table)] == ["ada"]


JSON = {"Content-Type": "application/json"}
