"""The validation walk: data against a validator class tree, collecting every problem.

Kept apart from the metaclasses (validator_metaclasses.py) so that the walk reads top to bottom; it
reads any `ValidatorNode` (validator_node.py), so it does not import them. Each problem is one line:
``[file:line: ]dotted.path: what was expected, what was found``.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from .parameter_types import check_value, describe_type, short_repr
from .positions import ConfigDict, location_of
from .secrets import is_secret_key, mask_secrets
from .validator_node import UNSET, ConfigElementType, ValidatorNode

__all__ = ["validate"]


_SCALABLE = (ConfigElementType.ScalableContainer, ConfigElementType.ScalableElement)


@dataclass(frozen=True)
class _Level:
    """The mapping being validated: its dotted path, its data and the validated result."""

    path: str
    value: Mapping[Any, Any]
    result: dict[Any, Any]


class _Walk:
    """One validation run: the problems found so far."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def report(self, where: object, key: Hashable | None, path: str, message: str) -> None:
        parts = [part for part in (location_of(where, key), path) if part]
        # A key may be a URL with its password (a services base URL): mask it in the path too.
        self.problems.append(mask_secrets(": ".join([*parts, message])))

    def value(self, schema: ValidatorNode, value: Any, path: str, where: object, key: Any) -> Any:
        kind = schema.element_kind
        if kind in (ConfigElementType.Container, ConfigElementType.ScalableContainer):
            return self.container(schema, value, path, where, key)
        return self.element(schema, value, path, where, key)

    def element(self, schema: ValidatorNode, value: Any, path: str, where: object, key: Any) -> Any:
        expected = schema.parameter_type
        if value is None and not check_value(expected, None)[0]:
            if schema.required:
                self.report(where, key, path, f"expected {describe_type(expected)}, got nothing")
            return None if schema.default is UNSET else copy.deepcopy(schema.default)
        ok, converted = check_value(expected, value)
        if not ok:
            found = _found(value, key)
            self.report(where, key, path, f"expected {describe_type(expected)}, got {found}")
            return value
        choices = schema.choices
        if choices is not None and not any(_equal(converted, choice) for choice in choices):
            allowed = ", ".join(repr(choice) for choice in choices)
            found = _found(value, key, with_type=False)
            self.report(where, key, path, f"expected one of {allowed}, got {found}")
        return converted

    def container(
        self, schema: ValidatorNode, value: Any, path: str, where: object, key: Any
    ) -> Any:
        if value is None:
            value = _empty_at(where, key)
        if not isinstance(value, Mapping):
            self.report(where, key, path, f"expected a mapping, got {_found(value, key)}")
            return value
        result = value.positioned_like() if isinstance(value, ConfigDict) else {}
        children = schema.cls_parameters
        if not children:  # a container without a schema holds free-form settings
            result.update(value)
            return result
        level = _Level(path, value, result)
        named = {n: c for n, c in children.items() if c.element_kind not in _SCALABLE}
        scalables = [c for c in children.values() if c.element_kind in _SCALABLE]
        handled: set[Any] = set()
        siblings = self.switches(named, level, (where, key), handled)
        plain = {
            n: c for n, c in named.items() if c.element_kind != ConfigElementType.SwitchableElement
        }
        self.named(plain | siblings, level, (where, key), handled)
        known = [*named, *siblings]
        for item_key, item in value.items():
            if item_key not in handled:
                self.extra(scalables, known, item_key, item, level)
        return result

    def switches(
        self,
        named: dict[str, ValidatorNode],
        level: _Level,
        missing_at: tuple[object, Any],
        handled: set[Any],
    ) -> dict[str, ValidatorNode]:
        """Validate the switch keys among ``named``; the sibling schemas their values select."""
        siblings: dict[str, ValidatorNode] = {}
        for child in named.values():
            if child.element_kind != ConfigElementType.SwitchableElement:
                continue
            selected = self.switch(
                child, level.value, level.path, missing_at=missing_at, result=level.result
            )
            handled.add(child.__name__)
            if selected is None:  # no valid choice: its keys are neither checked nor unknown
                for option in child.cls_parameters.values():
                    handled.update(n for n in option.cls_parameters if n in level.value)
            else:
                siblings.update(selected)
        return siblings

    def named(
        self,
        schemas: dict[str, ValidatorNode],
        level: _Level,
        missing_at: tuple[object, Any],
        handled: set[Any],
    ) -> None:
        """Validate the named children not handled yet: present, missing or defaulted."""
        for name, child in schemas.items():
            if name in handled:
                continue
            child_path = _join(level.path, name)
            if name in level.value:
                handled.add(name)
                level.result[name] = self.value(
                    child, level.value[name], child_path, level.value, name
                )
            elif child.required:
                self.report(*missing_at, child_path, f"missing required {_noun(child)}")
            elif child.default is not UNSET:
                level.result[name] = copy.deepcopy(child.default)

    def switch(
        self,
        child: ValidatorNode,
        value: Mapping[Any, Any],
        path: str,
        *,
        missing_at: tuple[object, Any],
        result: dict[Any, Any],
    ) -> dict[str, ValidatorNode] | None:
        """Validate a switch key; the element schemas its value selects (None: no valid choice)."""
        name = child.__name__
        child_path = _join(path, name)
        if name not in value:
            if child.required:
                self.report(*missing_at, child_path, "missing required key")
            return None
        selected = self.element(child, value[name], child_path, value, name)
        result[name] = selected
        options = child.cls_parameters
        for option_name, option in options.items():
            if _equal(selected, option_name):
                return {
                    n: c
                    for n, c in option.cls_parameters.items()
                    if n != name and c.element_kind not in _SCALABLE
                }
        if check_value(child.parameter_type, value[name])[0]:
            allowed = ", ".join(repr(option) for option in options)
            found = _found(value[name], name, with_type=False)
            self.report(value, name, child_path, f"expected one of {allowed}, got {found}")
        return None

    def extra(
        self,
        scalables: list[ValidatorNode],
        known: list[str],
        item_key: Any,
        item: Any,
        level: _Level,
    ) -> None:
        """A key no named child claims: an instance of a scalable child, or unknown."""
        child_path = _join(level.path, item_key)
        for scalable in scalables:
            if check_value(scalable.key_type, item_key)[0]:
                level.result[item_key] = self.value(
                    scalable, item, child_path, level.value, item_key
                )
                return
        if scalables:
            expected = " or ".join(describe_type(s.key_type) for s in scalables)
            found = f"{short_repr(item_key)} ({type(item_key).__name__})"
            self.report(
                level.value, item_key, child_path, f"expected a key of type {expected}, got {found}"
            )
            return
        message = "unknown key"
        match = difflib.get_close_matches(str(item_key), known, n=1)
        if match:
            message += f", did you mean {match[0]!r}?"
        elif known:
            message += " (expected " + ", ".join(repr(k) for k in sorted(known)) + ")"
        self.report(level.value, item_key, child_path, message)


