# ruff: noqa: E501 -- the project files are 0.7.5's generated code, long lines included
"""A project exactly as hostray 0.7.5's `create` wrote it (its component, controller and
unit_test packages, pack.yaml and requirements.txt), with a server_config.yaml in 0.7.5's style
(Tornado settings at the top level, a number as a string), runs unchanged: start, test, pack."""

from __future__ import annotations

import signal
import subprocess
import tarfile
import textwrap
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

if TYPE_CHECKING:
    from .conftest import ServerProcess

HELLO = "Hello World, This is hostray generate hello component"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))

FILES = {
    "component/__init__.py": """\
        from hostray.web.component import ComponentTypes

        from hostray.web.config_validator import ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator

        # add hello validator to component config validator
        HostrayWebConfigComponentValidator.set_cls_parameters(
            ConfigContainerMeta('hello', False,
                ConfigElementMeta('p1', str, True) # validate HelloComponent's 'p1' argument is required and string type
            )
        )

        class HelloComponentTypes(ComponentTypes):
            Hello = ('hello', 'hello', 'HelloComponent')
        """,
    "component/hello.py": """\
        from hostray.web.component import Component
        from . import HelloComponentTypes

        class HelloComponent(Component):
            def init(self, component_manager, p1, *arugs, **kwargs) -> None:
                print('init Hello component load from', __package__, 'and the parameters p1:', p1)

            def hello(self):
                return 'Hello World, This is hostray generate hello component'
        """,
    "controller/__init__.py": """\
        from hostray.web.controller import ControllerType

        class HelloControllerTypes(ControllerType):
            HelloController = ('hello_world', 'hello', 'HelloController')
            THelloController = ('tornado_hello_world', 'hello', 'HelloTornadoHandler')
        """,
    "controller/hello.py": """\
        from hostray.web.controller import RequestController

        from component import HelloComponentTypes

        class HelloController(RequestController):
            async def get(self):
                hello_comp = self.component_manager.get_component(HelloComponentTypes.Hello)
                self.write(hello_comp.hello())

        from tornado.web import RequestHandler

        class HelloTornadoHandler(RequestHandler):
            async def get(self):
                hello_comp = self.application.component_manager.get_component(HelloComponentTypes.Hello)
                self.write(hello_comp.hello())
        """,
    "unit_test/__init__.py": """\
        from hostray.unit_test import UnitTestTypes

        class UTTypes(UnitTestTypes):
            UT1 = ('ut1', 'ut1', 'UT1TestCase')
        """,
    "unit_test/ut1.py": """\
        from hostray.unit_test import UnitTestCase

        class UT1TestCase(UnitTestCase):
            def test(self):
                # implement unit test here...

                print('ut1 test case runned')
        """,
    "server_config.yaml": """\
        name: hostray Server
        port: 8888
        debug: False
        cookie_secret: test-secret
        xsrf_cookies: true
        compress_response: true
        component:
          hello:
            p1: 'This is p1'
          task_queue:
            worker_count: '2'
        controller:
          /hello:
            enum: hello_world
          /hello_tornado:
            enum: tornado_hello_world
        """,
    "pack.yaml": """

        # this is packing list indicated what are the files should be pack
        # if this file does not exist under the project folder, all of the files under the folder will be packed

        include:
        # if include is not specfied, only collect all of the files under the server folder
        # list absolute or relative path of file or directory
        # - example.txt
        # - example_dir

        exclude:
        # if exclude is not specfied, keeps all of the files
        # list absolute or relative path of file, directory, or file extension
        - '.log'
        """,
    "requirements.txt": "hostray>=0.7.5",
}

MOVED = ("cookie_secret", "xsrf_cookies", "compress_response")


@pytest.fixture
def old_project(tmp_path: Path) -> Path:
    root = tmp_path / "hello"
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "server.log").write_text("a log the pack list excludes\n", encoding="utf-8")
    return root


def _get(url: str) -> str:
    with _DIRECT.open(url, timeout=10) as response:
        assert response.status == 200
        return cast(bytes, response.read()).decode("utf-8")


def _post_status(url: str) -> int:
    try:
        with _DIRECT.open(urllib.request.Request(url, data=b"x=1"), timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_start(
    serve: Callable[..., AbstractContextManager[ServerProcess]], old_project: Path
) -> None:
    with serve(old_project, "-s") as server:  # 0.7.5's --http_server flag
        url = server.wait_listening()
        assert _get(url + "/hello") == HELLO
        assert _get(url + "/hello_tornado") == HELLO
        assert _post_status(url + "/hello") == 403  # xsrf_cookies reached the Application
        assert server.stop(signal.SIGTERM) == 0
    text = server.text()
    assert "Traceback" not in text
    assert "init Hello component load from component and the parameters p1: This is p1" in text
    for key in MOVED:
        assert f"{key}: a Tornado setting at the top level" in text
    assert "component.task_queue.worker_count: the string '2' is read as the number 2" in text


def test_test(hostray: Callable[..., subprocess.CompletedProcess[str]], old_project: Path) -> None:
    done = hostray("test", str(old_project))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ut1 test case runned" in done.stdout
    assert "Ran 1 test" in done.stderr
    assert done.stderr.rstrip().endswith("OK")


def test_pack(
    hostray: Callable[..., subprocess.CompletedProcess[str]], old_project: Path, tmp_path: Path
) -> None:
    done = hostray("pack", str(old_project), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    with tarfile.open(tmp_path / "hello.tar.gz") as archive:
        names = set(archive.getnames())
    assert {
        "hello/server_config.yaml",
        "hello/pack.yaml",
        "hello/requirements.txt",
        "hello/component/__init__.pyc",
        "hello/component/hello.pyc",
        "hello/controller/hello.pyc",
        "hello/unit_test/ut1.pyc",
    } <= names
    assert "hello/server.log" not in names
    assert not [name for name in names if name.endswith(".py")]
