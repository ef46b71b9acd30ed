"""0.7.5's shared message catalogue `BaseLocal` and the exceptions whose text comes from it.

`LocalizedMessageException(code, *args)` reads its message from `BaseLocal` when raised, so a
project that imports its own CSV into `BaseLocal` gets its own texts; an unknown code reads as
the code followed by its arguments (0.7.5 raised a second exception instead).
"""

from __future__ import annotations

from typing import Any

from hostray.config import Localization
from hostray.web.messages import hostray_catalogue

__all__ = ["BaseLocal", "LocalizedMessageException", "LocalizedMessageWarning"]

BaseLocal = Localization()
"""The process-wide catalogue, holding hostray's own messages; add yours with `import_csv`."""
BaseLocal.import_csv([hostray_catalogue()])


class LocalizedMessageException(Exception):
    """An error whose message is `BaseLocal.get_message(code, *args)`."""

    def __init__(self, code: int | str, *args: Any) -> None:
        super().__init__(BaseLocal.get_message(code, *args))
        self.code = code
        self.code_args = args


class LocalizedMessageWarning(LocalizedMessageException):
    """A localized problem of the caller's input rather than of the program (0.7.5's name).

    In 0.7.5 both classes derived from `Exception` separately; here the warning is a kind of
    the exception, so `except LocalizedMessageException` catches both.
    """
