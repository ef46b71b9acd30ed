"""server_config.yaml validation: every documented key, the extensions, all problems at once."""

from __future__ import annotations

from typing import Any

import pytest

from hostray.config import ConfigError, validator_scope
from hostray.web.config_validator import (
    ConfigContainerMeta,
    ConfigElementMeta,
    HostrayWebConfigComponentValidator,
    HostrayWebConfigControllerValidator,
    HostrayWebConfigValidator,
)

SEED_CONFIG: dict[str, Any] = {
    "name": "hostray server",
    "port": 8888,
    "debug": True,
    "ssl": {"crt": "xxx.crt", "key": "xxx.key", "ca": "xxx.ca"},
    "controller": {
        "/(.*)": {"enum": "frontend", "params": {"path": "frontend", "default_filename": "i.html"}},
        "/alive": {"enum": "server_alive"},
        "/components_info": {"enum": "components_info"},
    },
    "component": {
        "localization": {"dir": "local", "lang": "en"},
        "logger": {"dir": "logs"},
        "worker_pool": {"default": 2, "io": 4},
        "task_queue": {"worker_count": 2},
        "memory_cache": {
            "sess_lifetime": 600,
            "save_file": "file_name",
            "renew_lifetime": False,
            "renew_id": False,
        },
        "orm_db": {
            "db_0": {"module": "sqlite_memory", "worker": 1, "connection_refresh": 60},
            "db_1": {"module": "sqlite", "worker": 1, "file_name": "data.db"},
        },
        "services": {"https://www.example.com": {"/": {"name": "example", "get": []}}},
    },
}


def test_seed_documented_config_is_valid_with_defaults_filled_in() -> None:
    parameter = HostrayWebConfigValidator(SEED_CONFIG).parameter
    assert parameter["port"] == 8888
    assert parameter["address"] == ""
    assert parameter["shutdown_timeout"] == 10.0
    assert parameter["ssl"] == {"crt": "xxx.crt", "key": "xxx.key", "ca": "xxx.ca"}
    assert parameter["component"]["worker_pool"] == {"default": 2, "io": 4}
    assert parameter["controller"]["/alive"] == {"enum": "server_alive"}


def test_empty_config_gets_every_default() -> None:
    assert HostrayWebConfigValidator({}).parameter == {
        "address": "",
        "port": 8888,
        "debug": False,
        "shutdown_timeout": 10.0,
        "ready_grace": 0.0,
        "max_body_size": 1024 * 1024,
        "idle_connection_timeout": 60.0,
        "body_timeout": 60.0,
        "max_connections": 10_000,
    }


def test_extensions_address_shutdown_timeout_and_tornado_settings() -> None:
    parameter = HostrayWebConfigValidator(
        {
            "address": "127.0.0.1",
            "shutdown_timeout": 2,
            "settings": {"cookie_secret": "s3cret", "xsrf_cookies": True},
        }
    ).parameter
    assert parameter["address"] == "127.0.0.1"
    assert parameter["shutdown_timeout"] == 2.0
    assert parameter["settings"] == {"cookie_secret": "s3cret", "xsrf_cookies": True}


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    with pytest.raises(ConfigError) as caught:
        HostrayWebConfigValidator(
            {
                "port": 70000,
                "debgu": True,
                "shutdown_timeout": -1,
                "ssl": {"crt": "a.crt"},
                "settings": {"xsrf_cookie": True},
                "component": {"worker_pool": {"default": 0}, "task_queue": {"worker_count": "2"}},
                "controller": {"/x": {"params": {}}},
            }
        )
    problems = caught.value.problems
    expected = [
        "port: expected a port number (0-65535), got 70000",
        "debgu: unknown key, did you mean 'debug'?",
        "shutdown_timeout: expected a number of seconds >= 0, got -1",
        "ssl.key: missing required key",
        "settings.xsrf_cookie: unknown key, did you mean 'xsrf_cookies'?",
        "component.worker_pool.default: expected an int >= 1, got 0",
        "component.task_queue.worker_count: expected an int >= 1, got '2'",
        "controller./x.enum: missing required key",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)
    assert len(problems) == len(expected)


