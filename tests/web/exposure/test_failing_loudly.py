"""With `debug: False`, a backend that makes every request fail is logged at ERROR once per
outage, naming the db_id / service / Redis URL and never a password; a database that refuses the
credentials is a warning at start (issue 13, item 12)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from ..optional.http_server import echo_server
from ..optional.redis_server import free_port
from .conftest import write_project

if TYPE_CHECKING:
    from .conftest import Served

PASSWORD = "hunter2-not-logged"

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    People = ('people', 'handlers', 'People')
    Upstream = ('upstream', 'handlers', 'Upstream')
    Visits = ('visits', 'handlers', 'Visits')
"""

HANDLERS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor
from hostray.web.component import OptionalComponentTypes
from hostray.web.controller import RequestController

Base = declarative_base()


class Person(Base, EntityBaseAddon):
    __tablename__ = 'h13b_loud_person'
    id = Column(Integer, primary_key=True)
    name = Column(String(20))


class People(RequestController):
    async def get(self):
        orm = self.component_manager.get_component(OptionalComponentTypes.OrmDB)
        orm.init_db_declarative_base('db_main', Base)
        accessor = OrmDBEntityAccessor(Person)
        people = await orm.run_accessor_async('db_main', accessor.select)
        self.write({'people': len(people)})


class Upstream(RequestController):
    async def get(self):
        services = self.component_manager.get_component(OptionalComponentTypes.Service)
        self.write((await services.invoke_async('down')).content)


class Visits(RequestController):
    async def get(self):
        session = await self.get_session()
        session['visits'] = session.get('visits', 0) + 1
        self.write({'visits': session['visits']})
"""


def project(root: Path, components: str, route: str) -> Path:
    config = (
        "name: loud\ndebug: False\ncomponent:\n"
        + textwrap.indent(textwrap.dedent(components), "    ")
        + f"controller:\n    /check:\n        enum: {route}\n"
    )
    files = {"controller/__init__.py": CONTROLLER_INIT, "controller/handlers.py": HANDLERS}
    return write_project(root, config, files)


async def fetch_three_times(url: str) -> list[int]:
    client = AsyncHTTPClient(force_instance=True)
    codes = []
    try:
        for _ in range(3):
            response: HTTPResponse = await client.fetch(
                f"{url}/check", raise_error=False, request_timeout=30
            )
            codes.append(response.code)
    finally:
        client.close()
    return codes


def lines_with(output: str, level: str, text: str) -> list[str]:
    return [line for line in output.splitlines() if level in line and text in line]


async def test_a_wrong_database_password_is_logged(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path, mysql_url: str
) -> None:
    server = urlsplit(mysql_url)
    components = f"""\
            orm_db:
                db_main:
                    module: mysql
                    host: {server.hostname}
                    port: {server.port or 3306}
                    db_name: test
                    user: h13b_nobody
                    password: {PASSWORD}
    """
    with serve(project(tmp_path / "db", components, "people")) as served:
        served.wait_for(re.compile(r"orm_db db_main: the database is not ready at start"))
        assert await fetch_three_times(served.url) == [503, 503, 503]
        output = served.stop()
    warnings = lines_with(output, "WARNING", "orm_db db_main: the database is not ready at start")
    assert len(warnings) == 1 and "Access denied for user 'h13b_nobody'" in warnings[0], output
    errors = lines_with(output, "ERROR", "orm_db db_main:")
    assert len(errors) == 1, output
    assert "Access denied for user 'h13b_nobody'" in errors[0]
    assert PASSWORD not in output
    assert "Traceback" not in output


async def test_an_unreachable_service_is_logged_once_and_its_return(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path
) -> None:
    port = free_port()
    components = f"""\
            services:
                http://127.0.0.1:{port}:
                    /echo:
                        name: down
                        get:
    """
    with serve(project(tmp_path / "svc", components, "upstream")) as served:
        assert await fetch_three_times(served.url) == [502, 502, 502]
        with echo_server(port):
            assert await fetch_three_times(served.url) == [200, 200, 200]
        output = served.stop()
    errors = lines_with(output, "ERROR", "service down:")
    assert len(errors) == 1, output
    assert "/echo failed" in errors[0]
    assert len(lines_with(output, "WARNING", "service down: works again")) == 1, output
    assert "Traceback" not in output


async def test_an_unreachable_redis_is_logged_once(
    serve: Callable[[Path], AbstractContextManager[Served]], tmp_path: Path
) -> None:
    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"
    components = f"""\
            memory_cache:
                sess_lifetime: 600
                backend: redis
                url: {url}
    """
    with serve(project(tmp_path / "redis", components, "visits")) as served:
        assert await fetch_three_times(served.url) == [503, 503, 503]
        output = served.stop()
    errors = lines_with(output, "ERROR", "memory_cache: Redis at redis://:***@127.0.0.1:")
    assert len(errors) == 1, output
    assert len(lines_with(output, "ERROR", "")) == 1, output  # nothing logged per request
    assert PASSWORD not in output
    assert "Traceback" not in output
