"""What bench/rest.py and bench/rest_reserve.py share: the MariaDB table holding the one row both
servers read, the hostray project whose `people` component reads it through `orm_db`, the bare
Tornado baseline (bench/_raw_rest.py), and one wrk measurement of either server.

The two benches differ only in how the component loads a person and in the route they load.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.engine import make_url

from bench._loadgen import ServerProcess, wrk_rate

__all__ = [
    "ITEM",
    "MYSQL_URL",
    "WORKERS",
    "hostray_server",
    "measure",
    "people_table",
    "raw_server",
    "write_project",
]

ROOT = Path(__file__).resolve().parent.parent
MYSQL_URL = os.environ.get("HOSTRAY_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306/test")
WORKERS = 4
SECONDS = 5
ITEM = {"id": 1, "name": "ada", "age": 36}

COMPONENT_INIT = """\
from hostray.web.component import ComponentTypes
from hostray.web.config_validator import (
    ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator,
)

HostrayWebConfigComponentValidator.set_cls_parameters(
    ConfigContainerMeta("people", False, ConfigElementMeta("table", str, True))
)


class BenchComponentTypes(ComponentTypes):
    People = ("people", "people", "PeopleComponent")
"""

# The people component up to its `load` method, which each bench appends.
COMPONENT_HEAD = """\
from sqlalchemy import Column, Integer, String

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor, get_declarative_base
from hostray.web.component import Component, OptionalComponentTypes


class PeopleComponent(Component):
    def init(self, component_manager, table, **kwargs):
        base = get_declarative_base(table)
        entity = type("Person", (base, EntityBaseAddon), {
            "__tablename__": table,
            "id": Column(Integer, primary_key=True),
            "name": Column(String(40), nullable=False),
            "age": Column(Integer, nullable=False),
        })
        self.accessor = OrmDBEntityAccessor(entity)
        self.orm = component_manager.get_component(OptionalComponentTypes.OrmDB)
        self.orm.init_db_declarative_base("db", base)

"""

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType


class BenchControllerTypes(ControllerType):
    Item = ("item", "item", "ItemController")
"""

CONTROLLER = """\
from tornado.web import HTTPError

from hostray.web.controller import RequestController
from component import BenchComponentTypes


class ItemController(RequestController):
    async def get(self, item_id):
        people = self.component_manager.get_component(BenchComponentTypes.People)
        person = await people.load(int(item_id))
        if person is None:
            raise HTTPError(404)
        self.write(person.to_client_dict())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sqlalchemy_url(url: str) -> str:
    return make_url(url).set(drivername="mysql+pymysql").render_as_string(hide_password=False)


@contextmanager
def people_table() -> Iterator[str]:
    """A table of its own holding the one row both servers read, dropped afterwards."""
    name = f"bench_rest_{uuid.uuid4().hex[:12]}"
    engine = create_engine(_sqlalchemy_url(MYSQL_URL))
    table = Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("name", String(40), nullable=False),
        Column("age", Integer, nullable=False),
    )
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(insert(table).values(**ITEM))
    try:
        yield name
    finally:
        with engine.begin() as conn:
            table.drop(conn)
        engine.dispose()


def write_project(root: Path, table: str, *, load: str, route: str) -> Path:
    """Write the project into `root`: `table`'s people component with `load` (the source of its
    `load` method, indented as in the class body) served at `route`; `root`."""
    parts = urlsplit(MYSQL_URL)
    database = {
        "module": "mysql",
        "worker": WORKERS,
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "db_name": parts.path.lstrip("/"),
        "user": parts.username or "",
        "password": parts.password or "",
    }
    config = {
        "name": "bench rest",
        "debug": False,
        "component": {"orm_db": {"db": database}, "people": {"table": table}},
        "controller": {route: {"enum": "item"}},
    }
    files = {
        "server_config.yaml": json.dumps(config, indent=2),  # JSON is YAML
        "component/__init__.py": COMPONENT_INIT,
        "component/people.py": COMPONENT_HEAD + load,
        "controller/__init__.py": CONTROLLER_INIT,
        "controller/item.py": CONTROLLER,
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def hostray_server(project: Path) -> ServerProcess:
    """`hostray start` of `project` on a free loopback port."""
    argv = [sys.executable, "-m", "hostray", "start", str(project)]
    return ServerProcess([*argv, "--address", "127.0.0.1", "--port", str(_free_port())])


def raw_server(table: str) -> ServerProcess:
    """The bare Tornado + SQLAlchemy baseline (bench/_raw_rest.py) reading `table`."""
    url = _sqlalchemy_url(MYSQL_URL)
    argv = [sys.executable, "-m", "bench._raw_rest", url, table, str(_free_port()), str(WORKERS)]
    return ServerProcess(argv, cwd=ROOT)


def measure(server: ServerProcess, *, path: str, connections: int) -> float:
    """Requests per second `server` serves at `path` over `connections` keep-alive connections
    (after checking it serves the row, and a warm-up run); stops the server."""
    url = f"{server.url}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            if json.loads(response.read()) != ITEM:
                raise RuntimeError(f"{url} does not serve the row {ITEM}")
        wrk_rate(url, connections=connections, seconds=2)  # warm-up: connections, caches
        return wrk_rate(url, connections=connections, seconds=SECONDS)
    finally:
        server.stop()