def test_task_queue_backend_keys_and_ready_grace_are_validated_with_their_path() -> None:
    parameter = HostrayWebConfigValidator(
        {
            "ready_grace": 2,
            "component": {
                "task_queue": {
                    "backend": "celery",
                    "broker": "amqp://guest:guest@127.0.0.1:5672//",
                    "queue": "jobs",
                }
            },
        }
    ).parameter
    assert parameter["ready_grace"] == 2.0
    assert parameter["component"]["task_queue"] == {
        "backend": "celery",
        "worker_count": 1,
        "broker": "amqp://guest:guest@127.0.0.1:5672//",
        "queue": "jobs",
        "visibility_timeout": 3600.0,
        "key_prefix": "",
    }
    with pytest.raises(ConfigError) as caught:
        HostrayWebConfigValidator(
            {
                "ready_grace": "soon",
                "component": {
                    "task_queue": {
                        "backend": "rq",
                        "broker": "http://127.0.0.1",
                        "result_backend": "mongodb://x",
                        "visibility_timeout": 0,
                    }
                },
            }
        )
    problems = caught.value.problems
    expected = [
        "ready_grace: expected a number of seconds >= 0, got 'soon'",
        "component.task_queue.backend: expected one of 'thread', 'celery', got 'rq'",
        "component.task_queue.broker: expected a redis:// or amqp:// URL, got 'http://127.0.0.1'",
        "component.task_queue.result_backend: expected a redis:// or rpc:// URL, got 'mongodb://x'",
        "component.task_queue.visibility_timeout: expected a number of seconds > 0, got 0",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)
    assert len(problems) == len(expected)


def test_component_and_controller_validators_are_the_roots_children() -> None:
    assert HostrayWebConfigValidator.get_cls_parameter("component") is (
        HostrayWebConfigComponentValidator
    )
    assert HostrayWebConfigValidator.get_cls_parameter("controller") is (
        HostrayWebConfigControllerValidator
    )


def test_seed_hello_validator_extension_reaches_the_root_validator() -> None:
    with validator_scope():
        HostrayWebConfigComponentValidator.set_cls_parameters(
            ConfigContainerMeta("hello", False, ConfigElementMeta("p1", str, True))
        )
        ok = HostrayWebConfigValidator({"component": {"hello": {"p1": "This is p1"}}})
        assert ok.get_parameter("component.hello.p1") == "This is p1"
        with pytest.raises(ConfigError, match=r"component\.hello\.p1: missing required key"):
            HostrayWebConfigValidator({"component": {"hello": {}}})
    assert "hello" not in HostrayWebConfigComponentValidator.cls_parameters


def test_connection_limits_are_validated_with_file_and_line(tmp_path: Any) -> None:
    from hostray.web.project import load_project

    (tmp_path / "server_config.yaml").write_text(
        "name: limits\nmax_body_size: 1MB\nidle_connection_timeout: 0\n"
        "body_timeout: -5\nmax_connections: 0\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    where = tmp_path / "server_config.yaml"
    assert caught.value.problems == [
        f"{where}:2: max_body_size: expected a number of bytes >= 0, got '1MB' (str)",
        f"{where}:3: idle_connection_timeout: expected a number of seconds > 0, got 0 (int)",
        f"{where}:4: body_timeout: expected a number of seconds > 0, got -5 (int)",
        f"{where}:5: max_connections: expected an int >= 1, got 0 (int)",
    ]


def test_connection_limits_take_their_values() -> None:
    parameter = HostrayWebConfigValidator(
        {
            "max_body_size": 0,
            "idle_connection_timeout": 1.5,
            "body_timeout": 600,
            "max_connections": 1,
        }
    ).parameter
    assert parameter["max_body_size"] == 0
    assert parameter["idle_connection_timeout"] == 1.5
    assert parameter["body_timeout"] == 600.0
    assert parameter["max_connections"] == 1
