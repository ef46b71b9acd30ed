"""The project the scenarios serve: hello, pid, slow and session routes, a websocket echo, file
uploads, and a JSON REST endpoint reading one row through `orm_db` (also through a worker
reserved per request: /rest-reserved/ID).

Only the blocks a scenario asks for are configured, so a scenario without a database does not
load SQLAlchemy.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "HELLO_BODY",
    "ITEM",
    "RestDatabase",
    "rest_database",
    "write_project",
]

HELLO_BODY = "Hello World, This is hostray faults"
ITEM = {"id": 1, "name": "ada", "age": 36}
"""The row the REST endpoint serves at /rest/1."""

COMPONENT_INIT = """\
from hostray.web.component import ComponentTypes
from hostray.web.config_validator import (
    ConfigContainerMeta,
    ConfigElementMeta,
    HostrayWebConfigComponentValidator,
)

HostrayWebConfigComponentValidator.set_cls_parameters(
    ConfigContainerMeta(
        "rest_store",
        False,
        ConfigElementMeta("db_id", str, True),
        ConfigElementMeta("table", str, True),
    )
)


class FaultsComponentTypes(ComponentTypes):
    RestStore = ("rest_store", "rest_store", "RestStoreComponent")
"""

REST_STORE = """\
from sqlalchemy import Column, Integer, String

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor, get_declarative_base
from hostray.web.component import Component, OptionalComponentTypes


class RestStoreComponent(Component):
    \"\"\"People in table `table` of the orm_db database `db_id`.\"\"\"

    def init(self, component_manager, db_id, table, **kwargs):
        base = get_declarative_base(table)
        self.entity = type(
            "Person",
            (base, EntityBaseAddon),
            {
                "__tablename__": table,
                "id": Column(Integer, primary_key=True),
                "name": Column(String(40), nullable=False),
                "age": Column(Integer, nullable=False),
            },
        )
        self.accessor = OrmDBEntityAccessor(self.entity)
        self.db_id = db_id
        self.orm = component_manager.get_component(OptionalComponentTypes.OrmDB)
        self.orm.init_db_declarative_base(db_id, base)

    async def load(self, item_id):
        return await self.orm.run_accessor_async(self.db_id, self.accessor.load, id=item_id)

    async def load_reserved(self, item_id):
        \"\"\"Load, then refresh, the row on one reserved worker (one session, two queries).\"\"\"
        async with self.orm.reserve_worker_async(self.db_id) as identity:
            entity = await self.orm.run_accessor_async(
                self.db_id, self.accessor.load, identity=identity, id=item_id
            )
            if entity is not None:
                await self.orm.run_accessor_async(
                    self.db_id, self.accessor.refresh, entity, identity=identity
                )
        return entity

    async def add(self, **values):
        async with self.orm.reserve_worker_async(self.db_id) as identity:
            entity = await self.orm.run_accessor_async(
                self.db_id, self.accessor.add, identity=identity, **values
            )
            await self.orm.run_accessor_async(self.db_id, self.accessor.save, identity=identity)
        return entity
"""

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType


class FaultsControllerTypes(ControllerType):
    Hello = ("faults_hello", "handlers", "HelloController")
    Pid = ("faults_pid", "handlers", "PidController")
    Slow = ("faults_slow", "handlers", "SlowController")
    Session = ("faults_session", "handlers", "SessionController")
    Echo = ("faults_echo", "handlers", "EchoController")
    RestItem = ("faults_rest_item", "rest", "RestItemController")
    RestCollection = ("faults_rest", "rest", "RestCollectionController")
    RestReserved = ("faults_rest_reserved", "rest", "RestReservedItemController")
    Upload = ("faults_upload", "hostray.web.controller", "StreamingFileUploadController")
"""

HANDLERS = f"""\
import asyncio
import os

from tornado.web import HTTPError

from hostray.web.controller import RequestController, WebSocketController


class HelloController(RequestController):
    def get(self):
        self.write({HELLO_BODY!r})


class PidController(RequestController):
    def get(self):
        self.write(str(os.getpid()))


class SlowController(RequestController):
    \"\"\"Sends 'started', waits `seconds`, then sends 'done': a request visibly in flight.\"\"\"

    async def get(self):
        try:
            seconds = float(self.get_query_argument("seconds", "2"))
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= 10:
            raise HTTPError(400, "seconds: expected a number from 0 to 10")
        self.write("started\\n")
        await self.flush()
        await asyncio.sleep(seconds)
        self.write("done\\n")


class SessionController(RequestController):
    async def get(self):
        session = await self.get_session()
        self.write({{"value": session.get("value")}})

    async def post(self):
        session = await self.get_session()
        session["value"] = self.get_query_argument("value")
        self.write({{"value": session["value"]}})


class EchoController(WebSocketController):
    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))
"""

