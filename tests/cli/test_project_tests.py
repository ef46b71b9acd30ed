"""`hostray test DIR`: the project's unit_test cases with unittest's runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hostray.cli.create import create_project

if TYPE_CHECKING:
    from .conftest import Result

FAILING_CASE = """\
from hostray.unit_test import UnitTestCase

class FailingTestCase(UnitTestCase):
    def test(self):
        self.assertEqual(1 + 1, 3)
"""


def test_created_project_passes_its_own_test(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = create_project(tmp_path / "hello")
    result = cli("test", str(project))
    assert result.code == 0, result.err
    assert "Ran 1 test" in result.err
    assert "OK" in result.err


def test_a_failing_case_makes_the_exit_status_non_zero(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = create_project(tmp_path / "hello")
    (project / "unit_test" / "failing.py").write_text(FAILING_CASE, encoding="utf-8")
    init = project / "unit_test" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8")
        + "    Failing = ('failing', 'failing', 'FailingTestCase')\n",
        encoding="utf-8",
    )
    result = cli("test", str(project))
    assert result.code == 1
    assert "Ran 2 tests" in result.err
    assert "FAILED (failures=1)" in result.err
    assert "AssertionError: 2 != 3" in result.err


def test_project_without_cases_is_an_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = create_project(tmp_path / "hello")
    (project / "unit_test" / "__init__.py").write_text("", encoding="utf-8")
    result = cli("test", str(project))
    assert result.code == 2
    assert f"{project / 'unit_test'}: no test cases" in result.err


def test_bad_project_is_reported_like_start(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = create_project(tmp_path / "hello")
    (project / "server_config.yaml").write_text("name: t\ncomponent:\n  hello: {}\n")
    result = cli("test", str(project))
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "component.hello.p1" in result.err


def test_self_check_of_the_installed_library_passes(cli: Callable[..., Result]) -> None:
    result = cli("test")
    assert result.code == 0, result.err
    assert "Ran 16 tests" in result.err
    assert result.err.rstrip().endswith("OK")
    for check in ("test_orm_controller", "test_websocket_echo", "test_services_from_a_controller"):
        assert f"{check} (" in result.err


def test_self_check_leaves_no_files_behind(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert cli("test").code == 0
    assert list(tmp_path.iterdir()) == []


ENTITIES = """\
from sqlalchemy import Column, Integer, String

from hostray.util.orm import EntityBaseAddon, get_declarative_base

DeclarativeBase = get_declarative_base()


class GreetingEntity(DeclarativeBase, EntityBaseAddon):
    __tablename__ = "hello_greetings"
    id = Column(Integer, primary_key=True)
    text = Column(String(40), nullable=False)
"""

SERVER_CASE = """\
from component.entities import GreetingEntity
from hostray.unit_test import ServerTestCase


class HelloServerTestCase(ServerTestCase):
    def test_hello_is_served(self):
        response = self.fetch("/hello")
        self.assertEqual(response.code, 200, response.body)
        self.assertIn(b"Hello World", response.body)

    def test_a_missing_route_is_a_404(self):
        self.assertEqual(self.fetch("/missing").code, 404)
        self.assertEqual(GreetingEntity.__tablename__, "hello_greetings")
"""


def test_a_server_test_case_serves_a_project_with_entities(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = create_project(tmp_path / "hello")
    (project / "component" / "entities.py").write_text(ENTITIES, encoding="utf-8")
    hello = project / "component" / "hello.py"
    hello.write_text("from .entities import DeclarativeBase\n" + hello.read_text(), "utf-8")
    (project / "unit_test" / "served.py").write_text(SERVER_CASE, encoding="utf-8")
    init = project / "unit_test" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8")
        + "    Served = ('served', 'served', 'HelloServerTestCase')\n",
        encoding="utf-8",
    )
    result = cli("test", str(project))
    assert result.code == 0, result.err
    assert "Ran 3 tests" in result.err
