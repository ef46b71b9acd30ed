"""`hostray create DIR`: the seed's hello project, written from the templates shipped as data."""

from __future__ import annotations

import ast
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement

from hostray.web.config_validator import HostrayWebConfigValidator

if TYPE_CHECKING:
    from .conftest import Result

EXPECTED_FILES = {
    "component/__init__.py",
    "component/hello.py",
    "controller/__init__.py",
    "controller/hello.py",
    "unit_test/__init__.py",
    "unit_test/hello.py",
    "pack.yaml",
    "requirements.txt",
    "server_config.yaml",
}


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _seed_block(seed_text: str, first_line: str, last_line: str) -> str:
    start = seed_text.index(first_line)
    end = seed_text.index(last_line, start) + len(last_line)
    return seed_text[start:end]


def test_create_writes_exactly_the_hello_project(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "hello"
    result = cli("create", str(target))
    assert result.code == 0, result.err
    assert _files(target) == EXPECTED_FILES
    assert str(target) in result.out
    for path in target.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_component_code_is_the_seeds_example(
    cli: Callable[..., Result], tmp_path: Path, seed_text: str
) -> None:
    cli("create", str(tmp_path / "hello"))
    init = (tmp_path / "hello/component/__init__.py").read_text(encoding="utf-8")
    validator_example = _seed_block(
        seed_text,
        "from hostray.web.component import ComponentTypes\n\nfrom hostray.web.config_validator",
        "Hello = ('hello', 'hello', 'HelloComponent')",
    )
    assert validator_example in init
    hello = (tmp_path / "hello/component/hello.py").read_text(encoding="utf-8")
    component_example = _seed_block(
        seed_text,
        "from hostray.web.component import Component\n",
        "return 'Hello World, This is hostray generate hello component'",
    )
    assert component_example in hello


def test_controllers_and_config_route_hello(cli: Callable[..., Result], tmp_path: Path) -> None:
    import yaml

    cli("create", str(tmp_path / "hello"))
    config = yaml.safe_load((tmp_path / "hello/server_config.yaml").read_text(encoding="utf-8"))
    assert config["port"] == 8888
    for key in ("max_body_size", "idle_connection_timeout", "body_timeout", "max_connections"):
        assert config[key] == HostrayWebConfigValidator.get_cls_parameter(key).default, key
    assert config["component"] == {"hello": {"p1": "This is p1"}}
    enums = ast.parse((tmp_path / "hello/controller/__init__.py").read_text(encoding="utf-8"))
    values = {
        ast.literal_eval(node.value)[0]: ast.literal_eval(node.value)[2]
        for node in ast.walk(enums)
        if isinstance(node, ast.Assign)
    }
    routes = {route: values[entry["enum"]] for route, entry in config["controller"].items()}
    assert routes == {"/hello": "HelloController", "/hello_tornado": "HelloTornadoHandler"}
    handlers = (tmp_path / "hello/controller/hello.py").read_text(encoding="utf-8")
    assert "class HelloController(RequestController):" in handlers
    assert "class HelloTornadoHandler(RequestHandler):" in handlers


def test_requirements_admit_the_installed_packages(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    cli("create", str(tmp_path / "hello"))
    lines = (tmp_path / "hello/requirements.txt").read_text(encoding="utf-8").split()
    requirements = {Requirement(line).name: Requirement(line) for line in lines}
    assert set(requirements) == {"hostray-web", "hostray-cli"}
    for name, requirement in requirements.items():
        installed = version(name)
        assert requirement.specifier.contains(installed)
        major, minor = (int(p) for p in installed.split(".")[:2])
        next_api = f"{major}.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"
        assert not requirement.specifier.contains(next_api)


def test_non_empty_directory_is_refused_without_force(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("create", str(target))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert str(target) in result.err and "--force" in result.err
    assert _files(target) == {"notes.txt"}

    result = cli("create", str(target), "--force")
    assert result.code == 0, result.err
    assert _files(target) == EXPECTED_FILES | {"notes.txt"}
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_empty_directory_is_accepted(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("create", str(tmp_path))
    assert result.code == 0, result.err
    assert _files(tmp_path) == EXPECTED_FILES


def test_a_file_in_the_way_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    result = cli("create", str(target), "--force")
    assert result.code == 2
    assert f"error: {target}: exists and is not a directory" in result.err


def test_the_template_states_the_connection_limits_it_runs_with(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    import yaml

    from hostray.web.project import load_project

    cli("create", str(tmp_path / "hello"))
    config = yaml.safe_load((tmp_path / "hello/server_config.yaml").read_text(encoding="utf-8"))
    limits = ("max_body_size", "idle_connection_timeout", "body_timeout", "max_connections")
    assert {key: config[key] for key in limits} == {
        "max_body_size": 1024 * 1024,
        "idle_connection_timeout": 60,
        "body_timeout": 60,
        "max_connections": 10_000,
    }
    loaded = load_project(tmp_path / "hello").config
    assert [loaded[key] for key in limits] == [1024 * 1024, 60.0, 60.0, 10_000]
