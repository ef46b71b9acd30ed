"""Checking a route's `params` against the annotations of its controller's `initialize()`.

`max_body_size: ten` for `initialize(self, max_body_size: int = …)` is a start-time problem naming
the key, instead of a handler that fails on every request. Annotations this check cannot judge
(a Protocol, a TypeVar, a string it cannot resolve) let any value through.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["param_type_problems"]


def param_type_problems(func: Callable[..., Any] | None, params: Mapping[str, Any]) -> list[str]:
    """`key: expected <type>, got <value>` for each param whose value its annotation rules out."""
    if func is None:
        return []
    try:
        hints = typing.get_type_hints(func)
        names = inspect.signature(func).parameters
    except Exception:  # unresolvable annotations or no signature: nothing to check against
        return []
    problems: list[str] = []
    for key, value in params.items():
        annotation = hints.get(key) if key in names else None
        if annotation is not None and _matches(value, annotation) is False:
            problems.append(f"{key}: expected {_describe(annotation)}, got {value!r}")
    return problems


def _matches(value: Any, annotation: Any) -> bool | None:
    """Whether `value` fits `annotation`; None when the annotation is beyond this check."""
    if annotation is Any:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _matches_union(value, typing.get_args(annotation))
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    kind = origin if isinstance(origin, type) else annotation
    return _matches_type(value, kind) if isinstance(kind, type) else None


def _matches_union(value: Any, options: tuple[Any, ...]) -> bool | None:
    results = [_matches(value, option) for option in options]
    if True in results:
        return True
    return None if None in results else False


def _matches_type(value: Any, kind: type) -> bool | None:
    """`isinstance`, strict about numbers: a bool is no int, an int is a float."""
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    try:
        return isinstance(value, kind)
    except TypeError:  # a Protocol that is not runtime-checkable, and the like
        return None


def _describe(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("NoneType", "None")
