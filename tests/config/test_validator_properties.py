"""Property: on any nested data a validator returns or raises ConfigError, nothing else."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hostray.config import (
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigError,
    ConfigScalableContainerMeta,
    ConfigScalableElementMeta,
    ConfigSwitchableElementMeta,
)

SCHEMA = ConfigContainerMeta(
    "",
    True,
    ConfigElementMeta("name", str, False),
    ConfigElementMeta("port", int, False, default=8888),
    ConfigElementMeta("ratio", float, False),
    ConfigElementMeta("debug", bool, True),
    ConfigElementMeta("mode", str, False, choices=("a", "b")),
    ConfigContainerMeta(
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
                    ConfigContainerMeta("sqlite", False, ConfigElementMeta("file_name", str, True)),
                    ConfigContainerMeta("mysql", False, ConfigElementMeta("host", str, True)),
                ),
            ),
        ),
        ConfigContainerMeta("free", False),
    ),
)

NAMES = ["name", "port", "ratio", "debug", "mode", "component", "worker_pool", "orm_db",
         "module", "sqlite", "mysql", "file_name", "host", "free", "db_0"]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(NAMES)
)
keys = st.sampled_from(NAMES) | st.text(max_size=6) | st.integers() | st.booleans() | st.none()
data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(data)
def test_any_data_returns_or_raises_config_error(value: Any) -> None:
    try:
        result = SCHEMA(value)
    except ConfigError as exc:
        assert exc.problems
        assert all(problem and "\n" not in problem for problem in exc.problems)
    else:
        assert isinstance(result.parameter, dict)
        assert result.parameter["debug"] in (True, False)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, data, max_size=6))
def test_component_block_alone(value: dict[Any, Any]) -> None:
    try:
        SCHEMA.get_cls_parameter("component")(value, route="component")
    except ConfigError as exc:
        assert all(problem.startswith("component.") for problem in exc.problems)
