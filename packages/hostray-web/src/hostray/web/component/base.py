"""The component framework: `ComponentTypes` enums, the `Component` base and `ComponentManager`.

A component is a long-lived service of the server (localization, loggers, pools, caches, …) keyed by
a `ComponentTypes` member; the manager keeps them in load order so that they can be disposed in the
reverse order.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterable
from enum import EnumMeta
from typing import TYPE_CHECKING, Any, Literal, overload

from hostray.config import DynamicClassEnum

if TYPE_CHECKING:
    from . import DefaultComponentTypes, OptionalComponentTypes
    from .default_component import (
        CallbackComponent,
        LocalizationComponent,
        LoggerComponent,
        TaskQueueComponent,
        WorkerPoolComponent,
    )
    from .optional_component import MemoryCacheComponent, OrmDBComponent, ServicesComponent

__all__ = ["Component", "ComponentManager", "ComponentTypes"]

DEFAULT_SHUTDOWN_TIMEOUT = 10.0
"""Seconds components may spend finishing queued work at stop; the config's `shutdown_timeout`
default too."""


class ComponentTypes(DynamicClassEnum):
    """Base of the enums whose members `(key, module, class_name)` name component classes."""

    # Members are equal only to themselves, so identity hashing agrees with `==`; it is C code,
    # where Enum's `hash(self._name_)` is a Python call on every `get_component`.
    __hash__ = object.__hash__

    def import_class(self, cls_type: type | None = None) -> type:
        """Import the member's class, checking that it is a `Component` (or `cls_type`)."""
        return super().import_class(cls_type=cls_type or Component)


class Component:
    """Base class of components: `init` when the server starts, `dispose` when it stops."""

    def __init__(self, component_type: ComponentTypes) -> None:
        self.component_type = component_type

    def init(self, component_manager: ComponentManager, *args: Any, **kwargs: Any) -> Any:
        """Set the component up with its configuration; may return an awaitable."""

    def info(self) -> dict[str, Any]:
        """Meta information shown by the components_info controller."""
        return {"component": type(self).__name__, "info": None}

    def dispose(self, component_manager: ComponentManager) -> Any:
        """Release what the component holds; may be a coroutine function."""

    async def ready(self) -> str | None:
        """Readiness hook of the `server_ready` route: None when what the component depends on
        (a database, Redis, a broker) is reachable, else one line saying why not (no secrets)."""
        return None


