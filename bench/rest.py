"""A JSON REST endpoint reading one row through `orm_db` (MariaDB), against the same endpoint as a
bare Tornado handler with a plain SQLAlchemy session in a ThreadPoolExecutor. Target ≥ 0.95×.

Both servers run one process with `WORKERS` database threads/connections on 127.0.0.1, serve
GET /rest/1 from the same table (made for the run, dropped after it), and are loaded by wrk in
turn, `RUNS` times; the row compares the medians. The project, table and servers are
bench/_rest_project.py's.
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

CONNECTIONS = 64
RUNS = 5

LOAD = """\
    async def load(self, item_id):
        return await self.orm.run_accessor_async("db", self.accessor.load, id=item_id)
"""


def run() -> list[Row]:
    """The one row: hostray's median rate against the bare Tornado baseline's."""
    ours: list[float] = []
    base: list[float] = []
    with people_table() as table, tempfile.TemporaryDirectory() as tmp:
        project = write_project(Path(tmp) / "rest", table, load=LOAD, route="/rest/([0-9]+)")
        for _ in range(RUNS):
            ours.append(measure(hostray_server(project), path="/rest/1", connections=CONNECTIONS))
            base.append(measure(raw_server(table), path="/rest/1", connections=CONNECTIONS))
    return [
        Row.compare(
            f"REST GET one row via orm_db (MariaDB, {WORKERS} workers) vs Tornado + SQLAlchemy",
            statistics.median(ours),
            statistics.median(base),
            "req/s",
            0.95,
        )
    ]
