"""The two errors a caller of hostray.orm tells apart: bad entity input and an unreachable database.

hostray-web answers the first with 400 and the second with 503 (docs/CONTRACTS.md).
"""

from __future__ import annotations

__all__ = ["DatabaseUnavailableError", "EntityValidationError"]


class EntityValidationError(ValueError):
    """A value the entity refuses: unknown column, value outside its allowed set, fixed column.

    `.column` names the offending column; the message is one line that names it too.
    """

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


class DatabaseUnavailableError(RuntimeError):
    """The database server cannot be reached, or dropped the connection in the middle of a call."""
