"""ComponentManager: every documented member, on real Component subclasses."""

from __future__ import annotations

from typing import Any

import pytest

from hostray.web.component import (
    Component,
    ComponentManager,
    ComponentTypes,
    DefaultComponentTypes,
    OptionalComponentTypes,
)


class SampleTypes(ComponentTypes):
    First = ("first", "nowhere", "First")
    Second = ("second", "nowhere", "Second")
    Third = ("third", "nowhere", "Third")


class Recorder(Component):
    def __init__(self, component_type: ComponentTypes, log: list[str]) -> None:
        super().__init__(component_type)
        self.log = log

    def greet(self, name: str, *, punct: str = "!") -> str:
        return f"{self.component_type.key} greets {name}{punct}"

    async def agreet(self, name: str) -> str:
        return f"{self.component_type.key} awaits {name}"

    def dispose(self, component_manager: ComponentManager) -> None:
        self.log.append(f"dispose {self.component_type.key}")


class AsyncDisposer(Recorder):
    async def dispose(self, component_manager: ComponentManager) -> None:  # type: ignore[override]
        self.log.append(f"async dispose {self.component_type.key}")


def make_manager(log: list[str]) -> ComponentManager:
    manager = ComponentManager()
    manager.set_component(Recorder(SampleTypes.First, log))
    manager.set_component(AsyncDisposer(SampleTypes.Second, log))
    manager.set_component(Recorder(SampleTypes.Third, log))
    return manager


def test_components_and_info_follow_load_order() -> None:
    manager = make_manager([])
    assert [c.component_type for c in manager.components] == list(SampleTypes)
    assert manager.info == {
        "first": {"component": "Recorder", "info": None},
        "second": {"component": "AsyncDisposer", "info": None},
        "third": {"component": "Recorder", "info": None},
    }


def test_get_has_pick_component() -> None:
    manager = ComponentManager()
    second = Recorder(SampleTypes.Second, [])
    manager.set_component(second)
    assert manager.get_component(SampleTypes.Second) is second
    assert manager.get_component(SampleTypes.First) is None
    assert manager.has_component(SampleTypes.Second)
    assert not manager.has_component(SampleTypes.First)
    assert manager.pick_component([SampleTypes.First, SampleTypes.Second]) is second
    assert manager.pick_component(SampleTypes.Second) is second
    assert manager.pick_component([SampleTypes.First, SampleTypes.Third]) is None


def test_set_component_replaces_in_place_and_rejects_non_components() -> None:
    manager = make_manager([])
    replacement = Recorder(SampleTypes.Second, [])
    manager.set_component(replacement)
    assert manager.components[1] is replacement
    assert len(manager.components) == 3
    with pytest.raises(TypeError, match=r"not a hostray\.web\.component\.Component"):
        manager.set_component(object())  # type: ignore[arg-type]


def test_broadcast_calls_plain_methods_and_both_spellings_agree() -> None:
    manager = make_manager([])
    expected = [(t, f"{t.key} greets you?") for t in SampleTypes]
    assert manager.broadcast("greet", "you", punct="?") == expected
    assert manager.boardcast("greet", "you", punct="?") == expected
    # async methods are left to broadcast_async
    assert manager.broadcast("agreet", "you") == []
    # components without the method are skipped
    assert manager.broadcast("no_such_method") == []


async def test_broadcast_async_awaits_coroutines() -> None:
    manager = make_manager([])
    expected = [(t, f"{t.key} awaits me") for t in SampleTypes]
    assert await manager.broadcast_async("agreet", "me") == expected
    assert await manager.boardcast_async("agreet", "me") == expected
    plain = await manager.broadcast_async("greet", "me")
    assert [r for _, r in plain] == [f"{t.key} greets me!" for t in SampleTypes]


async def test_invoke_and_invoke_async() -> None:
    manager = make_manager([])
    assert manager.invoke(SampleTypes.Third, "greet", "x", punct=".") == "third greets x."
    assert await manager.invoke_async(SampleTypes.First, "agreet", "y") == "first awaits y"
    assert await manager.invoke_async(SampleTypes.First, "greet", "z") == "first greets z!"
    with pytest.raises(TypeError, match="use invoke_async"):
        manager.invoke(SampleTypes.First, "agreet", "y")
    with pytest.raises(LookupError, match="'task_queue' is not loaded"):
        manager.invoke(DefaultComponentTypes.TaskQueue, "greet", "x")
    with pytest.raises(AttributeError, match="no method nope"):
        manager.invoke(SampleTypes.First, "nope")


def test_sort_components_by_enum_classes_and_members() -> None:
    manager = make_manager([])
    manager.sort_components([SampleTypes.Third, SampleTypes.First])
    assert [c.component_type for c in manager.components] == [
        SampleTypes.Third,
        SampleTypes.First,
        SampleTypes.Second,
    ]
    manager.sort_components([SampleTypes])
    assert [c.component_type for c in manager.components] == list(SampleTypes)


async def test_dispose_async_runs_in_reverse_order_awaiting_async_dispose() -> None:
    log: list[str] = []
    await make_manager(log).dispose_async()
    assert log == ["dispose third", "async dispose second", "dispose first"]


def test_dispose_outside_a_loop_awaits_async_dispose() -> None:
    log: list[str] = []
    make_manager(log).dispose()
    assert log == ["dispose third", "async dispose second", "dispose first"]


async def test_dispose_inside_a_loop_points_to_dispose_async() -> None:
    with pytest.raises(RuntimeError, match="dispose_async"):
        make_manager([]).dispose()


def test_builtin_enums_carry_the_seed_values() -> None:
    assert [m.value for m in DefaultComponentTypes] == [
        ("localization", "default_component", "LocalizationComponent"),
        ("logger", "default_component", "LoggerComponent"),
        ("callback", "default_component", "CallbackComponent"),
        ("worker_pool", "default_component", "WorkerPoolComponent"),
        ("task_queue", "default_component", "TaskQueueComponent"),
    ]
    assert [m.value for m in OptionalComponentTypes] == [
        ("services", "optional_component", "ServicesComponent"),
        ("memory_cache", "optional_component", "MemoryCacheComponent"),
        ("orm_db", "optional_component", "OrmDBComponent"),
        ("metrics", "optional_component", "MetricsComponent"),  # new in 0.9.0
        ("channels", "optional_component", "ChannelsComponent"),  # issue 16, after the seed's
    ]


def test_import_class_checks_component_subclass() -> None:
    from hostray.config import ConfigError

    class Bad(ComponentTypes):
        NotAComponent = ("bad", "collections", "OrderedDict")

    with pytest.raises(ConfigError, match="not a subclass of Component"):
        Bad.NotAComponent.import_class()


def test_base_component_defaults() -> None:
    component: Any = Component(SampleTypes.First)
    assert component.component_type is SampleTypes.First
    assert component.init(ComponentManager(), anything=1) is None
    assert component.info() == {"component": "Component", "info": None}