class ComponentManager:
    """Holds the loaded components in load order and dispatches calls to them."""

    def __init__(self) -> None:
        self._components: dict[ComponentTypes, Component] = {}
        # Seconds a component may spend finishing queued work when the server stops.
        self.shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
        # The project directory (set by the server before the components' init), for components
        # that resolve paths of their own.
        self.root_dir: str | None = None

    @property
    def components(self) -> list[Component]:
        """The loaded components, in load order."""
        return list(self._components.values())

    @property
    def info(self) -> dict[str, Any]:
        """`info()` of every loaded component, keyed by its component key."""
        return {c.component_type.key: c.info() for c in self.components}

    def dispose(self) -> None:
        """Dispose every component in reverse load order, outside a running event loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(self.dispose_async())
            return
        raise RuntimeError(
            "ComponentManager.dispose() cannot run inside an event loop; "
            "await component_manager.dispose_async() instead"
        )

    async def readiness(self, timeout: float) -> dict[str, str]:
        """`ready()` of every component at once, each given `timeout` s: `{key: reason}` of
        those not ready (empty when all are)."""
        components = self.components

        async def check(component: Component) -> str | None:
            try:
                return await asyncio.wait_for(component.ready(), timeout)
            except asyncio.TimeoutError:
                return f"no answer within {timeout} s"
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"

        reasons = await asyncio.gather(*(check(c) for c in components))
        return {
            c.component_type.key: reason
            for c, reason in zip(components, reasons, strict=True)
            if reason is not None
        }

    async def dispose_async(self) -> None:
        """Dispose every component in reverse load order, awaiting async `dispose` methods."""
        for component in reversed(self.components):
            result = component.dispose(self)
            if inspect.isawaitable(result):
                await result

    async def dispose_components(self) -> None:
        """0.7.5's name of `dispose_async` (what its server awaited on stop)."""
        await self.dispose_async()

    def broadcast(self, method: str, *args: Any, **kwargs: Any) -> list[tuple[ComponentTypes, Any]]:
        """Call the plain (non-async) `method` of every component that has one, in load order."""
        results: list[tuple[ComponentTypes, Any]] = []
        for component in self.components:
            func = getattr(component, method, None)
            if callable(func) and not inspect.iscoroutinefunction(func):
                results.append((component.component_type, func(*args, **kwargs)))
        return results

    async def broadcast_async(
        self, method: str, *args: Any, **kwargs: Any
    ) -> list[tuple[ComponentTypes, Any]]:
        """Call `method` of every component that has one, awaiting awaitable results."""
        results: list[tuple[ComponentTypes, Any]] = []
        for component in self.components:
            func = getattr(component, method, None)
            if callable(func):
                result = func(*args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                results.append((component.component_type, result))
        return results

    boardcast = broadcast
    boardcast_async = broadcast_async

    def invoke(self, enum_type: ComponentTypes, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a plain method of one component and return its result."""
        func = self._method(enum_type, method)
        if inspect.iscoroutinefunction(func):
            raise TypeError(f"component {enum_type.key!r}: {method}() is async; use invoke_async()")
        return func(*args, **kwargs)

    async def invoke_async(
        self, enum_type: ComponentTypes, method: str, *args: Any, **kwargs: Any
    ) -> Any:
        """Call a plain or async method of one component, awaiting its result."""
        result = self._method(enum_type, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    def set_component(self, component: Component) -> None:
        """Add a component, or replace the one of the same type in place."""
        if not isinstance(component, Component):
            raise TypeError(f"{component!r} is not a hostray.web.component.Component")
        self._components[component.component_type] = component

    # The built-in members name their class, so a checker knows what each one gives back.
    @overload
    def get_component(
        self, enum_type: Literal[DefaultComponentTypes.Localization]
    ) -> LocalizationComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[DefaultComponentTypes.Logger]
    ) -> LoggerComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[DefaultComponentTypes.Callback]
    ) -> CallbackComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[DefaultComponentTypes.WorkerPool]
    ) -> WorkerPoolComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[DefaultComponentTypes.TaskQueue]
    ) -> TaskQueueComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[OptionalComponentTypes.Service]
    ) -> ServicesComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[OptionalComponentTypes.MemoryCache]
    ) -> MemoryCacheComponent | None: ...
    @overload
    def get_component(
        self, enum_type: Literal[OptionalComponentTypes.OrmDB]
    ) -> OrmDBComponent | None: ...
    @overload
    def get_component(self, enum_type: ComponentTypes) -> Any: ...
    def get_component(self, enum_type: ComponentTypes) -> Any:
        """The component of `enum_type`, or None when it is not loaded."""
        return self._components.get(enum_type)

    def pick_component(self, enum_types: Iterable[ComponentTypes] | ComponentTypes) -> Any:
        """The first loaded component among `enum_types`, or None."""
        if isinstance(enum_types, ComponentTypes):
            enum_types = [enum_types]
        for enum_type in enum_types:
            if enum_type in self._components:
                return self._components[enum_type]
        return None

    def has_component(self, enum_type: ComponentTypes) -> bool:
        """Whether a component of `enum_type` is loaded."""
        return enum_type in self._components

    def sort_components(self, order_list: Iterable[EnumMeta | ComponentTypes]) -> None:
        """Order the components as the members of `order_list` (enum classes or members).

        Components whose type the list does not name keep their relative order, after the others.
        """
        order: list[ComponentTypes] = []
        for item in order_list:
            order.extend(item if isinstance(item, EnumMeta) else [item])
        rank = {member: index for index, member in enumerate(order)}
        keys = sorted(self._components, key=lambda k: rank.get(k, len(rank)))
        self._components = {k: self._components[k] for k in keys}

    def _method(self, enum_type: ComponentTypes, method: str) -> Any:
        component = self._components.get(enum_type)
        if component is None:
            raise LookupError(f"component {enum_type.key!r} is not loaded")
        func = getattr(component, method, None)
        if not callable(func):
            raise AttributeError(f"component {enum_type.key!r} has no method {method}()")
        return func
