"""Settings objects: the config schema is the one source of every key, type, range and default,
whether a block comes from server_config.yaml or is passed to `init()` directly."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from hostray.config import ConfigError
from hostray.orm import DB_MODULE_NAME, DEFAULT_PORTS
from hostray.web.component import ComponentManager, DefaultComponentTypes, OptionalComponentTypes
from hostray.web.component.optional_component.settings import MemoryCacheSettings, OrmDBSettings
from hostray.web.component.settings import (
    LocalizationSettings,
    LoggerSettings,
    WorkerPoolSettings,
)
from hostray.web.config_validator import HostrayWebConfigValidator


def test_defaults_come_from_the_schema_and_settings_are_frozen(tmp_path: Path) -> None:
    cache = MemoryCacheSettings.from_config(
        {"sess_lifetime": 60, "save_file": "s.json"}, str(tmp_path)
    )
    assert (cache.backend, cache.renew_lifetime, cache.renew_id) == ("memory", False, False)
    assert cache.url == "redis://127.0.0.1:6379/0"
    assert cache.key_prefix == "hostray:session:"
    assert cache.save_file == os.path.join(str(tmp_path), "s.json")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cache.sess_lifetime = 1  # type: ignore[misc]
    pools = WorkerPoolSettings.from_config({"io": 2})
    assert dict(pools.pools) == {"io": 2, "default": 3}
    assert LocalizationSettings.from_config({}).lang == "en"
    assert LoggerSettings.from_config({"dir": "logs"}, str(tmp_path)).dir == str(tmp_path / "logs")


def test_database_ports_default_to_the_engines_one_place() -> None:
    databases = OrmDBSettings.from_config(
        {
            "my": {"module": "mysql", "host": "h", "db_name": "d", "user": "u"},
            "pg": {"module": "postgresql", "host": "h", "db_name": "d", "user": "u", "port": 6000},
            "mem": {"module": "sqlite_memory"},
        }
    )
    assert databases["my"].parameters["port"] == DEFAULT_PORTS[DB_MODULE_NAME.MYSQL] == 3306
    assert databases["pg"].parameters["port"] == 6000
    assert databases["my"].parameters["password"] == ""
    assert (databases["mem"].worker, databases["mem"].connection_refresh) == (1, 30.0)
    assert dict(databases["mem"].parameters) == {}


@pytest.mark.parametrize(
    ("key", "block", "expected"),
    [
        ("worker_pool", {"io": 0}, "component.worker_pool.io: expected an int >= 1, got 0"),
        ("localization", {"lang": 5}, "component.localization.lang: expected str, got 5"),
        ("memory_cache", {"sess_lifetime": 0}, "component.memory_cache.sess_lifetime: expected"),
        ("memory_cache", {"sess_lifetime": 9, "backend": "x"}, "component.memory_cache.backend"),
        ("orm_db", {"db": {"module": "sqlite_memory", "worker": 0}}, "component.orm_db.db.worker"),
    ],
)
def test_init_and_the_config_file_report_the_same_problem(
    key: str, block: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError) as from_file:
        HostrayWebConfigValidator({"component": {key: block}})
    types = {**DefaultComponentTypes.__members__, **OptionalComponentTypes.__members__}
    member = next(m for m in types.values() if m.key == key)
    component = member.import_class()(member)
    with pytest.raises(ConfigError) as from_init:
        component.init(ComponentManager(), **block)
    assert from_file.value.problems == from_init.value.problems
    assert from_init.value.problems[0].startswith(expected)
