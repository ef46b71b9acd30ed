"""server_config.yaml files written for hostray 0.7.5: Tornado settings at the top level move to
`settings:` with one warning line each, numbers 0.7.5 read from strings are converted with a
warning (only for the keys 0.7.5 typed int), and real typos still fail."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from tornado.httpclient import AsyncHTTPClient

from hostray.config import ConfigError
from hostray.web.project import load_project
from hostray.web.server import HostrayServer

from .conftest import write_project
from .test_server_options import CONTROLLER_INIT, CONTROLLERS

HANDLERS = {"controller/__init__.py": CONTROLLER_INIT, "controller/handlers.py": CONTROLLERS}
ROUTES = "controller:\n  /form:\n    enum: form\n"


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hostray.web.config"]


def test_top_level_tornado_settings_move_under_settings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "hostray.web.config")
    root = write_project(
        tmp_path / "p",
        "name: old\n"
        "debug: False\n"
        "cookie_secret: test-secret\n"
        "xsrf_cookies: true\n"
        "compress_response: true\n"
        "template_path: templates\n"
        "settings:\n"
        "  static_hash_cache: false\n" + ROUTES,
        HANDLERS,
    )
    project = load_project(root)
    assert project.config["settings"] == {
        "cookie_secret": "test-secret",
        "xsrf_cookies": True,
        "compress_response": True,
        "template_path": str(root / "templates"),
        "static_hash_cache": False,
    }
    config_file = root / "server_config.yaml"
    assert warnings_of(caplog) == [
        f"{config_file}:{line}: {key}: a Tornado setting at the top level (hostray 0.7.5's "
        "place); now read under settings: — move it there"
        for line, key in [
            (3, "cookie_secret"),
            (4, "xsrf_cookies"),
            (5, "compress_response"),
            (6, "template_path"),
        ]
    ]


def test_a_moved_setting_is_validated_with_its_line(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", "debug: false\nxsrf_cookies: maybe\n" + ROUTES, HANDLERS)
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert caught.value.problems == [
        f"{root / 'server_config.yaml'}:2: settings.xsrf_cookies: expected bool, got 'maybe' (str)"
    ]


def test_a_setting_in_both_places_is_refused(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p", "cookie_secret: a\nsettings:\n  cookie_secret: b\n" + ROUTES, HANDLERS
    )
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert caught.value.problems == [
        f"{root / 'server_config.yaml'}:1: cookie_secret: given both at the top level "
        "(hostray 0.7.5's place) and under settings: — keep only the one under settings:"
    ]


def test_typos_are_still_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = write_project(
        tmp_path / "p", "prot: 9000\ncookie_secrt: x\ndebug: false\n" + ROUTES, HANDLERS
    )
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    config_file = root / "server_config.yaml"
    assert caught.value.problems[0] == f"{config_file}:1: prot: unknown key, did you mean 'port'?"
    assert caught.value.problems[1].startswith(f"{config_file}:2: cookie_secrt: unknown key")
    assert warnings_of(caplog) == []


def test_numbers_0_7_5_read_from_strings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "hostray.web.config")
    root = write_project(
        tmp_path / "p",
        "port: '8890'\n"
        "component:\n"
        "  task_queue:\n"
        "    worker_count: '2'\n"
        "  worker_pool:\n"
        "    default: ' 3'\n"
        "  orm_db:\n"
        "    db:\n"
        "      module: sqlite_memory\n"
        "      worker: '2'\n" + ROUTES,
        HANDLERS,
    )
    config = load_project(root).config
    assert config["port"] == 8890
    assert config["component"]["task_queue"]["worker_count"] == 2
    assert config["component"]["worker_pool"] == {"default": 3}
    assert config["component"]["orm_db"]["db"]["worker"] == 2
    config_file = root / "server_config.yaml"
    assert warnings_of(caplog) == [
        f"{config_file}:1: port: the string '8890' is read as the number 8890 (as hostray "
        "0.7.5 did); write it without quotes",
        f"{config_file}:4: component.task_queue.worker_count: the string '2' is read as the "
        "number 2 (as hostray 0.7.5 did); write it without quotes",
        f"{config_file}:6: component.worker_pool.default: the string ' 3' is read as the "
        "number 3 (as hostray 0.7.5 did); write it without quotes",
        f"{config_file}:10: component.orm_db.db.worker: the string '2' is read as the number 2 "
        "(as hostray 0.7.5 did); write it without quotes",
    ]


def test_only_keys_0_7_5_typed_int_are_converted(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        "shutdown_timeout: '5'\nport: 'eighty'\n" + ROUTES,
        HANDLERS,
    )
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    problems = "\n".join(caught.value.problems)
    assert "shutdown_timeout: expected a number of seconds >= 0, got '5'" in problems
    assert "port: expected a port number (0-65535), got 'eighty'" in problems


async def test_a_0_7_5_config_serves_with_its_settings(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        "debug: False\ncookie_secret: test-secret\nxsrf_cookies: true\n" + ROUTES,
        HANDLERS,
    )
    server = HostrayServer(root, port=0, address="127.0.0.1")
    await server.start()
    client = AsyncHTTPClient(force_instance=True)
    try:
        assert server.app is not None
        assert server.app.settings["cookie_secret"] == "test-secret"
        url = f"http://127.0.0.1:{server.port}/form"
        refused = await client.fetch(url, method="POST", body="x=1", raise_error=False)
        assert refused.code == 403  # xsrf_cookies is on
    finally:
        client.close()
        await server.stop()
