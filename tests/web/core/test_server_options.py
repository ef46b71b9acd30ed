"""Server options: debug tracebacks, Tornado settings, pre-bound sockets, a busy port, a config
given as a mapping."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse
from tornado.netutil import bind_sockets

from hostray.config import ConfigError
from hostray.web.server import HostrayServer

from .conftest import write_project

CONTROLLERS = """\
from tornado.web import RequestHandler

from hostray.web.controller import RequestController


class Boom(RequestController):
    async def get(self):
        raise RuntimeError('secret internals')


class Form(RequestHandler):
    def get(self):
        self.write(self.xsrf_token)

    def post(self):
        self.write('posted')
"""

CONTROLLER_INIT = """\
from hostray.web.controller import ControllerType

class Types(ControllerType):
    Boom = ('boom', 'handlers', 'Boom')
    Form = ('form', 'handlers', 'Form')
"""


def project(root: Path, extra: str = "") -> Path:
    return write_project(
        root,
        "controller:\n    /boom:\n        enum: boom\n    /form:\n        enum: form\n" + extra,
        {"controller/__init__.py": CONTROLLER_INIT, "controller/handlers.py": CONTROLLERS},
    )


async def fetch(server: HostrayServer, path: str, **kwargs: Any) -> HTTPResponse:
    client = AsyncHTTPClient(force_instance=True)
    try:
        url = f"http://127.0.0.1:{server.port}{path}"
        return await client.fetch(url, raise_error=False, request_timeout=30, **kwargs)
    finally:
        client.close()


@pytest.mark.parametrize("debug", [False, True])
async def test_500_shows_a_traceback_only_in_debug(tmp_path: Path, debug: bool) -> None:
    server = HostrayServer(project(tmp_path / "p"), port=0, address="127.0.0.1", debug=debug)
    await server.start()
    try:
        response = await fetch(server, "/boom")
    finally:
        await server.stop()
    assert response.code == 500
    assert (b"Traceback" in response.body) is debug
    assert (b"secret internals" in response.body) is debug


async def test_tornado_settings_block_reaches_the_application(tmp_path: Path) -> None:
    root = project(tmp_path / "p", "settings:\n    cookie_secret: s3cret\n    xsrf_cookies: true\n")
    server = HostrayServer(root, port=0, address="127.0.0.1")
    await server.start()
    try:
        assert server.app is not None
        assert server.app.settings["cookie_secret"] == "s3cret"
        refused = await fetch(server, "/form", method="POST", body="x=1")
        assert refused.code == 403
        form = await fetch(server, "/form")
        token = form.body.decode()
        cookie = form.headers["Set-Cookie"].split(";")[0]
        accepted = await fetch(
            server, "/form", method="POST", body=f"_xsrf={token}", headers={"Cookie": cookie}
        )
        assert (accepted.code, accepted.body) == (200, b"posted")
    finally:
        await server.stop()


async def test_start_accepts_pre_bound_sockets(tmp_path: Path) -> None:
    sockets = bind_sockets(0, "127.0.0.1")
    server = HostrayServer(project(tmp_path / "p"))
    await server.start(sockets=sockets)
    try:
        assert server.port == sockets[0].getsockname()[1]
        assert (await fetch(server, "/boom")).code == 500
    finally:
        await server.stop()


async def test_busy_port_is_a_config_error_and_components_are_disposed(tmp_path: Path) -> None:
    taken = bind_sockets(0, "127.0.0.1")
    port = taken[0].getsockname()[1]
    server = HostrayServer(project(tmp_path / "p"), port=port, address="127.0.0.1")
    try:
        with pytest.raises(ConfigError, match=rf"port: cannot listen on 127\.0\.0\.1:{port}: "):
            await server.start()
    finally:
        for sock in taken:
            sock.close()
    assert server.component_manager is not None
    pools = server.component_manager.components[3]
    assert all(pool.closed for pool in pools.pools.values())  # type: ignore[attr-defined]


async def test_config_mapping_is_validated_like_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"port: expected a port number"):
        HostrayServer({"port": "x"})
    server = HostrayServer({"name": "inline", "port": 0, "address": "127.0.0.1"})
    await server.start()
    try:
        assert server.project.name == "inline"
        assert (await fetch(server, "/")).code == 404
    finally:
        await asyncio.wait_for(server.stop(), 30)
