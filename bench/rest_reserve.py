"""A REST endpoint that reserves an `orm_db` worker per request (MariaDB), against the same
endpoint as a bare Tornado handler that holds an `asyncio.Semaphore(WORKERS)` slot and runs a plain
SQLAlchemy session in a ThreadPoolExecutor. Target ≥ 0.95×.

Each request loads the row, then refreshes it. `CONNECTIONS` keep-alive connections against
`WORKERS` workers keep a line of waiting requests; project, servers and runs as in bench/rest.py
(bench/_rest_project.py). Two baselines: one with a session per call, closed after it, as
hostray.orm's workers do (the row that measures the reservation line), and one with a single
session for both queries, which saves the connection's reset round trip between the calls (the
row that measures hostray.orm's close-after-each-call policy as well).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench._harness import Row
from bench._rest_project import (
    WORKERS,
    hostray_server,
    measure,
    people_table,
    raw_server,
    write_project,
)

__all__ = ["run"]

CONNECTIONS = 128
RUNS = 5

LOAD = """\
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


def run() -> list[Row]:
    """The two rows: hostray's median rate against each baseline's."""
    ours: list[float] = []
    per_call: list[float] = []
    one_session: list[float] = []
    route = "/rest-reserved/([0-9]+)"
    path, per_call_path = "/rest-reserved/1", "/rest-reserved-per-call/1"
    with people_table() as table, tempfile.TemporaryDirectory() as tmp:
        project = write_project(Path(tmp) / "rest_reserve", table, load=LOAD, route=route)
        for _ in range(RUNS):
            ours.append(measure(hostray_server(project), path=path, connections=CONNECTIONS))
            per_call.append(measure(raw_server(table), path=per_call_path, connections=CONNECTIONS))
            one_session.append(measure(raw_server(table), path=path, connections=CONNECTIONS))
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
