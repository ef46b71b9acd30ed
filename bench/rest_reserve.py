"""A REST endpoint that reserves an `orm_db` worker per request (MariaDB), against the same
endpoint as a bare Tornado handler that holds an `asyncio.Semaphore(WORKERS)` slot and runs a plain
SQLAlchemy session in a ThreadPoolExecutor. Target ≥ 0.95×.

Each request loads the row, then refreshes it. `CONNECTIONS` keep-alive connections against
`WORKERS` workers keep a line of waiting requests; servers and runs as in bench/rest.py. Two
baselines: one with a session per call, closed after it, as hostray.orm's workers do (the row
that measures the reservation line), and one with a single session for both queries, which saves
the connection's reset round trip between the calls (the row that measures hostray.orm's
close-after-each-call policy as well).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench._harness import Row
from bench.rest import WORKERS, _hostray, _measure, _people_table, _raw, _write_project

__all__ = ["run"]

CONNECTIONS = 128
RUNS = 5

COMPONENT = """\
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

    async def load(self, item_id):
        async with self.orm.reserve_worker_async("db") as identity:
            person = await self.orm.run_accessor_async(
                "db", self.accessor.load, identity=identity, id=item_id
            )
            if person is not None:
                await self.orm.run_accessor_async(
                    "db", self.accessor.refresh, person, identity=identity
                )
        return person
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


def run() -> list[Row]:
    ours: list[float] = []
    per_call: list[float] = []
    one_session: list[float] = []
    with _people_table() as table, tempfile.TemporaryDirectory() as tmp:
        project = _write_project(
            Path(tmp) / "rest_reserve", table, COMPONENT, CONTROLLER, "/rest-reserved/([0-9]+)"
        )
        for _ in range(RUNS):
            ours.append(_measure(_hostray(project), "/rest-reserved/1", CONNECTIONS))
            per_call.append(_measure(_raw(table), "/rest-reserved-per-call/1", CONNECTIONS))
            one_session.append(_measure(_raw(table), "/rest-reserved/1", CONNECTIONS))
    what = (
        f"REST GET, an orm_db worker reserved per request (load + refresh, MariaDB, {WORKERS} "
        f"workers, {CONNECTIONS} connections) vs Tornado + Semaphore + SQLAlchemy"
    )
    return [
        Row.compare(
            f"{what}, a session per call",
            statistics.median(ours),
            statistics.median(per_call),
            "req/s",
            0.95,
        ),
        Row.compare(
            f"{what}, one session",
            statistics.median(ours),
            statistics.median(one_session),
            "req/s",
            0.95,
        ),
    ]
