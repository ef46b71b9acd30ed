"""hostray.orm's worker pool against plain SQLAlchemy sessions in `run_in_executor`, side by side.

- Per database (SQLite file, MariaDB, PostgreSQL): 8 coroutines share 1,500 inserts (a commit
  each), then 1,500 primary-key loads, through `OrmAccessWorkerPool.run_method_async` with 8
  workers; the baseline does the same work with a `sessionmaker` of its own, one session per
  operation, through `loop.run_in_executor` on an 8-thread executor and an 8-connection pool.
- CPU burnt (percent of one core) while a pool call waits on `SELECT SLEEP(1)` / `pg_sleep(1)`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, DateTime, Integer, String, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bench._harness import Row
from hostray.orm import (
    DB_MODULE_NAME,
    EntityBaseAddon,
    OrmAccessWorkerPool,
    OrmDBEntityAccessor,
    get_declarative_base,
)
from hostray.orm.engines import CONNECT_TIMEOUT

INSERTS = 1_500
COROUTINES = 8
RUNS = 5
SERVERS = {
    "mysql": ("HOSTRAY_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306/test"),
    "postgresql": ("HOSTRAY_TEST_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/test"),
}
SLEEP_SQL = {"mysql": "SELECT SLEEP(1)", "postgresql": "SELECT pg_sleep(1)"}
LABEL = {"sqlite": "SQLite file", "mysql": "MariaDB", "postgresql": "PostgreSQL"}


def _entity(base: Any, table: str) -> Any:
    class Person(base, EntityBaseAddon):  # type: ignore[misc]
        __tablename__ = table
        id = Column(Integer, primary_key=True)
        name = Column(String(40), nullable=False)
        age = Column(Integer, nullable=False)
        note = Column(String(100))
        schedule = Column(DateTime, default=datetime.now)

    return Person


class PersonAccessor(OrmDBEntityAccessor[Any]):
    def insert(self, sess: Session, **values: Any) -> int:
        """Add one person and commit: one pool call per insert, as a handler would do it."""
        entity = self.add(sess, **values)
        self.save(sess)
        return int(entity.id)


def _params(kind: str, folder: Path) -> dict[str, Any] | None:
    """Connection parameters of a database, None when its server is not reachable."""
    if kind == "sqlite":
        return {"file_name": str(folder / "bench.db")}
    variable, default = SERVERS[kind]
    parts = urlsplit(os.environ.get(variable, default))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 2):
            pass
    except OSError:
        return None
    params = {
        "host": parts.hostname,
        "port": parts.port,
        "db_name": parts.path.lstrip("/"),
        "user": parts.username,
    }
    if parts.password:
        params["password"] = parts.password
    return params


async def _spread(count: int, one: Callable[[int], Awaitable[Any]]) -> list[Any]:
    """`one(i)` for i in range(count), split over COROUTINES concurrent coroutines."""

    async def lane(start: int) -> list[Any]:
        return [await one(i) for i in range(start, count, COROUTINES)]

    lanes = await asyncio.gather(*(lane(s) for s in range(COROUTINES)))
    return [value for values in lanes for value in values]


async def _workload(
    insert: Callable[[int], Awaitable[int]], load: Callable[[int], Awaitable[Any]]
) -> float:
    """Operations per second of INSERTS inserts then as many primary-key loads."""
    started = time.perf_counter()
    ids = await _spread(INSERTS, insert)
    loaded = await _spread(len(ids), lambda i: load(ids[i]))
    elapsed = time.perf_counter() - started
    if any(entity is None for entity in loaded):
        raise RuntimeError("a primary-key load found nothing")
    return (len(ids) + len(loaded)) / elapsed


async def _compare(kind: str, params: dict[str, Any]) -> tuple[float, float, float | None]:
    """(our ops/s, baseline ops/s, CPU % while waiting on a slow query) for one database."""
    key = uuid.uuid4().hex[:8]
    module = DB_MODULE_NAME.SQLITE_FILE if kind == "sqlite" else DB_MODULE_NAME(kind)
    ours_base, theirs_base = get_declarative_base(f"bench.{key}"), get_declarative_base(f"b.{key}")
    accessor = PersonAccessor(_entity(ours_base, f"bench_ours_{key}"))
    theirs_cls = _entity(theirs_base, f"bench_base_{key}")

    pool = OrmAccessWorkerPool(worker_limit=COROUTINES)
    pool.set_session_maker(module, ours_base, **params)
    # The baseline: what one writes with SQLAlchemy alone, on an equally sized connection pool.
    assert pool.engine is not None
    timeout = {} if kind == "sqlite" else {"connect_timeout": CONNECT_TIMEOUT}
    engine = create_engine(pool.engine.url, pool_size=COROUTINES, connect_args=timeout)
    theirs_base.metadata.create_all(engine)
    plain = sessionmaker(bind=engine, expire_on_commit=False)
    executor = ThreadPoolExecutor(COROUTINES)
    loop = asyncio.get_running_loop()

    def plain_insert(n: int) -> int:
        with plain() as sess:
            entity = theirs_cls(name=f"p{n}", age=n % 90, note="bench")
            sess.add(entity)
            sess.commit()
            return int(entity.id)

    def plain_load(pk: int) -> Any:
        with plain() as sess:
            return sess.get(theirs_cls, pk)

    def ours_insert(n: int) -> Awaitable[int]:
        return pool.run_method_async(accessor.insert, name=f"p{n}", age=n % 90, note="bench")

    def ours_load(pk: int) -> Awaitable[Any]:
        return pool.run_method_async(accessor.load, id=pk)

    def base_insert(n: int) -> Awaitable[int]:
        return loop.run_in_executor(executor, plain_insert, n)

    def base_load(pk: int) -> Awaitable[Any]:
        return loop.run_in_executor(executor, plain_load, pk)

    mine: list[float] = []
    base: list[float] = []
    try:
        await pool.run_method_async(accessor.select, limit=1)  # connect and create the table
        for run in range(RUNS):  # alternate who goes first: neither inherits the other's state
            sides = [(mine, ours_insert, ours_load), (base, base_insert, base_load)]
            for into, insert, load in sides if run % 2 == 0 else sides[::-1]:
                into.append(await _workload(insert, load))
        cpu = await _cpu_while_waiting(pool, kind) if kind in SLEEP_SQL else None
    finally:
        pool.dispose()
        executor.shutdown()
        ours_base.metadata.drop_all(engine)
        theirs_base.metadata.drop_all(engine)
        engine.dispose()
    return statistics.median(mine), statistics.median(base), cpu


async def _cpu_while_waiting(pool: OrmAccessWorkerPool, kind: str) -> float:
    """Percent of one core the process burns while a pool call waits one second on the server."""

    def slow(sess: Session) -> Any:
        return sess.execute(text(SLEEP_SQL[kind])).scalar()

    samples = []
    for _ in range(3):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await pool.run_method_async(slow)
        samples.append(100.0 * (time.process_time() - cpu0) / (time.perf_counter() - wall0))
    return statistics.median(samples)


def run() -> list[Row]:
    """One throughput row per reachable database, and the CPU rows of the two servers."""
    rows: list[Row] = []
    cpu_rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="hostray-bench-orm-") as folder:
        for kind in ("sqlite", "mysql", "postgresql"):
            params = _params(kind, Path(folder))
            if params is None:
                print(f"bench/orm.py: {LABEL[kind]} not reachable, skipped")
                continue
            ours, theirs, cpu = asyncio.run(_compare(kind, params))
            rows.append(
                Row.compare(
                    f"ORM {INSERTS:,} inserts + {INSERTS:,} pk loads, {COROUTINES} coroutines, "
                    f"{LABEL[kind]}, vs sessions in run_in_executor",
                    ours,
                    theirs,
                    "ops/s",
                    1.0,
                )
            )
            if cpu is not None:
                cpu_rows.append(
                    Row.ceiling(
                        f"CPU while an ORM call waits on {SLEEP_SQL[kind]} ({LABEL[kind]})",
                        cpu,
                        "% of a core",
                        2,
                    )
                )
    return rows + cpu_rows
