"""Where a piece of configuration came from, so that a problem can name ``file:line``."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

__all__ = ["ConfigDict", "location_of"]


class ConfigDict(dict[Any, Any]):
    """A plain ``dict`` that also remembers its source file, its own line and each key's line."""

    source: str | None
    line: int | None
    key_lines: dict[Hashable, int]

    def __init__(
        self,
        *args: Any,
        source: str | None = None,
        line: int | None = None,
        key_lines: dict[Hashable, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.line = line
        self.key_lines = dict(key_lines or {})

    def positioned_like(self, data: dict[Any, Any] | None = None) -> ConfigDict:
        """A new mapping holding ``data`` with this mapping's positions."""
        return ConfigDict(data or {}, source=self.source, line=self.line, key_lines=self.key_lines)


def location_of(mapping: object, key: Hashable | None = None) -> str | None:
    """``file:line`` of ``key`` in ``mapping`` (or of the mapping itself); ``None`` if unknown."""
    if not isinstance(mapping, ConfigDict) or mapping.source is None:
        return None
    line = mapping.key_lines.get(key, mapping.line) if key is not None else mapping.line
    return mapping.source if line is None else f"{mapping.source}:{line}"