def validate(schema: ValidatorNode, data: Any, route: str = "") -> tuple[Any, list[str]]:
    """Validate ``data`` against ``schema``; the validated data and every problem found."""
    walk = _Walk()
    path = route
    if not path and schema.element_kind not in (
        ConfigElementType.Container,
        ConfigElementType.ScalableContainer,
    ):
        path = schema.__name__
    result = walk.value(schema, data, path, data if isinstance(data, ConfigDict) else None, None)
    return result, walk.problems


def _found(value: Any, key: Any, *, with_type: bool = True) -> str:
    """How a problem shows the value it got: `987 (int)`, never the value of a secret-looking key
    (`got int (value not shown)`), and URLs with their secrets masked."""
    if is_secret_key(key):
        return f"{type(value).__name__} (value not shown)"
    shown = short_repr(mask_secrets(value) if isinstance(value, (str, Mapping)) else value)
    return f"{shown} ({type(value).__name__})" if with_type else shown


def _join(path: str, key: Any) -> str:
    text = str(key)
    if not text.isprintable() or len(text) > 60:
        text = short_repr(key)
    return f"{path}.{text}" if path else text


def _noun(schema: ValidatorNode) -> str:
    if schema.element_kind == ConfigElementType.Container:
        return "section"
    return "key"


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    try:
        return bool(left == right)
    except Exception:
        return False


def _empty_at(where: object, key: Any) -> dict[Any, Any]:
    """An empty mapping for ``key:`` with nothing under it, positioned at that key."""
    if isinstance(where, ConfigDict):
        line = where.key_lines.get(key, where.line)
        return ConfigDict(source=where.source, line=line)
    return {}
