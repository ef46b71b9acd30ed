"""Config validator metaclasses: the seed's usage plus strict, complete problem reports."""

from __future__ import annotations

from enum import Enum

import pytest

from hostray.config import (
    ConfigBaseElementMeta,
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigError,
    ConfigScalableContainerMeta,
    ConfigScalableElementMeta,
    ConfigSwitchableElementMeta,
)


def make_component_validator() -> ConfigContainerMeta:
    """A component block shaped like hostray-web's (worker_pool, orm_db)."""

    def db_module(name: str, *parameters: ConfigBaseElementMeta) -> ConfigContainerMeta:
        return ConfigContainerMeta(
            name, False, ConfigElementMeta("worker", int, False, default=1), *parameters
        )

    return ConfigContainerMeta(
        "component",
        False,
        ConfigContainerMeta("worker_pool", False, ConfigScalableElementMeta(str, int)),
        ConfigContainerMeta(
            "orm_db",
            False,
            ConfigScalableContainerMeta(
                str,
                ConfigSwitchableElementMeta(
                    "module",
                    str,
                    True,
                    db_module("sqlite_memory"),
                    db_module("sqlite", ConfigElementMeta("file_name", str, True)),
                    db_module(
                        "mysql",
                        ConfigElementMeta("host", str, True),
                        ConfigElementMeta("port", int, True),
                        ConfigElementMeta("db_name", str, True),
                        ConfigElementMeta("user", str, True),
                        ConfigElementMeta("password", str, True),
                    ),
                ),
            ),
        ),
    )


def problems_of(validator: ConfigBaseElementMeta, data: object, route: str = "") -> list[str]:
    with pytest.raises(ConfigError) as info:
        validator(data, route=route)
    return info.value.problems


def test_seed_hello_example_adds_a_sub_schema_to_an_existing_validator() -> None:
    component = make_component_validator()
    root = ConfigContainerMeta("", True, ConfigElementMeta("port", int, False), component)
    component.set_cls_parameters(
        ConfigContainerMeta("hello", False, ConfigElementMeta("p1", str, True))
    )
    assert root({"component": {"hello": {"p1": "x"}}}).parameter == {
        "component": {"hello": {"p1": "x"}}
    }
    # optional and absent: fine; present: its required children are checked
    assert root({"component": {}}).parameter == {"component": {}}
    assert problems_of(root, {"component": {"hello": {}}}) == [
        "component.hello.p1: missing required key"
    ]
    assert problems_of(root, {"component": {"hello": {"p1": 3}}}) == [
        "component.hello.p1: expected str, got 3 (int)"
    ]


def test_set_cls_parameters_replaces_a_same_named_child() -> None:
    validator = ConfigContainerMeta("c", False, ConfigElementMeta("a", str, True))
    validator.set_cls_parameters(ConfigElementMeta("a", int, True))
    assert validator({"a": 5}).parameter == {"a": 5}
    assert list(validator.cls_parameters) == ["a"]
    assert validator.get_cls_parameter("a").parameter_type is int
    validator.remove_cls_parameters("a", "never-added")
    assert dict(validator.cls_parameters) == {}


def test_required_container_absent_is_a_problem_optional_is_not() -> None:
    validator = ConfigContainerMeta(
        "",
        True,
        ConfigContainerMeta("needed", True, ConfigElementMeta("x", int, False)),
        ConfigContainerMeta("extra", False, ConfigElementMeta("y", int, True)),
    )
    assert problems_of(validator, {}) == ["needed: missing required section"]
    assert validator({"needed": {}}).parameter == {"needed": {}}


