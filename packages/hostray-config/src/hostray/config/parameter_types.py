"""Checking one value against a declared parameter type: a type, a tuple of types, an Enum or a
converting callable. Strict: ``bool`` is not an ``int``, strings are not numbers; an ``int`` is
accepted where a ``float`` is due.
"""

from __future__ import annotations

import reprlib
from enum import Enum
from typing import Any

__all__ = ["check_value", "config_path", "describe_type", "is_parameter_type", "short_repr"]

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 2


def short_repr(value: Any) -> str:
    """A one-line, bounded repr for problem messages."""
    try:
        text = _REPR.repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text.replace("\n", "\\n").replace("\r", "\\r")


def describe_type(expected: Any) -> str:
    """How a parameter type reads in a problem: ``int``, ``int or str``, ``one of 'a', 'b'``."""
    if isinstance(expected, tuple):
        return " or ".join(describe_type(part) for part in expected) or "nothing"
    if isinstance(expected, type) and issubclass(expected, Enum):
        return "one of " + ", ".join(repr(member.value) for member in expected)
    if expected is Any or expected is object:
        return "any value"
    if expected is type(None):
        return "null"
    return str(getattr(expected, "__name__", expected))


def is_parameter_type(expected: Any) -> bool:
    """Whether ``expected`` can be used as a parameter type."""
    if isinstance(expected, tuple):
        return all(is_parameter_type(part) for part in expected)
    return expected is Any or callable(expected)


def check_value(expected: Any, value: Any) -> tuple[bool, Any]:
    """``(True, value)`` (converted where the type converts) or ``(False, None)``."""
    if isinstance(expected, tuple):
        for part in expected:
            ok, converted = check_value(part, value)
            if ok:
                return True, converted
        return False, None
    if expected is Any or expected is object:
        return True, value
    if isinstance(expected, type):
        return _check_type(expected, value)
    try:
        return True, expected(value)
    except Exception:
        return False, None


def _check_type(expected: type, value: Any) -> tuple[bool, Any]:
    if issubclass(expected, Enum):
        for member in expected:
            if value is member or _same(value, member.value):
                return True, value
        return False, None
    if isinstance(value, bool) and not issubclass(expected, bool) and expected is not object:
        return False, None
    if expected is float and isinstance(value, int):
        try:
            return True, float(value)
        except OverflowError:
            return False, None
    return isinstance(value, expected), value


def _same(value: Any, candidate: Any) -> bool:
    """Equality that does not take ``True`` for ``1``."""
    if isinstance(value, bool) != isinstance(candidate, bool):
        return False
    try:
        return bool(value == candidate)
    except Exception:
        return False


def config_path(value: Any) -> str:
    """A parameter type: a filesystem path (a string). Declaring an element with it tells whoever
    loads the config that a relative value is relative to the config's directory (hostray-web
    makes it absolute); other strings are left as they are."""
    if not isinstance(value, str):
        raise TypeError("a path")
    return value


config_path.__name__ = "a path (str)"
