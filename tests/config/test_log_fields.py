"""`add_log_fields`: a provider's fields are on every JSON line, read as the line is made."""

from __future__ import annotations

import contextvars
import json
import logging

from hostray.config import JsonFormatter, add_log_fields, remove_log_fields

CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("current", default=None)


def _fields() -> dict[str, str] | None:
    value = CURRENT.get()
    return None if value is None else {"trace_id": value}


def _line() -> dict[str, object]:
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello", (), None)
    line: dict[str, object] = json.loads(JsonFormatter().format(record))
    return line


def test_a_provider_adds_its_fields_while_it_has_some() -> None:
    add_log_fields(_fields)
    add_log_fields(_fields)  # once is enough
    try:
        assert "trace_id" not in _line()  # None: nothing added
        token = CURRENT.set("4bf92f3577b34da6a3ce929d0e0e4736")
        try:
            assert _line()["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
        finally:
            CURRENT.reset(token)
    finally:
        remove_log_fields(_fields)
    token = CURRENT.set("gone")
    try:
        assert "trace_id" not in _line()
    finally:
        CURRENT.reset(token)
    remove_log_fields(_fields)  # a second removal is a no-op
