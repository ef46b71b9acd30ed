"""Baseline for bench/rest.py: the same JSON endpoint as a bare Tornado handler reading the row
with a plain SQLAlchemy ORM session in a ThreadPoolExecutor. For bench/rest_reserve.py,
/rest-reserved/ID loads then refreshes the row under an `asyncio.Semaphore(WORKERS)` (the
hand-written `reserve_worker_async`), in one session; /rest-reserved-per-call/ID does the same
with a session per call, closed after it, as hostray.orm's workers do.

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


class ReservedItem(Item):
    """GET /rest-reserved/ID: load, then refresh, in one request's slot; WORKERS at once."""

    def initialize(  # type: ignore[override]
        self,
        engine: Engine,
        entity: Any,
        executor: ThreadPoolExecutor,
        slots: asyncio.Semaphore,
        session_per_call: bool,
    ) -> None:
        super().initialize(engine, entity, executor)
        self.slots = slots
        self.session_per_call = session_per_call

    async def get(self, item_id: str) -> None:
        loop = asyncio.get_running_loop()
        async with self.slots:
            session = Session(self.engine)
            person = await loop.run_in_executor(self.executor, self._first, session, int(item_id))
            if self.session_per_call:
                session = Session(self.engine)
            row = await loop.run_in_executor(
                self.executor, self._refresh_and_close, session, person
            )
        if row is None:
            raise tornado.web.HTTPError(404)
        self.write(row)

    def _first(self, session: Session, item_id: int) -> Any:
        person = session.scalars(select(self.entity).where(self.entity.id == item_id)).first()
        if self.session_per_call:
            session.close()
        return person

    def _refresh_and_close(self, session: Session, person: Any) -> dict[str, Any] | None:
        with session:
            if person is None:
                return None
            if self.session_per_call:
                person = session.merge(person, load=False)
            session.refresh(person)
            return {"id": person.id, "name": person.name, "age": person.age}


async def main(url: str, table: str, port: int, workers: int) -> None:
    engine = create_engine(url, pool_size=workers)
    executor = ThreadPoolExecutor(workers)
    params = {"engine": engine, "entity": person_class(table), "executor": executor}
    slots = asyncio.Semaphore(workers)
    one_session = {**params, "slots": slots, "session_per_call": False}
    per_call = {**params, "slots": slots, "session_per_call": True}
    app = tornado.web.Application(
        [
            (r"/rest/([0-9]+)", Item, params),
            (r"/rest-reserved/([0-9]+)", ReservedItem, one_session),
            (r"/rest-reserved-per-call/([0-9]+)", ReservedItem, per_call),
        ]
    )
    app.listen(port, address="127.0.0.1")
    print(f"raw rest: listening on http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
