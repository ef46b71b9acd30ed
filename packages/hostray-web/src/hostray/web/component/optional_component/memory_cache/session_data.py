"""Session dicts that accept only storable values, and their JSON form with tagged datetimes.

A session outlives the request (saved to `save_file`, kept in Redis), so a value that could not be
written back is refused when it is set, not when the server stops. JSON, never pickle: a writable
pickle file is code execution.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ..errors import SessionValueError

__all__ = ["SessionDict", "check_value", "decode", "encode"]

_TAG = "$type"
_SCALARS = frozenset({str, int, float, bool, type(None), datetime, date})
_ALLOWED = "str, int, float, bool, None, date, datetime, list and dict with str keys"


def check_value(value: Any, where: str) -> None:
    """Raise `SessionValueError` naming `where` unless `value` survives `encode`/`decode`."""
    kind = type(value)
    if kind in _SCALARS:
        return
    if kind is list:
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]")
        return
    if kind is dict:
        for key, item in value.items():
            _check_key(key, where)
            check_value(item, f"{where}[{key!r}]")
        return
    raise SessionValueError(
        f"session value {where} of type {kind.__name__} cannot be stored (allowed: {_ALLOWED})"
    )


def _check_key(key: Any, where: str) -> None:
    if type(key) is not str:
        raise SessionValueError(
            f"session key {key!r} in {where} must be a str, not {type(key).__name__}"
        )
    if key == _TAG:
        raise SessionValueError(f"session key {_TAG!r} in {where} is reserved")


class SessionDict(dict[str, Any]):
    """The dict a session hands out: every write is checked, and `on_change` hears of it.

    `modified` says that changes are waiting to be written back (`save_session`; a backend that
    holds the dict itself clears it at once); `stored` whether the backend holds the session yet
    (a new one is stored on its first change).
    A nested list or dict changed in place is not seen: assign it again to store the change.
    """

    __slots__ = ("modified", "on_change", "stored")

    def __init__(
        self, data: Mapping[str, Any] | None = None, on_change: Callable[[], None] | None = None
    ) -> None:
        super().__init__()
        if data:
            for key, value in data.items():
                _check_key(key, "the session")
                check_value(value, f"[{key!r}]")
                dict.__setitem__(self, key, value)
        self.modified = False
        self.stored = False
        self.on_change = on_change

    def mark_saved(self) -> None:
        """The changes so far are in the store."""
        self.modified = False

    def _changed(self) -> None:
        self.modified = True
        if self.on_change is not None:
            self.on_change()

    def __setitem__(self, key: str, value: Any) -> None:
        _check_key(key, "the session")
        check_value(value, f"[{key!r}]")
        dict.__setitem__(self, key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Check every new item first, then store them all (nothing is stored if one is refused)."""
        items = dict(*args, **kwargs)
        for key, value in items.items():
            _check_key(key, "the session")
            check_value(value, f"[{key!r}]")
        dict.update(self, items)
        if items:
            self._changed()

    def __ior__(self, other: Any) -> SessionDict:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return default

    def pop(self, key: str, *default: Any) -> Any:
        present = key in self
        value = dict.pop(self, key, *default)
        if present:
            self._changed()
        return value

    def popitem(self) -> tuple[str, Any]:
        item = dict.popitem(self)
        self._changed()
        return item

    def clear(self) -> None:
        had_items = bool(self)
        dict.clear(self)
        if had_items:
            self._changed()


def _tag(value: Any) -> dict[str, str]:
    if isinstance(value, datetime):
        return {_TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "value": value.isoformat()}
    raise SessionValueError(f"{type(value).__name__} cannot be stored in a session")


def _untag(obj: dict[str, Any]) -> Any:
    tag = obj.get(_TAG)
    if tag is None:
        return obj
    if tag == "datetime":
        return datetime.fromisoformat(obj["value"])
    if tag == "date":
        return date.fromisoformat(obj["value"])
    raise ValueError(f"unknown tagged type {tag!r}")


def encode(data: Any) -> str:
    """JSON of session data, datetimes and dates tagged so that `decode` gives them back."""
    return json.dumps(data, default=_tag, separators=(",", ":"), ensure_ascii=False)


def decode(text: str | bytes) -> Any:
    """Inverse of `encode`; raises `ValueError` on text it did not write."""
    return json.loads(text, object_hook=_untag)
