"""Plumbing of the load and fault suite (`make faults`).

The suite runs only when it is asked for by path (`pytest tests/faults…`): it loads the machine
for minutes and stops the shared database servers, so a plain `pytest` over every test leaves it
out (reported as deselected). The open-file limit is raised for the thousand connections.
"""

from __future__ import annotations

import resource
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.engine import make_url

from .projects import ITEM

HERE = Path(__file__).resolve().parent
OPEN_FILES_NEEDED = 8192


def _asked_for(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _asked_for(config):
        return
    kept = [item for item in items if HERE not in item.path.parents]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if HERE in i.path.parents])
        items[:] = kept


def pytest_configure(config: pytest.Config) -> None:
    """Raise the soft open-file limit to the hard one; the servers and wrk inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 8 * OPEN_FILES_NEEDED
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@pytest.fixture(scope="session", autouse=True)
def _enough_open_files() -> None:
    """The load scenarios need thousands of sockets at once."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < OPEN_FILES_NEEDED:
        pytest.fail(
            f"the load scenarios need {OPEN_FILES_NEEDED} open files; the limit is {soft} "
            "(raise the hard limit: ulimit -Hn)"
        )


def _sqlalchemy_url(url: str) -> str:
    parsed = make_url(url)
    driver = "mysql+pymysql" if parsed.drivername.startswith("mysql") else "postgresql+psycopg"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def people_table(url: str) -> Iterator[str]:
    """A table of its own (`faults_rest_<hex>`) holding the row `ITEM`, dropped afterwards."""
    name = f"faults_rest_{uuid.uuid4().hex[:12]}"
    engine = create_engine(_sqlalchemy_url(url), pool_pre_ping=True)  # survives a restart
    table = Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("name", String(40), nullable=False),
        Column("age", Integer, nullable=False),
    )
    try:
        with engine.begin() as conn:
            table.create(conn)
            conn.execute(insert(table).values(**ITEM))
        yield name
    finally:
        with engine.begin() as conn:
            table.drop(conn, checkfirst=True)
        engine.dispose()


@pytest.fixture
def mysql_table(mysql_url: str) -> Iterator[str]:
    """A people table on MariaDB, with the row the REST endpoint serves."""
    yield from people_table(mysql_url)


@pytest.fixture
def postgresql_table(postgresql_url: str) -> Iterator[str]:
    """A people table on PostgreSQL, with the row the REST endpoint serves."""
    yield from people_table(postgresql_url)
