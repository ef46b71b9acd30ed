"""Checked by mypy in `make lint`, never run: what `get_component` gives back, per enum member.

The built-in members name their component class; any other member (a project's) gives `Any`.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from hostray.web.component import (
    ComponentManager,
    ComponentTypes,
    DefaultComponentTypes,
    OptionalComponentTypes,
)
from hostray.web.component.default_component import (
    CallbackComponent,
    LocalizationComponent,
    LoggerComponent,
    TaskQueueComponent,
    WorkerPoolComponent,
)
from hostray.web.component.optional_component import (
    MemoryCacheComponent,
    OrmDBComponent,
    ServicesComponent,
)


class ProjectTypes(ComponentTypes):
    Hello = ("hello", "hello", "HelloComponent")


def built_ins(manager: ComponentManager) -> None:
    default, optional = DefaultComponentTypes, OptionalComponentTypes
    assert_type(manager.get_component(default.Localization), LocalizationComponent | None)
    assert_type(manager.get_component(default.Logger), LoggerComponent | None)
    assert_type(manager.get_component(default.Callback), CallbackComponent | None)
    assert_type(manager.get_component(default.WorkerPool), WorkerPoolComponent | None)
    assert_type(manager.get_component(default.TaskQueue), TaskQueueComponent | None)
    assert_type(manager.get_component(optional.Service), ServicesComponent | None)
    assert_type(manager.get_component(optional.MemoryCache), MemoryCacheComponent | None)
    assert_type(manager.get_component(optional.OrmDB), OrmDBComponent | None)


def project_members(manager: ComponentManager) -> None:
    assert_type(manager.get_component(ProjectTypes.Hello), Any)


def a_loaded_pool_is_usable(manager: ComponentManager) -> None:
    pools = manager.get_component(DefaultComponentTypes.WorkerPool)
    if pools is not None:
        assert_type(pools.pools["default"].pool_name, str)
