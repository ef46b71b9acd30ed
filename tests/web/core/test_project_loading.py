"""Loading projects: every problem at once with file:line, ProjectError for project problems,
no state leaking from one project to the next in the same process."""

from __future__ import annotations

import asyncio
import sys
import unittest
from pathlib import Path

import pytest

from hostray.config import ConfigError
from hostray.web.component import DefaultComponentTypes
from hostray.web.config_validator import HostrayWebConfigComponentValidator
from hostray.web.errors import ProjectError
from hostray.web.project import load_project, load_unit_tests
from hostray.web.server import HostrayServer

from .conftest import write_project
from .hello_project import write_hello_project

HELLO_TYPES = """\
from hostray.web.component import ComponentTypes

class HelloComponentTypes(ComponentTypes):
    Hello = ('hello', 'hello', 'HelloComponent')
"""

MORE_TYPES = """
class MoreTypes(ComponentTypes):
    Logs = ('logger', 'hello', 'HelloComponent')
"""

HELLO_COMPONENT = """\
from hostray.web.component import Component

class HelloComponent(Component):
    def init(self, component_manager, p1='default p1', **kwargs):
        self.p1 = p1
"""


def test_hello_project_loads_with_paths_resolved(tmp_path: Path) -> None:
    root = write_hello_project(tmp_path / "hello")
    project = load_project(root)
    assert project.root_dir == str(root)
    assert project.name == "hello server"
    assert project.config_file == str(root / "server_config.yaml")
    components = project.config["component"]
    assert components["localization"]["dir"] == str(root / "local")
    assert components["logger"]["dir"] == str(root / "logs")
    frontend = project.config["controller"]["/(.*)"]["params"]
    assert frontend["path"] == str(root / "frontend")
    keys = [spec.component_type.key for spec in project.components]
    assert keys[:5] == [m.key for m in DefaultComponentTypes]
    assert [r.pattern for r in project.routes] == [
        "/hello",
        "/hello_tornado",
        "/work",
        "/alive",
        "/components_info",
        "/(.*)",
    ]


def test_project_without_reserved_packages_gets_default_components(tmp_path: Path) -> None:
    root = write_project(tmp_path / "bare", "name: bare\n")
    project = load_project(root)
    assert [s.component_type for s in project.components] == list(DefaultComponentTypes)
    assert project.routes == []
    assert project.config["port"] == 8888


def test_bad_config_names_every_key_with_file_and_line(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "bad",
        """\
        name: bad
        port: eighty
        debgu: true
        component:
            worker_pool:
                default: 0
        controller:
            /alive:
                enum: server_alive
                params: 3
        """,
    )
    config = root / "server_config.yaml"
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert not isinstance(caught.value, ProjectError)
    assert len(caught.value.problems) == 4
    assert set(caught.value.problems) == {
        f"{config}:2: port: expected a port number (0-65535), got 'eighty' (str)",
        f"{config}:3: debgu: unknown key, did you mean 'debug'?",
        f"{config}:6: component.worker_pool.default: expected an int >= 1, got 0 (int)",
        f"{config}:10: controller./alive.params: expected a mapping, got 3 (int)",
    }


def test_unknown_component_and_controller_keys_are_reported_together(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "typos",
        """\
        component:
            helo:
                p1: x
        controller:
            /alive:
                enum: server_alve
            /bad[:
                enum: server_alive
        """,
        {"component/__init__.py": HELLO_TYPES, "component/hello.py": HELLO_COMPONENT},
    )
    config = root / "server_config.yaml"
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    problems = caught.value.problems
    assert f"{config}:2: component.helo: unknown key, did you mean 'hello'?" in problems
    assert any(
        p.startswith(f"{config}:6: controller./alive.enum: no ControllerType enum defines key")
        and "did you mean 'server_alive'?" in p
        and "project 'typos'" in p
        for p in problems
    ), problems
    assert any(p.startswith(f"{config}:7: controller./bad[: not a valid route") for p in problems)


def test_same_key_in_two_enums_is_a_project_error(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "twice",
        "name: twice\n",
        {
            "component/__init__.py": HELLO_TYPES + MORE_TYPES,
            "component/hello.py": HELLO_COMPONENT,
        },
    )
    with pytest.raises(ProjectError, match=r"component key 'logger' is defined twice") as caught:
        load_project(root)
    message = str(caught.value)
    assert "DefaultComponentTypes.Logger" in message
    assert "MoreTypes.Logs" in message
    assert "project 'twice'" in message


