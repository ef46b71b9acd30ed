"""Which config values are project paths: those declared so, and no others.

A component's validator declares a path with the `config_path` parameter type
(`ConfigElementMeta("dir", config_path, False)`); a controller declares its path params in
`path_params` (Tornado's `StaticFileHandler` and its subclasses: `path`). A relative value there is
made absolute against the project directory; a project component's own `path: api/notes` stays as
written (0.8 rewrote every key named path/dir/file_name/save_file/upload_dir).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tornado.web import StaticFileHandler

from hostray.config import ConfigBaseElementMeta, ConfigElementType, config_path

__all__ = ["is_path_type", "path_params", "resolve_declared_paths"]


def is_path_type(parameter_type: Any) -> bool:
    """Whether a validator's parameter type declares a path (`config_path`, alone or in a tuple)."""
    if isinstance(parameter_type, tuple):
        return any(is_path_type(part) for part in parameter_type)
    return parameter_type is config_path


def path_params(handler_class: type) -> frozenset[str]:
    """The `initialize()` params of `handler_class` that are project paths."""
    declared = getattr(handler_class, "path_params", None)
    if declared is not None:
        return frozenset(declared)
    if issubclass(handler_class, StaticFileHandler):
        return frozenset({"path"})
    return frozenset()


def _resolve_strings(
    value: dict[Any, Any], keys: list[Any], absolute: Callable[[str], str]
) -> None:
    """Replace each non-empty string `value[key]` by `absolute(string)`."""
    for key in keys:
        item = value.get(key)
        if isinstance(item, str) and item:
            value[key] = absolute(item)


def resolve_declared_paths(
    validator: ConfigBaseElementMeta, value: Any, absolute: Callable[[str], str]
) -> None:
    """Replace, in `value` (validated by the container `validator`), each non-empty string whose
    element is declared with `config_path` by `absolute(string)`."""
    if not isinstance(value, dict):
        return
    for name, child in validator.cls_parameters.items():
        kind = child.element_kind
        if kind == ConfigElementType.Element:
            if is_path_type(child.parameter_type):
                _resolve_strings(value, [name], absolute)
        elif kind == ConfigElementType.Container:
            resolve_declared_paths(child, value.get(name), absolute)
        elif kind == ConfigElementType.ScalableContainer:
            for item in value.values():
                resolve_declared_paths(child, item, absolute)
        elif kind == ConfigElementType.ScalableElement:
            if is_path_type(child.parameter_type):
                _resolve_strings(value, list(value), absolute)
        elif kind == ConfigElementType.SwitchableElement:
            chosen = child.cls_parameters.get(str(value.get(name)))
            if chosen is not None:
                resolve_declared_paths(chosen, value, absolute)