REST = """\
import json

from tornado.web import HTTPError

from hostray.web.controller import RequestController

from component import FaultsComponentTypes


class _Rest(RequestController):
    @property
    def store(self):
        return self.component_manager.get_component(FaultsComponentTypes.RestStore)


class RestItemController(_Rest):
    async def get(self, item_id):
        entity = await self.store.load(int(item_id))
        if entity is None:
            raise HTTPError(404, "no item %s", item_id)
        self.write(entity.to_client_dict())


class RestReservedItemController(_Rest):
    \"\"\"GET one row through a worker reserved for the request.\"\"\"

    async def get(self, item_id):
        entity = await self.store.load_reserved(int(item_id))
        if entity is None:
            raise HTTPError(404, "no item %s", item_id)
        self.write(entity.to_client_dict())


class RestCollectionController(_Rest):
    \"\"\"POST a JSON object or a form: a new row; unknown columns are the entity's to refuse.\"\"\"

    async def post(self):
        kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            try:
                values = json.loads(self.request.body)
            except (ValueError, RecursionError) as exc:
                raise HTTPError(400, "invalid JSON: %s", type(exc).__name__) from None
            if not isinstance(values, dict):
                raise HTTPError(400, "expected a JSON object")
        else:
            values = {key: self.get_body_argument(key) for key in self.request.body_arguments}
        name = values.get("name")
        if not isinstance(name, str) or not 0 < len(name) <= 40:
            raise HTTPError(400, "name: expected a string of 1 to 40 characters")
        values["age"] = _integer("age", values.get("age"))
        if "id" in values:
            values["id"] = _integer("id", values["id"])
        entity = await self.store.add(**values)
        self.set_status(201)
        self.write(entity.to_client_dict())


def _integer(key, value):
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    raise HTTPError(400, "%s: expected an integer", key)
"""


@dataclass(frozen=True)
class RestDatabase:
    """What the REST endpoint reads: an `orm_db` entry (`settings`) and the table there."""

    settings: dict[str, Any]
    table: str


def rest_database(url: str, table: str, workers: int) -> RestDatabase:
    """`table` on the server at `url` (mysql://… or postgresql://…), through `workers` workers."""
    parts = urlsplit(url)
    module = "mysql" if parts.scheme.startswith("mysql") else "postgresql"
    settings = {
        "module": module,
        "worker": workers,
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or (3306 if module == "mysql" else 5432),
        "db_name": parts.path.lstrip("/"),
        "user": parts.username or "",
        "password": parts.password or "",
    }
    return RestDatabase(settings, table)


def write_project(
    root: Path,
    *,
    rest: RestDatabase | None = None,
    memory_cache: dict[str, Any] | None = None,
    upload: dict[str, Any] | None = None,
    websocket_max_message_size: int | None = None,
) -> Path:
    """Write the project under `root`; `rest` adds /rest and /rest-reserved on that database."""
    controllers: dict[str, Any] = {
        "/hello": {"enum": "faults_hello"},
        "/pid": {"enum": "faults_pid"},
        "/slow": {"enum": "faults_slow"},
        "/ws": {"enum": "faults_echo"},
        "/static/(.*)": {
            "enum": "frontend",
            "params": {"path": "frontend", "default_filename": "index.html"},
        },
    }
    components: dict[str, Any] = {}
    if websocket_max_message_size is not None:
        controllers["/ws"]["params"] = {"max_message_size": websocket_max_message_size}
    if memory_cache is not None:
        components["memory_cache"] = memory_cache
        controllers["/session"] = {"enum": "faults_session"}
    if upload is not None:
        controllers["/upload"] = {"enum": "faults_upload", "params": upload}
    if rest is not None:
        components["orm_db"] = {"db": rest.settings}
        components["rest_store"] = {"db_id": "db", "table": rest.table}
        controllers["/rest"] = {"enum": "faults_rest"}
        controllers["/rest/([0-9]{1,9})"] = {"enum": "faults_rest_item"}
        controllers["/rest-reserved/([0-9]{1,9})"] = {"enum": "faults_rest_reserved"}
    config = {
        "name": "faults",
        "port": 8888,
        "debug": False,
        "shutdown_timeout": 10,
        "controller": controllers,
        "component": components,
    }
    files = {
        # JSON is YAML: the config is written without a YAML dumper.
        "server_config.yaml": json.dumps(config, indent=2),
        "component/__init__.py": COMPONENT_INIT,
        "component/rest_store.py": REST_STORE,
        "controller/__init__.py": CONTROLLER_INIT,
        "controller/handlers.py": HANDLERS,
        "controller/rest.py": REST,
        "frontend/index.html": "<p>faults</p>\n",
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