def test_every_problem_is_reported_at_once_with_dotted_paths() -> None:
    validator = make_component_validator()
    data = {
        "orm_db": {
            "db_0": {"module": "oracle"},
            "db_1": {"module": "mysql", "host": 1, "port": "3306", "user": "u", "pasword": ""},
            "db_2": {"file_name": "x.db", "hots": "h"},
        },
        "worker_pool": {"default": True, "big": 3},
        "worker_poool": {},
    }
    assert problems_of(validator, data, route="component") == [
        "component.worker_pool.default: expected int, got True (bool)",
        "component.orm_db.db_0.module: expected one of 'sqlite_memory', 'sqlite', 'mysql', "
        "got 'oracle'",
        "component.orm_db.db_1.host: expected str, got 1 (int)",
        "component.orm_db.db_1.port: expected int, got '3306' (str)",
        "component.orm_db.db_1.db_name: missing required key",
        "component.orm_db.db_1.password: missing required key",
        "component.orm_db.db_1.pasword: unknown key, did you mean 'password'?",
        "component.orm_db.db_2.module: missing required key",
        "component.orm_db.db_2.hots: unknown key (expected 'module')",
        "component.worker_poool: unknown key, did you mean 'worker_pool'?",
    ]


def test_switchable_element_selects_sibling_schema_and_fills_defaults() -> None:
    validator = make_component_validator()
    result = validator(
        {
            "orm_db": {
                "main": {"module": "sqlite", "file_name": "main.db"},
                "mem": {"module": "sqlite_memory", "worker": 4},
            },
            "worker_pool": {"default": 2, "io": 8},
        }
    )
    assert result.parameter == {
        "orm_db": {
            "main": {"module": "sqlite", "file_name": "main.db", "worker": 1},
            "mem": {"module": "sqlite_memory", "worker": 4},
        },
        "worker_pool": {"default": 2, "io": 8},
    }
    assert result.get_parameter("orm_db.main.file_name") == "main.db"
    assert result.get_parameter("orm_db/mem/worker", delimeter="/") == 4
    with pytest.raises(ConfigError, match=r"^orm_db\.nothing: no such parameter"):
        result.get_parameter("orm_db.nothing")
    # mysql requires its connection settings
    assert problems_of(validator, {"orm_db": {"db": {"module": "mysql"}}}) == [
        f"orm_db.db.{key}: missing required key"
        for key in ("host", "port", "db_name", "user", "password")
    ]


def test_bool_is_not_int_but_int_is_float_and_types_may_be_tuples() -> None:
    validator = ConfigContainerMeta(
        "",
        True,
        ConfigElementMeta("ratio", float, True),
        ConfigElementMeta("count", int, False),
        ConfigElementMeta("either", (int, str), False),
        ConfigElementMeta("flag", bool, False),
    )
    result = validator({"ratio": 2, "either": "x", "flag": False}).parameter
    assert result == {"ratio": 2.0, "either": "x", "flag": False}
    assert isinstance(result["ratio"], float)
    assert problems_of(validator, {"ratio": True, "count": 1.5, "either": 1.5, "flag": 1}) == [
        "ratio: expected float, got True (bool)",
        "count: expected int, got 1.5 (float)",
        "either: expected int or str, got 1.5 (float)",
        "flag: expected bool, got 1 (int)",
    ]


