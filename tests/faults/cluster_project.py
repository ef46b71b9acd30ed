"""The project of the cluster scenario: every piece of state outside the process.

Sessions in Redis (`memory_cache`), rows in PostgreSQL (`orm_db`), tasks on Celery through Redis
(`task_queue`), websocket broadcasts through Redis (`channels`), and the readiness route haproxy
checks. Names (table, Celery queue, key and channel prefixes, the task module) carry a per-test
tag so that runs never see each other's data.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = ["BROKER_DB", "RESULTS_DB", "ClusterProject", "redis_db", "write_cluster_project"]

BROKER_DB, RESULTS_DB = 9, 10  # the Redis database numbers of the Celery broker and results

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType


class ClusterControllerTypes(ControllerType):
    Hello = ("cluster_hello", "handlers", "HelloController")
    Session = ("cluster_session", "handlers", "SessionController")
    Room = ("cluster_room", "handlers", "RoomController")
    Enqueue = ("cluster_enqueue", "handlers", "EnqueueController")
"""

HANDLERS = """\
import asyncio
import importlib
import os

from hostray.web.component import DefaultComponentTypes
from hostray.web.controller import RequestController, WebSocketController

jobs = importlib.import_module({module!r})


class HelloController(RequestController):
    def get(self):
        self.write(f"hello from {{os.getpid()}}")


class SessionController(RequestController):
    async def get(self):
        session = await self.get_session()
        self.write({{"value": session.get("value"), "pid": os.getpid()}})

    async def post(self):
        session = await self.get_session()
        session["value"] = self.get_query_argument("value")
        self.write({{"value": session["value"], "pid": os.getpid()}})


class RoomController(WebSocketController):
    async def open(self):
        await self.join("room")
        self.write_message(f"pid:{{os.getpid()}}")

    async def on_message(self, message):
        await self.broadcast("room", message)


class EnqueueController(RequestController):
    \"\"\"POST ?n=N: queue jobs.record(N) and answer once the worker has run it.\"\"\"

    async def post(self):
        n = int(self.get_query_argument("n"))
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def finished(result):
            loop.call_soon_threadsafe(done.set_result, result)

        def failed(exc):
            loop.call_soon_threadsafe(done.set_exception, exc)

        queue = self.component_manager.get_component(DefaultComponentTypes.TaskQueue)
        queue.run_method_in_queue(jobs.record, n, on_finish=finished, on_exception=failed)
        result = await asyncio.wait_for(done, 30)
        self.write({{"n": result, "web_pid": os.getpid()}})
"""

JOBS = """\
import os

from sqlalchemy import Column, Integer

from hostray.orm import get_declarative_base
from hostray.web.component import OptionalComponentTypes
from hostray.web.component.task_queue import task_component_manager

Base = get_declarative_base()


class Done(Base):
    __tablename__ = {table!r}
    id = Column(Integer, primary_key=True, autoincrement=True)
    n = Column(Integer, nullable=False)
    pid = Column(Integer, nullable=False)


def _insert(session, n, pid):
    session.add(Done(n=n, pid=pid))
    session.commit()


def record(n):
    \"\"\"Write (n, this worker process's pid) through orm_db; return n.\"\"\"
    orm = task_component_manager().get_component(OptionalComponentTypes.OrmDB)
    orm.init_db_declarative_base("db", Base)
    orm.get_pool_obj("db").run_method(_insert, n, os.getpid())
    return n
"""


@dataclass(frozen=True)
class ClusterProject:
    root: Path
    table: str
    broker: str
    results: str


def redis_db(url: str, db: int) -> str:
    """`url` with its database number replaced by `db`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def write_cluster_project(
    root: Path, redis_url: str, postgresql_url: str, ready_grace: float
) -> ClusterProject:
    """Write the project under `root`, its Celery broker and results in databases `BROKER_DB` and
    `RESULTS_DB` of `redis_url`'s server (the task table is created by the test)."""
    broker, results = redis_db(redis_url, BROKER_DB), redis_db(redis_url, RESULTS_DB)
    tag = uuid.uuid4().hex[:10]
    table, module = f"ch16_cluster_{tag}", f"cluster_jobs_{tag}"
    pg = urlsplit(postgresql_url)
    config = {
        "name": "cluster",
        "debug": False,
        "shutdown_timeout": 5,
        "ready_grace": ready_grace,
        "controller": {
            "/hello": {"enum": "cluster_hello"},
            "/session": {"enum": "cluster_session"},
            "/room": {"enum": "cluster_room"},
            "/enqueue": {"enum": "cluster_enqueue"},
            "/alive": {"enum": "server_alive"},
            "/ready": {"enum": "server_ready"},
        },
        "component": {
            "memory_cache": {
                "sess_lifetime": 600,
                "backend": "redis",
                "url": redis_url,
                "key_prefix": f"ch16:cluster:{tag}:session:",
            },
            "channels": {"backend": "redis", "url": redis_url, "prefix": f"ch16:cluster:{tag}:"},
            "task_queue": {
                "backend": "celery",
                "broker": broker,
                "result_backend": results,
                "queue": f"ch16-cluster-{tag}",
            },
            "orm_db": {
                "db": {
                    "module": "postgresql",
                    "host": pg.hostname or "127.0.0.1",
                    "port": pg.port or 5432,
                    "db_name": pg.path.lstrip("/"),
                    "user": pg.username or "postgres",
                }
            },
        },
    }
    files = {
        "server_config.yaml": json.dumps(config, indent=2),  # JSON is YAML
        "controller/__init__.py": CONTROLLER_INIT,
        "controller/handlers.py": HANDLERS.format(module=module),
        f"{module}.py": JOBS.format(table=table),
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return ClusterProject(root, table, broker, results)
