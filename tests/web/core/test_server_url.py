"""`HostrayServer.url`: the base URL the command line announces, from the server itself."""

from __future__ import annotations

import pytest
from tornado.httpclient import AsyncHTTPClient

from hostray.web.server import HostrayServer

CONFIG = {"name": "url", "port": 0, "controller": {"/alive": {"enum": "server_alive"}}}


@pytest.mark.parametrize(("address", "host"), [("127.0.0.1", "127.0.0.1"), ("::1", "[::1]")])
async def test_url_names_scheme_host_and_bound_port(address: str, host: str) -> None:
    server = HostrayServer(CONFIG, address=address)
    await server.start()
    try:
        assert server.url == f"http://{host}:{server.port}"
        response = await AsyncHTTPClient().fetch(f"{server.url}/alive")
        assert response.body == b"1"
    finally:
        await server.stop()
