"""A project whose `task_queue` runs on Celery and whose task writes to PostgreSQL through
`orm_db`; real `hostray worker` processes; per-test Redis db numbers / RabbitMQ queue names,
purged before and after."""

from __future__ import annotations

import importlib
import os
import re
import signal
import sys
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import sqlalchemy
from kombu.connection import Connection

from .conftest import ServerProcess, started_server

READY = re.compile(r"worker ready on")

JOBS = """\
import os
import time

from sqlalchemy import Column, Integer

from hostray.orm import get_declarative_base
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.task_queue import task_component_manager

Base = get_declarative_base()


class Done(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True, autoincrement=True)
    n = Column(Integer, nullable=False)
    pid = Column(Integer, nullable=False)


def _insert(session, n, pid):
    session.add(Done(n=n, pid=pid))
    session.commit()


def record(n, pause=0.0):
    \"\"\"Write (n, this worker process's pid) through orm_db; return n.\"\"\"
    orm = task_component_manager().get_component(OptionalComponentTypes.OrmDB)
    orm.init_db_declarative_base("db", Base)
    if pause:
        print(f"record {{n}} started", flush=True)
        time.sleep(pause)
    orm.get_pool_obj("db").run_method(_insert, n, os.getpid())
    return n
"""


@dataclass
class CeleryProject:
    root: Path
    table: str
    broker: str
    results: str
    queue: str
    postgresql_url: str
    module: str
    key_prefix: str

    @property
    def queue_key(self) -> str:
        """The Redis list the broker keeps the queue in."""
        return self.key_prefix + self.queue

    def jobs(self) -> Any:
        """The project's task module (import it after load_project put the project on sys.path)."""
        return importlib.import_module(self.module)

    def rows(self) -> list[tuple[int, int]]:
        """(n, pid) of every row the tasks wrote."""
        engine = sqlalchemy.create_engine(_sqlalchemy_url(self.postgresql_url))
        try:
            with engine.connect() as connection:
                query = sqlalchemy.text(f"SELECT n, pid FROM {self.table}")
                return [(int(n), int(pid)) for n, pid in connection.execute(query)]
        finally:
            engine.dispose()

    @contextmanager
    def worker(self, *options: str) -> Iterator[ServerProcess]:
        """`hostray worker ROOT` in its own session (so kill -9 reaches its pool processes)."""
        argv = [sys.executable, "-m", "hostray", "worker", str(self.root), *options]
        with started_server(argv, new_session=True) as worker:
            worker.wait_for(READY, 60)
            try:
                yield worker
            finally:
                if worker.process.poll() is None:
                    os.killpg(worker.process.pid, signal.SIGKILL)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@dataclass(frozen=True)
class CeleryTimeouts:
    """The project's `task_queue.visibility_timeout` and top-level `shutdown_timeout`, seconds."""

    visibility: float = 5
    shutdown: float = 20


DEFAULT_TIMEOUTS = CeleryTimeouts()


def write_celery_project(
    root: Path,
    broker: str,
    results: str,
    postgresql_url: str,
    timeouts: CeleryTimeouts = DEFAULT_TIMEOUTS,
) -> CeleryProject:
    """The project files, a fresh table and an empty queue."""
    tag = uuid.uuid4().hex[:10]
    table, queue, prefix = f"x16_done_{tag}", f"x16-{tag}", f"x16:{tag}:"
    pg = urlsplit(postgresql_url)
    root.mkdir(parents=True)
    (root / f"jobs_{tag}.py").write_text(JOBS.format(table=table), encoding="utf-8")
    (root / "server_config.yaml").write_text(
        textwrap.dedent(
            f"""\
            name: celery-e2e
            shutdown_timeout: {timeouts.shutdown}
            component:
              task_queue:
                backend: celery
                broker: {broker}
                result_backend: {results}
                queue: {queue}
                visibility_timeout: {timeouts.visibility}
                key_prefix: "{prefix}"
              orm_db:
                db:
                  module: postgresql
                  host: {pg.hostname}
                  port: {pg.port or 5432}
                  db_name: {pg.path.lstrip("/")}
                  user: {pg.username}
            """
        ),
        encoding="utf-8",
    )
    project = CeleryProject(
        root, table, broker, results, queue, postgresql_url, f"jobs_{tag}", prefix
    )
    engine = sqlalchemy.create_engine(_sqlalchemy_url(postgresql_url))
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                f"CREATE TABLE {table} (id SERIAL PRIMARY KEY, n INTEGER NOT NULL, "
                "pid INTEGER NOT NULL)"
            )
        )
    engine.dispose()
    purge(project)
    return project


def drop(project: CeleryProject) -> None:
    """Drop the table, the queue and the results."""
    engine = sqlalchemy.create_engine(_sqlalchemy_url(project.postgresql_url))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {project.table}"))
    engine.dispose()
    purge(project)


def purge(project: CeleryProject) -> None:
    """Delete this project's queue and results (its own keys only: other runs share the dbs)."""
    if project.broker.startswith("redis"):
        _delete_prefixed(project.broker, project.key_prefix)
    else:
        with Connection(project.broker) as connection:  # type: ignore[no-untyped-call]  # kombu is untyped
            channel = connection.channel()
            channel.queue_delete(project.queue)
            channel.close()
    _delete_prefixed(project.results, project.key_prefix)


def _delete_prefixed(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def redis_db(url: str, db: int) -> str:
    """`url` with its database number replaced by `db`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))
