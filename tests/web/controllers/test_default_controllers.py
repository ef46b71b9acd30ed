"""The built-in controllers: frontend (static files), server_alive, components_info."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hostray.web.component import Component, ComponentManager, ComponentTypes
from hostray.web.controller import DefaultControllerType
from hostray.web.controller.default_controller import MASK, mask_secrets

if TYPE_CHECKING:
    from .conftest import Served


class InfoTypes(ComponentTypes):
    Db = ("test_db", "unused", "Unused")
    Api = ("test_api", "unused", "Unused")


class FixedInfo(Component):
    def __init__(self, component_type: ComponentTypes, info: dict[str, Any]) -> None:
        super().__init__(component_type)
        self._info = info

    def info(self) -> dict[str, Any]:
        return self._info


def route(member: DefaultControllerType, pattern: str, **params: Any) -> tuple[Any, ...]:
    """A Tornado route the way a config entry `pattern: {enum: key, params: ...}` names it."""
    known = DefaultControllerType.by_key(member.key)
    assert known is not None
    handler = known.import_class()
    return (pattern, handler, params) if params else (pattern, handler)


async def test_alive_answers_1(serve: Callable[..., Served]) -> None:
    served = serve([route(DefaultControllerType.SystemAlive, "/alive")])
    response = await served.fetch("/alive")
    assert response.code == 200
    assert response.body == b"1"


async def test_components_info_lists_every_component_with_secrets_masked(
    serve: Callable[..., Served],
) -> None:
    manager = ComponentManager()
    manager.set_component(
        FixedInfo(
            InfoTypes.Db,
            {
                "module": "mysql",
                "user": "root",
                "password": "hunter2",
                "url": "mysql://root:hunter2@127.0.0.1:3306/test",
                "pools": [{"name": "a", "Secret_Key": "s3"}, {"api_token": "t0k"}],
                "nested": {"deeper": {"db_passwd": "p4ss", "port": 3306}},
            },
        )
    )
    manager.set_component(FixedInfo(InfoTypes.Api, {"client_secret": "abc", "timeout": 5}))
    served = serve(
        [route(DefaultControllerType.ComponentsInfo, "/components_info")],
        components=manager,
        name="test server",
    )
    response = await served.fetch("/components_info")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.body)
    assert body["name"] == "test server"
    assert set(body["info"]) == {"test_db", "test_api"}
    db = body["info"]["test_db"]
    assert db["module"] == "mysql" and db["user"] == "root"
    assert db["password"] == MASK
    assert db["url"] == f"mysql://root:{MASK}@127.0.0.1:3306/test"
    assert db["pools"] == [{"name": "a", "Secret_Key": MASK}, {"api_token": MASK}]
    assert db["nested"] == {"deeper": {"db_passwd": MASK, "port": 3306}}
    assert body["info"]["test_api"] == {"client_secret": MASK, "timeout": 5}
    assert b"hunter2" not in response.body and b"p4ss" not in response.body


async def test_components_info_survives_values_json_cannot_encode(
    serve: Callable[..., Served],
) -> None:
    manager = ComponentManager()
    manager.set_component(FixedInfo(InfoTypes.Db, {"path": Path("/srv/data"), "ids": {3}}))
    served = serve([route(DefaultControllerType.ComponentsInfo, "/info")], components=manager)
    response = await served.fetch("/info")
    assert response.code == 200
    assert json.loads(response.body)["info"]["test_db"] == {"path": "/srv/data", "ids": [3]}


def test_mask_secrets_leaves_plain_values_alone() -> None:
    value = {"host": "127.0.0.1", "port": 3306, "items": (1, "two"), "password": None}
    assert mask_secrets(value) == {
        "host": "127.0.0.1",
        "port": 3306,
        "items": [1, "two"],
        "password": None,
    }


async def test_frontend_serves_files_and_the_default_filename(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    site = tmp_path / "frontend"
    (site / "js").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "js" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("do not serve")
    served = serve(
        [
            route(
                DefaultControllerType.Frontend,
                "/(.*)",
                path=str(site),
                default_filename="index.html",
            )
        ]
    )

    home = await served.fetch("/")
    assert home.code == 200 and home.body == b"<h1>home</h1>"
    script = await served.fetch("/js/app.js")
    assert script.code == 200 and script.body == b"console.log(1)"
    assert "javascript" in script.headers["Content-Type"]
    assert (await served.fetch("/missing.html")).code == 404
    escape = await served.fetch("/../secret.txt")
    assert escape.code in (403, 404)
    assert b"do not serve" not in escape.body
    escape = await served.fetch("/%2e%2e/secret.txt")
    assert escape.code in (403, 404)
