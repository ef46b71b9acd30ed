"""A hostray project serving a small REST resource (`/people`) through RequestController and
orm_db's run_accessor_async, written to a directory for HostrayServer to load."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

__all__ = ["db_settings", "write_project"]

CONTROLLER_INIT = """
from hostray.web.controller import ControllerType


class ProjectControllerType(ControllerType):
    People = ("people", "people", "PeopleController")
    Visits = ("visits", "visits", "VisitsController")
    Relay = ("relay", "visits", "RelayController")
"""

PEOPLE = """
import contextlib
import json
from datetime import datetime
from enum import Enum

from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base
from tornado.web import HTTPError

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor
from hostray.web.component import OptionalComponentTypes
from hostray.web.controller import RequestController


class GenderType(Enum):
    Male = "male"
    Female = "female"


_MODELS = {}


def model(table):
    if table not in _MODELS:
        Base = declarative_base()

        class PersonEntity(Base, EntityBaseAddon):
            __tablename__ = table

            id = Column(Integer, primary_key=True, autoincrement=True)
            name = Column(String(40), nullable=False)
            age = Column(Integer, nullable=False)
            gender = Column(String(6), nullable=False)
            secret = Column(String(40))
            schedule = Column(DateTime, default=datetime.now)

            column_type_validations = {"gender": GenderType}
            column_fix = ["name"]
            client_excluded_columns = ["secret"]

        _MODELS[table] = (Base, OrmDBEntityAccessor(PersonEntity))
    return _MODELS[table]


class PeopleController(RequestController):
    def initialize(self, table, db_id="db"):
        self.db_id = db_id
        base, self.accessor = model(table)
        self.orm = self.component_manager.get_component(OptionalComponentTypes.OrmDB)
        self.orm.init_db_declarative_base(db_id, base)

    def fields(self):
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise HTTPError(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "the body must be a JSON object")
        return data

    async def find(self, person_id):
        entity = await self.orm.run_accessor_async(
            self.db_id, self.accessor.load, id=int(person_id)
        )
        if entity is None:
            raise HTTPError(404, "no person %s", person_id)
        return entity

    async def change(self, action, *args, **kwargs):
        async with self.orm.reserve_worker_async(self.db_id) as identity:
            try:
                result = await self.orm.run_accessor_async(
                    self.db_id, action, *args, identity=identity, **kwargs
                )
                await self.orm.run_accessor_async(self.db_id, self.accessor.save, identity=identity)
            except BaseException:
                with contextlib.suppress(Exception):
                    await self.orm.run_accessor_async(
                        self.db_id, self.accessor.rollback, identity=identity
                    )
                raise
        return result

    async def get(self, person_id=None):
        if person_id:
            self.write((await self.find(person_id)).to_client_dict())
            return
        people = await self.orm.run_accessor_async(self.db_id, self.accessor.select, order_by="id")
        self.write({"people": [person.to_client_dict() for person in people]})

    async def post(self, person_id=None):
        entity = await self.change(self.accessor.add, **self.fields())
        self.set_status(201)
        self.write(entity.to_client_dict())

    async def put(self, person_id):
        entity = await self.find(person_id)
        await self.change(self.accessor.set_attribute, entity, **self.fields())
        self.write(entity.to_client_dict())

    async def delete(self, person_id):
        entity = await self.find(person_id)
        await self.change(self.accessor.delete, entity)
        self.set_status(204)
"""

VISITS = """
from hostray.web.controller import RequestController


class VisitsController(RequestController):
    async def get(self):
        session = await self.get_session()
        session["visits"] = session.get("visits", 0) + 1
        self.write({"visits": session["visits"]})


class RelayController(RequestController):
    async def get(self):
        response = await self.invoke_service_async("echo", q=self.get_argument("q"))
        self.write({"status": response.status_code, "echo": response.json()["query"]})
"""


def db_settings(url: str, module: str) -> dict[str, Any]:
    """orm_db settings of a loopback database server given by its URL."""
    parts = urlsplit(url)
    return {
        "module": module,
        "worker": 2,
        "host": parts.hostname,
        "port": parts.port,
        "db_name": parts.path.lstrip("/"),
        "user": parts.username,
        "password": parts.password or "",
    }


def write_project(root: Path, table: str, component: dict[str, Any]) -> Path:
    """The project directory: `/people` on `table`, `/visits`, `/relay`, `/components_info`."""
    (root / "controller").mkdir(parents=True)
    (root / "controller" / "__init__.py").write_text(CONTROLLER_INIT)
    (root / "controller" / "people.py").write_text(PEOPLE)
    (root / "controller" / "visits.py").write_text(VISITS)
    config = {
        "name": "orm project",
        "debug": False,
        "controller": {
            "/people(?:/([0-9]+))?": {"enum": "people", "params": {"table": table}},
            "/visits": {"enum": "visits"},
            "/relay": {"enum": "relay"},
            "/components_info": {"enum": "components_info"},
        },
        "component": component,
    }
    text = yaml.safe_dump(config, sort_keys=False)
    (root / "server_config.yaml").write_text(textwrap.dedent(text))
    return root
