"""`/components_info` of a real server hides every secret and the host's directory layout; so do
the errors of a failing component."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from hostray.config import SECRET_MASK
from hostray.web.application import build_components
from hostray.web.component import Component, ComponentManager, ComponentTypes
from hostray.web.errors import ProjectError
from hostray.web.project import ComponentSpec, Project
from hostray.web.pytest_plugin import HostrayClient, RunningServer
from hostray.web.shown_paths import IMPORT_DIR, OUTSIDE_PROJECT

CONFIG = """
name: info project
port: 0
controller:
  /components_info:
    enum: components_info
component:
  localization:
    dir: local
  logger:
    dir: {outside}/logs
  memory_cache:
    sess_lifetime: 600
{cache}
  orm_db:
    db_0:
      module: sqlite
      file_name: data/app.sqlite
    db_1:
      module: mysql
      host: 127.0.0.1
      user: root
      password: hunter2pw
      db_name: test
  services:
    http://svc:svcpw@127.0.0.1:9/api?api_key=K1key&access_token=T2tok&plain=1:
      /x:
        name: x
        get:
"""

MEMORY = "    backend: memory\n    save_file: state/sessions.json\n"
REDIS = "    backend: redis\n    url: redis://:urlpw@127.0.0.1:6379/0?password=querypw\n"
SECRETS = ("hunter2pw", "svcpw", "K1key", "T2tok", "urlpw", "querypw")


def _project(tmp_path: Path, cache: str) -> tuple[Path, Path]:
    root = tmp_path / "proj"
    outside = tmp_path / "elsewhere"
    for folder in (root / "local", root / "data", root / "state", outside):
        folder.mkdir(parents=True)
    config = textwrap.dedent(CONFIG).format(outside=outside, cache=cache.rstrip("\n"))
    (root / "server_config.yaml").write_text(config)
    return root, outside


@pytest.mark.parametrize("cache", [MEMORY, REDIS], ids=["memory", "redis"])
async def test_components_info_leaks_no_secret_and_no_absolute_path(
    hostray_server_factory: Callable[..., RunningServer], tmp_path: Path, cache: str
) -> None:
    root, _ = _project(tmp_path, cache)
    running = hostray_server_factory(root)
    response = await HostrayClient(running.base_url).get("/components_info")
    assert response.code == 200
    text = response.body.decode()
    for secret in SECRETS:
        assert secret not in text
    assert str(tmp_path) not in text and "site-packages" not in text
    info = json.loads(text)["info"]

    assert info["localization"]["info"]["dir"] == "local"
    assert info["localization"]["info"]["files_loaded"] == [
        f"{IMPORT_DIR}/hostray/web/messages.csv"
    ]
    assert info["logger"]["info"]["dir"] == f"{OUTSIDE_PROJECT}/logs"
    assert info["orm_db"]["info"]["db_0"]["file_name"] == "data/app.sqlite"
    assert info["orm_db"]["info"]["db_1"]["password"] == SECRET_MASK
    assert info["services"]["info"]["x"]["url"].startswith(
        f"http://svc:{SECRET_MASK}@127.0.0.1:9/api?api_key={SECRET_MASK}"
        f"&access_token={SECRET_MASK}&plain=1"
    )
    cache_info = info["memory_cache"]["info"]
    if cache is MEMORY:
        assert cache_info["save_file"] == "state/sessions.json"
    else:
        assert cache_info["url"] == (
            f"redis://:{SECRET_MASK}@127.0.0.1:6379/0?password={SECRET_MASK}"
        )


class _LeakyTypes(ComponentTypes):
    Leaky = ("leaky", "unused", "Unused")


class _Leaky(Component):
    def init(self, component_manager: ComponentManager, **kwargs: object) -> None:
        raise ConnectionError("cannot reach redis://:hunter2pw@127.0.0.1:1/0?token=T2tok")


async def test_a_failing_init_does_not_print_the_secrets_of_its_message(tmp_path: Path) -> None:
    project = Project(
        root_dir=str(tmp_path),
        config={"shutdown_timeout": 1.0},
        name="leaky",
        components=[ComponentSpec(_LeakyTypes.Leaky, _Leaky, {})],
    )
    with pytest.raises(ProjectError) as caught:
        await build_components(project)
    text = str(caught.value)
    assert "component.leaky: init failed: ConnectionError: cannot reach" in text
    assert f"redis://:{SECRET_MASK}@127.0.0.1:1/0?token={SECRET_MASK}" in text
    assert "hunter2pw" not in text and "T2tok" not in text


def test_show_paths_keeps_what_is_not_a_path_of_the_host(tmp_path: Path) -> None:
    from hostray.web.shown_paths import show_paths

    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    shown = show_paths(
        {
            "route": "/hello",
            "url": "http://127.0.0.1/x",
            "file_name": str(root / "data" / "a.db"),
            "save_file": str(tmp_path / "other" / "s.json"),
            "dirs": [str(root), str(tmp_path / "elsewhere")],
            "count": 3,
        },
        str(root),
    )
    assert shown == {
        "route": "/hello",
        "url": "http://127.0.0.1/x",
        "file_name": "data/a.db",
        "save_file": f"{OUTSIDE_PROJECT}/s.json",
        "dirs": [".", f"{OUTSIDE_PROJECT}/elsewhere"],
        "count": 3,
    }


def test_a_services_config_problem_masks_the_base_url(tmp_path: Path) -> None:
    from hostray.config import ConfigError
    from hostray.web.component.optional_component.services.config import parse_services

    base = "http://svc:svcpw@127.0.0.1:9/api?api_key=K1key"
    with pytest.raises(ConfigError) as caught:
        parse_services({base: {"/a": {"name": "a"}, "/b": {"name": "a"}}})
    text = str(caught.value)
    assert "svcpw" not in text and "K1key" not in text
    assert f"http://svc:{SECRET_MASK}@127.0.0.1:9/api?api_key={SECRET_MASK}" in text
