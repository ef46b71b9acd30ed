"""Baseline for bench/rest.py: the same JSON endpoint as a bare Tornado handler reading the row
with a plain SQLAlchemy ORM session in a ThreadPoolExecutor.

Run as `python -m bench._raw_rest URL TABLE PORT WORKERS` (URL: a SQLAlchemy URL).
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import tornado.web
from sqlalchemy import Engine, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


def person_class(table: str) -> type[Base]:
    """The entity of the benchmark's table."""

    class Person(Base):
        __tablename__ = table
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(40))
        age: Mapped[int]

    return Person


class Item(tornado.web.RequestHandler):
    """GET /rest/ID: the row as JSON."""

    def initialize(self, engine: Engine, entity: Any, executor: ThreadPoolExecutor) -> None:
        self.engine = engine
        self.entity = entity
        self.executor = executor

    async def get(self, item_id: str) -> None:
        loop = asyncio.get_running_loop()
        row = await loop.run_in_executor(self.executor, self._load, int(item_id))
        if row is None:
            raise tornado.web.HTTPError(404)
        self.write(row)

    def _load(self, item_id: int) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            person = session.scalars(select(self.entity).where(self.entity.id == item_id)).first()
            if person is None:
                return None
            return {"id": person.id, "name": person.name, "age": person.age}


async def main(url: str, table: str, port: int, workers: int) -> None:
    engine = create_engine(url, pool_size=workers)
    executor = ThreadPoolExecutor(workers)
    params = {"engine": engine, "entity": person_class(table), "executor": executor}
    app = tornado.web.Application([(r"/rest/([0-9]+)", Item, params)])
    app.listen(port, address="127.0.0.1")
    print(f"raw rest: listening on http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