def test_validator_without_enum_is_a_project_error(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "orphan",
        "component:\n    orphan:\n        x: 1\n",
        {
            "component/__init__.py": """\
            from hostray.web.config_validator import (
                ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator,
            )
            HostrayWebConfigComponentValidator.set_cls_parameters(
                ConfigContainerMeta('orphan', False, ConfigElementMeta('x', int, True))
            )
            """
        },
    )
    config = root / "server_config.yaml"
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    assert caught.value.problems == [
        f"{config}:2: component.orphan: no ComponentTypes enum defines key 'orphan' "
        "(project 'orphan')"
    ]


def test_reserved_package_that_fails_to_import_is_a_project_error(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "broken",
        "name: broken\n",
        {"component/__init__.py": "raise RuntimeError('boom at import')\n"},
    )
    with pytest.raises(ProjectError, match=r"importing reserved package 'component' failed: "):
        load_project(root)


def test_missing_component_class_names_key_and_file(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "noclass",
        "component:\n    hello:\n",
        {"component/__init__.py": HELLO_TYPES, "component/hello.py": "X = 1\n"},
    )
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{root / 'server_config.yaml'}:2: component.hello: ")
    assert "has no attribute 'HelloComponent'" in problem


def test_component_init_that_raises_is_a_project_error_and_disposes_the_rest(
    tmp_path: Path,
) -> None:
    root = write_project(
        tmp_path / "initfail",
        "component:\n    hello:\n        p1: 1\n",
        {
            "component/__init__.py": HELLO_TYPES,
            "component/hello.py": """\
            from hostray.web.component import Component

            class HelloComponent(Component):
                def init(self, component_manager, p1, **kwargs):
                    raise ValueError(f'p1 must be a string, got {p1!r}')
            """,
        },
    )
    server = HostrayServer(root, port=0, address="127.0.0.1")
    with pytest.raises(ProjectError) as caught:
        asyncio.run(server.start())
    assert caught.value.problems == [
        f"{root / 'server_config.yaml'}: component.hello: init failed: "
        "ValueError: p1 must be a string, got 1 (project 'initfail')",
        f"    {root / 'component' / 'hello.py'}:5: in init: "
        "raise ValueError(f'p1 must be a string, got {p1!r}')",
    ]


def test_callback_takes_no_settings(tmp_path: Path) -> None:
    root = write_project(tmp_path / "cb", "component:\n    callback:\n        x: 1\n")
    with pytest.raises(ConfigError, match=r":2: component\.callback: takes no settings"):
        load_project(root)


def test_two_projects_in_one_process_do_not_leak_into_each_other(tmp_path: Path) -> None:
    first = write_project(
        tmp_path / "first",
        "component:\n    hello:\n        p1: one\n",
        {
            "component/__init__.py": HELLO_TYPES
            + """
from hostray.web.config_validator import (
    ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator,
)
HostrayWebConfigComponentValidator.set_cls_parameters(
    ConfigContainerMeta('hello', False, ConfigElementMeta('p1', str, True))
)
""",
            "component/hello.py": HELLO_COMPONENT,
            "helpers.py": "WHO = 'first'\n",
        },
    )
    first_project = load_project(first)
    assert sys.modules["component"].__file__ == str(first / "component" / "__init__.py")
    assert str(first) in sys.path
    # what the project's __init__ registered went into that load's copy of the validator tree
    assert "hello" not in HostrayWebConfigComponentValidator.cls_parameters
    assert first_project.config["component"]["hello"] == {"p1": "one"}
    import helpers  # type: ignore[import-not-found]

    assert helpers.WHO == "first"

    second = write_project(
        tmp_path / "second",
        "component:\n    other:\n",
        {
            "component/__init__.py": """\
            from hostray.web.component import ComponentTypes

            class OtherTypes(ComponentTypes):
                Other = ('other', 'other', 'OtherComponent')
            """,
            "component/other.py": HELLO_COMPONENT.replace("HelloComponent", "OtherComponent"),
        },
    )
    second_project = load_project(second)
    assert sys.modules["component"].__file__ == str(second / "component" / "__init__.py")
    assert str(first) not in sys.path
    assert "helpers" not in sys.modules
    # the first project's validator is gone: its own key is no longer required to be a str
    assert "hello" not in HostrayWebConfigComponentValidator.cls_parameters
    with pytest.raises(ConfigError, match=r"component\.hello: unknown key"):
        load_project(write_project(tmp_path / "third", "component:\n    hello:\n"))
    # the classes each project resolved stay its own
    assert first_project.components[-1].component_class.__module__ == "component.hello"
    assert second_project.components[-1].component_class.__name__ == "OtherComponent"


