"""`Callbacks`: functions registered per member of an Enum, run together when that event fires.

Callbacks run in the order they were added (each at most once per event). A callback that raises
does not stop the others: its exception is logged to the `hostray.workers` logger with its
traceback, and the `execute_*` methods return every exception raised, in callback order.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

__all__ = ["Callbacks"]

logger = logging.getLogger("hostray.workers")


class Callbacks:
    """Sync and async callbacks grouped by the members of `callback_enum_cls`."""

    def __init__(self, callback_enum_cls: type[Enum]) -> None:
        if not (isinstance(callback_enum_cls, type) and issubclass(callback_enum_cls, Enum)):
            raise TypeError(f"Callbacks needs an Enum class, got {callback_enum_cls!r}")
        self.callback_type_cls = callback_enum_cls
        self.callbacks: dict[Enum, list[Callable[..., Any]]] = {}
        self._lock = threading.Lock()
        self._background: set[asyncio.Task[Any]] = set()

    def add_callback(self, callback_enum: Enum | Any, callback: Callable[..., Any]) -> None:
        """Register `callback` for an event (a member of the enum, or its value); once only."""
        member = self._member(callback_enum)
        if not callable(callback):
            raise TypeError(f"callback for {member} must be callable, got {callback!r}")
        with self._lock:
            registered = self.callbacks.setdefault(member, [])
            if callback not in registered:
                registered.append(callback)

    def remove_callback(self, callback_enum: Enum | Any, callback: Callable[..., Any]) -> None:
        """Unregister `callback` from an event; ValueError if it was not registered there."""
        member = self._member(callback_enum)
        with self._lock:
            registered = self.callbacks.get(member, [])
            if callback not in registered:
                raise ValueError(f"{callback!r} is not registered for {member}")
            registered.remove(callback)

    def execute_callback(
        self, callback_enum: Enum | Any, *args: Any, **kwargs: Any
    ) -> list[Exception]:
        """Run the event's callbacks now, in order; returns the exceptions they raised.

        An async callback is run to completion on a fresh event loop when this thread has none
        running; inside a running loop it is scheduled as a task (failures are logged).
        """
        member, registered = self._registered(callback_enum)
        errors: list[Exception] = []
        for callback in registered:
            try:
                result = callback(*args, **kwargs)
                if inspect.isawaitable(result):
                    self._finish_awaitable(member, callback, result)
            except Exception as exc:
                errors.append(_report(member, callback, exc))
        return errors

    async def execute_callback_async(
        self, callback_enum: Enum | Any, *args: Any, **kwargs: Any
    ) -> list[Exception]:
        """Run the event's callbacks in order, awaiting async ones; returns their exceptions."""
        member, registered = self._registered(callback_enum)
        errors: list[Exception] = []
        for callback in registered:
            try:
                result = callback(*args, **kwargs)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                errors.append(_report(member, callback, exc))
        return errors

    def _member(self, callback_enum: Enum | Any) -> Enum:
        enum_cls = self.callback_type_cls
        try:
            return enum_cls(callback_enum)
        except ValueError:
            known = ", ".join(repr(m.value) for m in enum_cls)
            raise ValueError(
                f"{callback_enum!r} is not a member of {enum_cls.__name__} (values: {known})"
            ) from None

    def _registered(self, callback_enum: Enum | Any) -> tuple[Enum, list[Callable[..., Any]]]:
        member = self._member(callback_enum)
        with self._lock:
            return member, list(self.callbacks.get(member, ()))

    def _finish_awaitable(
        self, member: Enum, callback: Callable[..., Any], awaitable: Awaitable[Any]
    ) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(_await(awaitable))
            return
        task = loop.create_task(_await(awaitable))
        self._background.add(task)
        task.add_done_callback(lambda t: self._task_done(member, callback, t))

    def _task_done(
        self, member: Enum, callback: Callable[..., Any], task: asyncio.Task[Any]
    ) -> None:
        self._background.discard(task)
        if not task.cancelled() and isinstance(task.exception(), Exception):
            _report(member, callback, task.exception())  # type: ignore[arg-type]


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _report(member: Enum, callback: Callable[..., Any], exc: Exception) -> Exception:
    name = getattr(callback, "__qualname__", repr(callback))
    logger.error("callback %s for %s raised %r", name, member, exc, exc_info=exc)
    return exc
