"""Optional components load their third-party libraries only when they are used."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import cast

import pytest

HEAVY = ("aiohttp", "sqlalchemy", "redis")


def loaded_after(code: str, heavy: tuple[str, ...] = HEAVY) -> dict[str, bool]:
    """Which of `heavy` a fresh interpreter has imported after running `code`."""
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps({{name: name in sys.modules for name in {heavy!r}}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return cast(dict[str, bool], json.loads(done.stdout.strip().splitlines()[-1]))


def test_package_and_schema_import_nothing_heavy() -> None:
    loaded = loaded_after(
        """
        import hostray.web.component.optional_component as optional
        from hostray.web.component.optional_component import schema, errors
        """
    )
    assert loaded == dict.fromkeys(HEAVY, False)


def test_each_component_imports_only_its_own_library() -> None:
    memory = loaded_after(
        "from hostray.web.component.optional_component import MemoryCacheComponent"
    )
    assert memory == dict.fromkeys(HEAVY, False)  # the memory backend needs none of them
    services = loaded_after(
        "from hostray.web.component.optional_component import ServicesComponent"
    )
    assert services == {"aiohttp": True, "sqlalchemy": False, "redis": False}
    orm = loaded_after("from hostray.web.component.optional_component import OrmDBComponent")
    assert (orm["sqlalchemy"], orm["redis"]) == (True, False)


def test_the_package_of_each_component_imports_nothing_heavy() -> None:
    heavy = (*HEAVY, "prometheus_client")
    loaded = loaded_after(
        """
        import hostray.web.component.optional_component.channels
        import hostray.web.component.optional_component.memory_cache
        import hostray.web.component.optional_component.metrics
        import hostray.web.component.optional_component.orm_db
        import hostray.web.component.optional_component.services
        from hostray.web.component.optional_component.metrics.processes import (
            multiprocess_metrics,
        )
        """,
        heavy,
    )
    assert loaded == dict.fromkeys(heavy, False)  # `hostray start` imports metrics.processes
    metrics = loaded_after(
        "from hostray.web.component.optional_component import MetricsComponent", heavy
    )
    assert metrics == {**dict.fromkeys(HEAVY, False), "prometheus_client": True}


def test_channels_import_redis_only_for_backend_redis() -> None:
    made = """
        from hostray.web.component import ComponentManager, OptionalComponentTypes
        from hostray.web.component.optional_component import ChannelsComponent
        ChannelsComponent(OptionalComponentTypes.Channels).init(ComponentManager(), **{block})
        """
    assert loaded_after(made.format(block="{}")) == dict.fromkeys(HEAVY, False)
    redis = loaded_after(made.format(block="{'backend': 'redis'}"))
    assert redis == {"aiohttp": False, "sqlalchemy": False, "redis": True}


def test_unknown_names_are_attribute_errors() -> None:
    import hostray.web.component.optional_component as optional

    assert "MemoryCacheComponent" in dir(optional)
    with pytest.raises(AttributeError, match="NoSuchComponent"):
        _ = optional.NoSuchComponent


def test_the_error_mapping_of_controllers_imports_nothing_heavy() -> None:
    loaded = loaded_after(
        """
        import hostray.orm.errors
        from hostray.web.controller.error_statuses import http_error_for
        """
    )
    assert loaded == dict.fromkeys(HEAVY, False)