def test_load_unit_tests_collects_the_unit_test_enums(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "tested",
        "name: tested\n",
        {
            "unit_test/__init__.py": """\
            from hostray.unit_test import UnitTestTypes

            class ProjectTests(UnitTestTypes):
                Passing = ('passing', 'cases', 'PassingCase')
                Failing = ('failing', 'cases', 'FailingCase')
            """,
            "unit_test/cases.py": """\
            from hostray.unit_test import UnitTestCase

            class PassingCase(UnitTestCase):
                def test(self):
                    self.assertEqual(1 + 1, 2)

                def test_more(self):
                    self.assertTrue(True)

            class FailingCase(UnitTestCase):
                def test(self):
                    self.assertEqual('hostray', 'tornado')
            """,
        },
    )
    suite = load_unit_tests(root)
    assert suite.countTestCases() == 3
    result = unittest.TestResult()
    suite.run(result)
    assert result.testsRun == 3
    assert [type(case).__name__ for case, _ in result.failures] == ["FailingCase"]
    assert result.errors == []


def test_test_methods_that_need_arguments_are_helpers_not_tests(tmp_path: Path) -> None:
    # 0.7.5's own cases called helpers like test_func(self, i, kwindex) from test()
    root = write_project(
        tmp_path / "helpers",
        "name: helpers\n",
        {
            "unit_test/__init__.py": """\
            from hostray.unit_test import UnitTestTypes

            class ProjectTests(UnitTestTypes):
                Helpers = ('helpers', 'cases', 'HelperCase')
            """,
            "unit_test/cases.py": """\
            from hostray.unit_test import UnitTestCase

            class HelperCase(UnitTestCase):
                def test(self):
                    self.test_func(1, kwindex=2)

                def test_func(self, i, kwindex):
                    self.assertEqual((i, kwindex), (1, 2))

                def test_alone(self):
                    self.assertTrue(True)
            """,
        },
    )
    suite = load_unit_tests(root)
    result = unittest.TestResult()
    suite.run(result)
    assert (result.testsRun, result.errors, result.failures) == (2, [], [])


def test_route_params_that_initialize_cannot_take_are_config_errors(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "params",
        """\
        controller:
            /(.*):
                enum: frontend
                params:
                    default_filename: index.html
            /alive:
                enum: server_alive
                params:
                    verbose: true
        """,
    )
    config = root / "server_config.yaml"
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert set(caught.value.problems) == {
        f"{config}:4: controller./(.*).params: StaticFileHandler.initialize() "
        "missing a required argument: 'path'",
        f"{config}:8: controller./alive.params: SystemAliveController.initialize() "
        "got an unexpected keyword argument 'verbose'",
    }


HELPERS_KEYERROR = {
    "controller/__init__.py": """\
    from hostray.web.controller import ControllerType

    class MiscTypes(ControllerType):
        Misc = ('misc', 'misc', 'MiscController')
    """,
    "controller/misc.py": """\
    from hostray.web.controller import RequestController

    from .helpers import LABEL

    class MiscController(RequestController):
        pass
    """,
    "controller/helpers.py": """\
    TABLE = {'a': 1}


    def label(key):
        return TABLE[key]


    LABEL = label('b')
    """,
}


def test_an_error_in_the_projects_code_shows_its_file_line_and_source(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "misc", "controller:\n    /misc:\n        enum: misc\n", HELPERS_KEYERROR
    )
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    summary, *frames = caught.value.problems
    assert "importing module 'controller.misc' failed: KeyError: 'b'" in summary
    helpers = root / "controller" / "helpers.py"
    assert frames == [
        f"    {root / 'controller' / 'misc.py'}:3: in <module>: from .helpers import LABEL",
        f"    {helpers}:8: in <module>: LABEL = label('b')",
        f"    {helpers}:5: in label: return TABLE[key]",
    ]


