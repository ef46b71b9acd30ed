"""A controller calling `services` behind a real server: an upstream body past the cap, a
redirect to another host and a climbing `route_input` reach the client as 502, 502 and 400, and
the upstream's other pages stay out of reach (issue 13, items 5 and 11)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from ..optional.http_server import echo_server
from .conftest import write_project

if TYPE_CHECKING:
    from .conftest import Served

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    Proxy = ('proxy', 'proxy', 'Proxy')
"""

PROXY = """\
from hostray.web.component import OptionalComponentTypes
from hostray.web.controller import RequestController


class Proxy(RequestController):
    async def get(self, name):
        services = self.component_manager.get_component(OptionalComponentTypes.Service)
        arguments = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        route = arguments.pop('route', '')
        response = await services.invoke_async(name, route_input=route, **arguments)
        self.set_status(response.status_code)
        self.write(response.content)
"""


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with echo_server() as url:
        yield url


@pytest.fixture(scope="module")
def internal() -> Iterator[str]:
    with echo_server() as url:
        yield url


def proxy_project(root: Path, upstream: str) -> Path:
    config = f"""\
        name: proxy
        component:
            services:
                {upstream}:
                    /big:
                        name: big
                        get:
                        max_response_size: 4096
                    /redirect:
                        name: redirect
                        get:
                    /echo:
                        name: echo
                        get:
        controller:
            /proxy/(\\w+):
                enum: proxy
        """
    files = {"controller/__init__.py": CONTROLLER_INIT, "controller/proxy.py": PROXY}
    return write_project(root, config, files)


async def fetch(url: str) -> HTTPResponse:
    client = AsyncHTTPClient(force_instance=True)
    try:
        return await client.fetch(url, raise_error=False, request_timeout=30)
    finally:
        client.close()


async def test_services_limits_behind_a_server(
    serve: Callable[[Path], AbstractContextManager[Served]],
    tmp_path: Path,
    upstream: str,
    internal: str,
) -> None:
    with serve(proxy_project(tmp_path / "proxy", upstream)) as served:
        small = await fetch(f"{served.url}/proxy/big?size=4096")
        assert (small.code, len(small.body)) == (200, 4096)
        big = await fetch(f"{served.url}/proxy/big?size=300000")
        assert big.code == 502
        assert b"max_response_size" not in big.body  # the detail is for the log, not the client

        same_host = await fetch(f"{served.url}/proxy/redirect?to=/echo/next")
        assert same_host.code == 200
        assert b'"/echo/next"' in same_host.body
        other_host = await fetch(f"{served.url}/proxy/redirect?to={internal}/echo/internal")
        assert other_host.code == 502
        assert b"internal" not in other_host.body

        climbing = await fetch(f"{served.url}/proxy/echo?route=../../private/x")
        assert climbing.code == 400
        assert b"segment" in climbing.body
        injected = await fetch(f"{served.url}/proxy/echo?route=1%3Fadmin%3Dtrue%23")
        assert injected.code == 200
        assert b'"query": {}' in injected.body
        output = served.stop()
    assert "larger than max_response_size (4096 bytes)" in output
    assert "refused: it leaves" in output
    assert "Traceback" not in output
