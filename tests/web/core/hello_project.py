"""The seed's hello project, written by hand into a directory: component with validator, two
hello controllers, every built-in controller and every default component configured."""

from __future__ import annotations

from pathlib import Path

from .conftest import write_project

CONFIG = """\
name: hello server
port: 8888
debug: false
shutdown_timeout: 5
controller:
    /hello:
        enum: hello
    /hello_tornado:
        enum: hello_tornado
    /work:
        enum: work
    /alive:
        enum: server_alive
    /components_info:
        enum: components_info
    /(.*):
        enum: frontend
        params:
            path: frontend
            default_filename: index.html
component:
    localization:
        dir: local
        lang: tw
    logger:
        dir: logs
    worker_pool:
        default: 2
        io: 1
    task_queue:
        worker_count: 2
    memory_cache:
        sess_lifetime: 600
    hello:
        p1: 'This is p1'
    recorder:
"""

COMPONENT_INIT = """\
from hostray.web.component import ComponentTypes
from hostray.web.config_validator import (
    ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator,
)

# add hello validator to component config validator
HostrayWebConfigComponentValidator.set_cls_parameters(
    ConfigContainerMeta('hello', False,
        ConfigElementMeta('p1', str, True)
    )
)

class HelloComponentTypes(ComponentTypes):
    Hello = ('hello', 'hello', 'HelloComponent')
    Recorder = ('recorder', 'hello', 'RecorderComponent')
"""

COMPONENT_HELLO = """\
import threading

from hostray.web.component import Component
from . import HelloComponentTypes

class HelloComponent(Component):
    def init(self, component_manager, p1, *arugs, **kwargs) -> None:
        print('init Hello component load from', __package__, 'and the parameters p1:', p1)
        self.p1 = p1
        self.root_dir = kwargs['root_dir']

    def hello(self):
        return 'Hello World, This is hostray generate hello component'

    def info(self):
        return {**super().info(), 'info': {'p1': self.p1, 'password': 'hunter2'}}


class RecorderComponent(Component):
    \"\"\"Keeps what happened to it, and checks the defaults still work when it is disposed.\"\"\"

    events = []

    def init(self, component_manager, **kwargs) -> None:
        self.done = threading.Event()
        self.events.append(('init', sorted(kwargs)))

    async def dispose(self, component_manager) -> None:
        from hostray.web.component import DefaultComponentTypes
        pools = component_manager.get_component(DefaultComponentTypes.WorkerPool)
        answer = await pools.run_method_async(lambda: 'pool alive', pool_id='io')
        self.events.append(('dispose', answer))
"""

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class HelloControllerTypes(ControllerType):
    Hello = ('hello', 'hello', 'HelloController')
    HelloTornado = ('hello_tornado', 'hello', 'HelloTornadoHandler')
    Work = ('work', 'hello', 'WorkController')
"""

CONTROLLER_HELLO = """\
from tornado.web import RequestHandler

from hostray.web.component import DefaultComponentTypes
from hostray.web.controller import RequestController
from component import HelloComponentTypes


class HelloController(RequestController):
    async def get(self):
        hello_comp = self.component_manager.get_component(HelloComponentTypes.Hello)
        self.write(hello_comp.hello())


class HelloTornadoHandler(RequestHandler):
    async def get(self):
        hello_comp = self.application.component_manager.get_component(HelloComponentTypes.Hello)
        self.write(hello_comp.hello())


class WorkController(RequestController):
    async def get(self):
        recorder = self.component_manager.get_component(HelloComponentTypes.Recorder)
        queue = self.component_manager.get_component(DefaultComponentTypes.TaskQueue)
        queue.run_method_in_queue(recorder.done.set)
        in_pool = await self.run_method_async(lambda: 'ran in io', pool_id='io')
        self.write({
            'message': self.get_localized_message(10000),
            'hostray_message': self.get_localized_message(102, 'x'),
            'pool': in_pool,
        })
"""

LOCAL_CSV = """\
code,en,tw
10000,"this is code 10000",這是 code 10000
"""


def write_hello_project(root: Path) -> Path:
    """The hello project under `root`."""
    return write_project(
        root,
        CONFIG,
        {
            "component/__init__.py": COMPONENT_INIT,
            "component/hello.py": COMPONENT_HELLO,
            "controller/__init__.py": CONTROLLER_INIT,
            "controller/hello.py": CONTROLLER_HELLO,
            "frontend/index.html": "<h1>hello frontend</h1>\n",
            "local/messages.csv": LOCAL_CSV,
        },
    )