def test_debug_shows_the_whole_traceback(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "misc", "controller:\n    /misc:\n        enum: misc\n", HELPERS_KEYERROR
    )
    with pytest.raises(ProjectError) as caught:
        load_project(root, debug=True)
    text = "\n".join(caught.value.problems[1:])
    assert "Traceback (most recent call last):" in text
    assert "importlib" in text  # the frames outside the project too
    assert "KeyError: 'b'" in text


def test_a_syntax_error_names_its_file_and_line(tmp_path: Path) -> None:
    files = dict(HELPERS_KEYERROR)
    files["controller/helpers.py"] = "LABEL = (1,\n"
    root = write_project(
        tmp_path / "syntax", "controller:\n    /misc:\n        enum: misc\n", files
    )
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    assert f"    {root / 'controller' / 'helpers.py'}:1: " in "\n".join(caught.value.problems)


def test_a_broken_reserved_package_is_reported_once_without_follow_on_problems(
    tmp_path: Path,
) -> None:
    routes = "".join(f"    /r{n}:\n        enum: r{n}\n" for n in range(10))
    root = write_project(
        tmp_path / "broken",
        "component:\n    hello:\n        p1: x\ncontroller:\n" + routes,
        {
            "controller/__init__.py": "from hostray.web.controller import ControllerType\n"
            "class Types(ControllerType:\n",
            "component/__init__.py": "raise RuntimeError('component is broken too')\n",
        },
    )
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    problems = [p for p in caught.value.problems if not p.startswith(" ")]
    assert len(problems) == 2, caught.value.problems
    assert "importing reserved package 'component' failed: RuntimeError" in problems[0]
    assert "importing reserved package 'controller' failed: SyntaxError" in problems[1]
    assert f"    {root / 'controller' / '__init__.py'}:2: " in "\n".join(caught.value.problems)


def test_two_routes_on_one_broken_module_show_its_frames_once(tmp_path: Path) -> None:
    files = dict(HELPERS_KEYERROR)
    files["controller/__init__.py"] = (
        files["controller/__init__.py"].rstrip()
        + "\n        Other = ('other', 'misc', 'MiscController')\n"
    )
    root = write_project(
        tmp_path / "twice",
        "controller:\n    /misc:\n        enum: misc\n    /other:\n        enum: other\n",
        files,
    )
    with pytest.raises(ProjectError) as caught:
        load_project(root)
    summaries = [p for p in caught.value.problems if not p.startswith(" ")]
    frames = [p for p in caught.value.problems if p.startswith(" ")]
    assert [s.split(": ")[1] for s in summaries] == [
        "controller./misc.enum",
        "controller./other.enum",
    ]
    assert all("importing module 'controller.misc' failed: KeyError" in s for s in summaries)
    assert len(frames) == 3


STRICT_COMPONENT = """\
from hostray.web.component import Component


class HelloComponent(Component):
    def init(self, component_manager, p1, path, dir):
        self.seen = (p1, path, dir, component_manager.root_dir)
"""


def test_init_without_kwargs_and_project_paths_as_written(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "strict",
        "component:\n    hello:\n        p1: x\n        path: api/notes\n        dir: data\n",
        {"component/__init__.py": HELLO_TYPES, "component/hello.py": STRICT_COMPONENT},
    )
    server = HostrayServer(root, port=0, address="127.0.0.1")

    async def start_and_stop() -> object:
        await server.start()
        try:
            assert server.component_manager is not None
            return server.component_manager.components[-1].seen  # type: ignore[attr-defined]
        finally:
            await server.stop()

    assert asyncio.run(start_and_stop()) == ("x", "api/notes", "data", str(root))


def test_a_project_validator_declares_its_paths_with_config_path(tmp_path: Path) -> None:
    validator = """\
from hostray.config import config_path
from hostray.web.config_validator import (
    ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator,
)
HostrayWebConfigComponentValidator.set_cls_parameters(
    ConfigContainerMeta(
        "hello",
        False,
        ConfigElementMeta("p1", str, True),
        ConfigElementMeta("store", config_path, True),
    )
)
"""
    root = write_project(
        tmp_path / "declared",
        "component:\n    hello:\n        p1: api/notes\n        store: data/notes\n",
        {"component/__init__.py": HELLO_TYPES + validator, "component/hello.py": HELLO_COMPONENT},
    )
    hello = load_project(root).config["component"]["hello"]
    assert hello == {"p1": "api/notes", "store": str(root / "data" / "notes")}
