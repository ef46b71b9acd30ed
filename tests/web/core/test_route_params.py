"""Route `params` are checked against `initialize()`'s annotations at start; a controller failing in
`initialize()` at request time answers 500 and logs where, instead of dropping the connection."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hostray.config import ConfigError
from hostray.web.project import load_project
from hostray.web.pytest_plugin import RunningServer

from .conftest import write_project

CONTROLLERS = {
    "controller/__init__.py": """\
    from hostray.web.controller import ControllerType

    class ParamTypes(ControllerType):
        Typed = ('typed', 'typed', 'TypedController')
        Failing = ('failing', 'typed', 'FailingController')
        Upload = ('upload', 'hostray.web.controller', 'StreamingFileUploadController')
    """,
    "controller/typed.py": """\
    from hostray.web.controller import RequestController

    class TypedController(RequestController):
        def initialize(self, limit: int, ratio: float = 1.0, label: str | None = None) -> None:
            self.limit = limit

        def get(self):
            self.write(str(self.limit))

    def lookup(key):
        return {'a': 1}[key]

    class FailingController(RequestController):
        def initialize(self, key='b'):
            self.value = lookup(key)

        def get(self):
            self.write('never')
    """,
}


def test_a_param_of_the_wrong_type_is_a_one_line_problem_naming_the_key(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "typed",
        """\
        controller:
            /typed:
                enum: typed
                params:
                    limit: ten
                    ratio: 2
                    label: 3
            /upload:
                enum: upload
                params:
                    upload_dir: up
                    max_body_size: ten
        """,
        CONTROLLERS,
    )
    config = root / "server_config.yaml"
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert caught.value.problems == [
        f"{config}:5: controller./typed.params.limit: expected int, got 'ten'",
        f"{config}:7: controller./typed.params.label: expected str | None, got 3",
        f"{config}:12: controller./upload.params.max_body_size: expected int, got 'ten'",
    ]


def test_right_types_load(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "typed",
        "controller:\n    /typed:\n        enum: typed\n        params: {limit: 3, ratio: 2}\n",
        CONTROLLERS,
    )
    assert load_project(root).routes[0].params == {"limit": 3, "ratio": 2}


def test_a_controller_failing_in_initialize_answers_500_and_logs_where(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_project(
        tmp_path / "failing",
        "controller:\n    /failing:\n        enum: failing\n    /typed:\n        enum: typed\n"
        "        params: {limit: 7}\n",
        CONTROLLERS,
    )
    server = RunningServer(root)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="tornado.application"),
            pytest.raises(urllib.error.HTTPError) as answered,
        ):
            urllib.request.urlopen(server.url("/failing"), timeout=30)
        assert answered.value.code == 500
        with urllib.request.urlopen(server.url("/typed"), timeout=30) as response:
            assert response.read() == b"7"  # the server still serves
    finally:
        server.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    typed = root / "controller" / "typed.py"
    assert "GET /failing: FailingController.initialize() failed: KeyError: 'b'" in logged
    assert f"{typed}:15: in initialize: self.value = lookup(key)" in logged
    assert f"{typed}:11: in lookup: return {{'a': 1}}[key]" in logged
    assert "tornado/web.py" not in logged


def test_the_built_in_controllers_params_are_checked_too(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "builtin",
        """\
        controller:
            /(.*):
                enum: frontend
                params:
                    path: web
                    default_filename: 5
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert caught.value.problems == [
        f"{root / 'server_config.yaml'}:6: controller./(.*).params.default_filename: "
        "expected str | None, got 5"
    ]
