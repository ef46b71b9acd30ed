"""`Disposable`: the `with` support every worker and pool shares (leaving the block disposes)."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

__all__ = ["Disposable"]

_D = TypeVar("_D", bound="Disposable")


class Disposable:
    """Base of objects whose `with` block ends with `dispose()`."""

    def dispose(self) -> None:
        """Release what the object holds; subclasses define it."""
        raise NotImplementedError

    def __enter__(self: _D) -> _D:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.dispose()
