"""OrmAccessWorkerPool reservations under contention: 5,000 coroutines, 4 workers, 4 databases.

Each reservation adds an entity to its worker's session in one call and finds it there, alone,
in the next: both calls ran on the reserved worker's session and nobody else's changes were in
it. 1,000 random reservations are cancelled meanwhile; the pool ends with every worker free.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from hostray.orm import OrmAccessWorkerPool

from .support import Database, Schema

WORKERS = 4
COROUTINES = 5000
CANCELLED = 1000


@pytest.fixture
def pool(db: Database, schema: Schema) -> Iterator[OrmAccessWorkerPool]:
    made = OrmAccessWorkerPool(worker_limit=WORKERS)
    made.set_session_maker(db.module, schema.base, **db.params)
    yield made
    made.dispose()


class Ledger:
    """Checks, on the worker threads, that a reservation's session holds its own changes only.

    A reservation cancelled between its two calls leaves its entity pending; it is listed in
    `ended` before its worker is released, so the next holder may find (and drop) it.
    """

    def __init__(self, person: Any) -> None:
        self.person = person
        self.ended: set[str] = set()
        self.problems: list[str] = []
        self.served: list[int] = []

    def claim(self, session: Session, identity: str) -> tuple[int, int]:
        for left in list(session.new):
            if left.name not in self.ended:
                self.problems.append(f"{identity} found {left.name}'s changes in its session")
            session.expunge(left)
        session.add(self.person(name=identity, age=1, gender="male"))
        return id(session), threading.get_ident()

    def let_go(self, session: Session, identity: str) -> tuple[int, int]:
        names = [e.name for e in session.new]
        if names != [identity]:
            self.problems.append(f"{identity} found {names} pending instead of its own entity")
        session.expunge_all()
        return id(session), threading.get_ident()


async def reserve_and_check(pool: OrmAccessWorkerPool, ledger: Ledger, n: int) -> None:
    async with pool.reserve_worker_async() as identity:
        try:
            first = await pool.run_method_async(ledger.claim, identity, identity=identity)
            second = await pool.run_method_async(ledger.let_go, identity, identity=identity)
            assert first == second
            ledger.served.append(n)
        finally:
            ledger.ended.add(identity)


@pytest.mark.timeout(120)
async def test_5000_reservers_with_1000_cancelled_share_4_sessions_safely(
    pool: OrmAccessWorkerPool, schema: Schema
) -> None:
    rng = random.Random(15)
    ledger = Ledger(schema.person)
    tasks = [asyncio.ensure_future(reserve_and_check(pool, ledger, n)) for n in range(COROUTINES)]
    doomed = rng.sample(range(COROUTINES), CANCELLED)
    for start in range(0, CANCELLED, 20):
        for n in doomed[start : start + 20]:
            tasks[n].cancel()
        for _ in range(rng.randrange(1, 4)):
            await asyncio.sleep(0)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    cancelled = {n for n, o in enumerate(outcomes) if isinstance(o, asyncio.CancelledError)}
    assert all(o is None for n, o in enumerate(outcomes) if n not in cancelled)
    assert cancelled <= set(doomed)
    assert sorted(ledger.served) == sorted(set(range(COROUTINES)) - cancelled)
    assert ledger.problems == []
    info = pool.info()
    assert info["waiting"] == 0
    assert [w["identity"] for w in info["workers"]] == [None] * len(info["workers"])
    assert len(info["workers"]) == WORKERS

    async def hold(entered: asyncio.Event, go: asyncio.Event) -> None:
        async with pool.reserve_worker_async():
            entered.set()
            await go.wait()

    go = asyncio.Event()
    entered = [asyncio.Event() for _ in range(WORKERS)]
    holders = [asyncio.ensure_future(hold(e, go)) for e in entered]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in entered)), 10)
    go.set()
    await asyncio.gather(*holders)


def test_threads_waiting_for_sessions_are_each_served_once(
    pool: OrmAccessWorkerPool, schema: Schema
) -> None:
    ledger = Ledger(schema.person)
    errors: list[BaseException] = []

    def reserve(n: int) -> None:
        try:
            with pool.reserve_worker() as identity:
                first = pool.run_method(ledger.claim, identity, identity=identity)
                second = pool.run_method(ledger.let_go, identity, identity=identity)
                assert first == second
                ledger.served.append(n)
                ledger.ended.add(identity)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reserve, args=(n,)) for n in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert ledger.problems == []
    assert sorted(ledger.served) == list(range(200))
    assert pool.info()["waiting"] == 0
