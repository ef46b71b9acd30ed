"""Fixtures of the optional-component tests: components made the way the server makes them."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from hostray.web.component import Component, ComponentManager, OptionalComponentTypes


async def dispose(component: Component, manager: ComponentManager | None) -> None:
    """Run a component's dispose, awaiting it when it is async."""
    # None: a test showing that dispose does not need the manager.
    result = component.dispose(manager)  # type: ignore[arg-type]
    if inspect.isawaitable(result):
        await result


@pytest.fixture
async def make_component() -> AsyncIterator[Callable[..., Any]]:
    """`make_component(OptionalComponentTypes.X, **config)`: an initialised component, disposed
    at the end of the test unless the test disposed it itself (`.disposed = True`)."""
    made: list[tuple[Component, ComponentManager]] = []

    def make(enum: OptionalComponentTypes, **config: Any) -> Any:
        manager = ComponentManager()
        component = enum.import_class()(enum)
        component.init(manager, **config)
        manager.set_component(component)
        made.append((component, manager))
        return component

    yield make
    for component, manager in reversed(made):
        if not getattr(component, "disposed", False):
            await dispose(component, manager)