def test_defaults_choices_enum_and_callable_types() -> None:
    class Level(Enum):
        DEBUG = "debug"
        ERROR = "error"

    def port(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
            return value
        raise ValueError("not a port")

    validator = ConfigContainerMeta(
        "",
        True,
        ConfigElementMeta("backend", str, False, default="memory", choices=("memory", "redis")),
        ConfigElementMeta("level", Level, False),
        ConfigElementMeta("port", port, False, default=8888),
        ConfigElementMeta("note", str, False),
    )
    assert validator({}).parameter == {"backend": "memory", "port": 8888}
    assert validator({"level": "error", "note": None}).parameter == {
        "backend": "memory",
        "level": "error",
        "port": 8888,
        "note": None,
    }
    assert problems_of(validator, {"backend": "disk", "level": "info", "port": 70000}) == [
        "backend: expected one of 'memory', 'redis', got 'disk'",
        "level: expected one of 'debug', 'error', got 'info' (str)",
        "port: expected port, got 70000 (int)",
    ]


def test_scalable_container_keys_and_values() -> None:
    routes = ConfigContainerMeta(
        "controller",
        False,
        ConfigScalableContainerMeta(
            str,
            ConfigElementMeta("enum", str, True),
            ConfigContainerMeta("params", False),
        ),
    )
    data = {"/hello": {"enum": "hello", "params": {"anything": [1, 2]}}, "/x": None}
    assert problems_of(routes, data, route="controller") == [
        "controller./x.enum: missing required key"
    ]
    assert routes({"/hello": {"enum": "hello"}}).parameter == {"/hello": {"enum": "hello"}}
    assert problems_of(routes, {"/a": ["enum"]}) == ["/a: expected a mapping, got ['enum'] (list)"]


def test_non_mapping_root_and_required_element_with_nothing() -> None:
    validator = ConfigContainerMeta("", True, ConfigElementMeta("name", str, True))
    assert problems_of(validator, [1, 2]) == ["expected a mapping, got [1, 2] (list)"]
    assert problems_of(validator, {"name": None}) == ["name: expected str, got nothing"]


def test_copy_is_independent() -> None:
    original = make_component_validator()
    copied = original.copy("component2")
    copied.get_cls_parameter("worker_pool").set_cls_parameters(
        ConfigElementMeta("fixed", int, True)
    )
    assert copied.__name__ == "component2"
    assert original({"worker_pool": {}}).parameter == {"worker_pool": {}}
    with pytest.raises(ConfigError, match=r"^worker_pool\.fixed: missing required key$"):
        copied({"worker_pool": {}})
    element = ConfigElementMeta("mode", str, False, default="a", choices=("a", "b")).copy("m2")
    assert (element.__name__, element.default, element.choices) == ("m2", "a", ("a", "b"))
    assert element({"x": 1}.get("mode")).parameter == "a"
    scalable = ConfigScalableElementMeta(str, int)
    assert scalable.copy("ignored").__name__ == "ConfigScalableElementMeta"
    switch = original.get_cls_parameter("orm_db.ConfigScalableContainerMeta.module").copy()
    assert isinstance(switch, ConfigSwitchableElementMeta)
    assert list(switch.cls_parameters) == ["sqlite_memory", "sqlite", "mysql"]


def test_schema_mistakes_are_caught_when_declared() -> None:
    with pytest.raises(TypeError, match="default is not int"):
        ConfigElementMeta("n", int, False, default="3")
    with pytest.raises(TypeError, match="sub-parameters must be validator classes"):
        ConfigContainerMeta("c", False, {"not": "a validator"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be ConfigContainerMeta"):
        ConfigSwitchableElementMeta("m", str, True, ConfigElementMeta("x", str, True))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="an element takes no sub-parameters"):
        ConfigElementMeta("x", str, True).set_cls_parameters(ConfigElementMeta("y", str, True))


def test_a_validator_scope_keeps_its_changes_to_itself() -> None:
    from hostray.config import validator_scope

    root = ConfigContainerMeta(
        "root", False, ConfigContainerMeta("component", False, ConfigContainerMeta("logger", False))
    )
    component = root.get_cls_parameter("component")
    with validator_scope():
        component.set_cls_parameters(ConfigContainerMeta("hello", False))
        built_inside = ConfigContainerMeta("built", False, ConfigElementMeta("x", int, True))
        assert list(root.get_cls_parameter("component").cls_parameters) == ["logger", "hello"]
        assert root({"component": {"hello": {}}}).parameter == {"component": {"hello": {}}}
        with validator_scope():
            assert "hello" not in component.cls_parameters  # a nested load starts afresh
    assert list(component.cls_parameters) == ["logger"]
    with pytest.raises(ConfigError, match=r"component\.hello: unknown key"):
        root({"component": {"hello": {}}})
    assert list(built_inside.cls_parameters) == ["x"]  # a class made in a scope keeps its own
