"""The seed's hello project end to end: load, start on a real socket, answer, stop gracefully."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from hostray.config import SECRET_MASK
from hostray.web.component import Component, DefaultComponentTypes
from hostray.web.server import HostrayServer

from .hello_project import write_hello_project


async def fetch(server: HostrayServer, path: str) -> HTTPResponse:
    client = AsyncHTTPClient(force_instance=True)
    try:
        url = f"http://127.0.0.1:{server.port}{path}"
        return await client.fetch(url, raise_error=False, request_timeout=30)
    finally:
        client.close()


def spy_on_dispose(component: Component, calls: list[str]) -> None:
    """Record the order of dispose calls, keeping each component's own dispose."""
    original = component.dispose

    def dispose(component_manager: Any) -> Any:
        calls.append(component.component_type.key)
        return original(component_manager)

    component.dispose = dispose  # type: ignore[method-assign]


async def test_hello_project_serves_and_stops_in_reverse_component_order(tmp_path: Path) -> None:
    root = write_hello_project(tmp_path / "hello")
    server = HostrayServer(root, port=0, address="127.0.0.1")
    await server.start()
    manager = server.component_manager
    assert manager is not None
    keys = [c.component_type.key for c in manager.components]
    assert keys == [
        "localization",
        "logger",
        "callback",
        "worker_pool",
        "task_queue",
        "memory_cache",
        "hello",
        "recorder",
    ]
    hello_text = b"Hello World, This is hostray generate hello component"
    assert (await fetch(server, "/hello")).body == hello_text
    assert (await fetch(server, "/hello_tornado")).body == hello_text
    assert (await fetch(server, "/alive")).body == b"1"

    work = json.loads((await fetch(server, "/work")).body)
    assert work == {
        "message": "這是 code 10000",
        "hostray_message": "x 已停止",
        "pool": "ran in io",
    }
    recorder = manager.components[-1]
    assert recorder.done.wait(10)  # type: ignore[attr-defined]

    page = await fetch(server, "/")
    assert (page.code, page.body) == (200, b"<h1>hello frontend</h1>\n")
    assert (await fetch(server, "/missing.html")).code == 404
    for hostile in ("/a%00b.html", "/%00", "/hello%00"):
        assert (await fetch(server, hostile)).code == 400, hostile

    info = json.loads((await fetch(server, "/components_info")).body)
    assert info["name"] == "hello server"
    assert set(info["info"]) == set(keys)
    assert info["info"]["hello"]["info"] == {"p1": "This is p1", "password": SECRET_MASK}

    # relative paths were resolved against the project directory
    hello = manager.components[-2]
    assert hello.root_dir == str(root)  # type: ignore[attr-defined]
    logger = manager.get_component(DefaultComponentTypes.Logger)
    assert logger is not None
    assert logger.dir == str(root / "logs")
    app_logger = logger.get_logger("hello_app")
    app_logger.error("written to the project's log dir")
    assert (root / "logs" / "hello_app.log").read_text().count("written to") == 1

    calls: list[str] = []
    for component in manager.components:
        spy_on_dispose(component, calls)
    await server.stop()
    assert calls == list(reversed(keys))
    events = type(recorder).events  # type: ignore[attr-defined]
    assert events == [("init", ["root_dir"]), ("dispose", "pool alive")]
