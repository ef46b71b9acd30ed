"""The format of hostray's log lines (`text` or `json`) and the per-request context they carry.

`LOG_CONTEXT` holds the fields of the request being served (request_id, route, and status and
duration_ms once it is answered); a contextvar, so it follows the request into tasks and into the
worker threads hostray hands work to. With `json`, each record is one JSON object:
time, level, logger, message, the context's fields, the fields of every provider added with
`add_log_fields` (hostray-web's tracing adds trace_id and span_id that way), and exc when an
exception is attached.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "LOG_CONTEXT",
    "LOG_FORMATS",
    "JsonFormatter",
    "LogFieldsProvider",
    "add_log_fields",
    "console_line",
    "current_log_format",
    "remove_log_fields",
    "set_log_format",
]

LOG_FORMATS = ("text", "json")
"""The `logger.format` choices."""

LOG_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar("hostray_log_context", default=None)
"""The fields of the request being served, added to every JSON line logged while serving it."""

LogFieldsProvider = Callable[[], Mapping[str, Any] | None]
"""Called as each JSON line is made, in the logging thread's context: fields to add, or None."""

_FORMAT = {"value": "text"}
_PROVIDERS: tuple[LogFieldsProvider, ...] = ()
_LOCK = threading.Lock()
_RECORD_FIELDS = ("status", "duration_ms", "route", "request_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the request's
    fields and exc (the formatted traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = LOG_CONTEXT.get()
        if context:
            line.update(context)
        for provider in _PROVIDERS:
            fields = provider()
            if fields:
                line.update(fields)
        for field in _RECORD_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


def add_log_fields(provider: LogFieldsProvider) -> None:
    """Add `provider()`'s fields to every JSON line from now on; adding it again changes nothing.

    A package that knows more about the work being logged (the current trace's ids) adds them
    without hostray-config depending on it. A provider must be quick and must not log."""
    global _PROVIDERS
    with _LOCK:
        if provider not in _PROVIDERS:
            _PROVIDERS = (*_PROVIDERS, provider)


def remove_log_fields(provider: LogFieldsProvider) -> None:
    """Stop adding `provider()`'s fields (a no-op if it was not added)."""
    global _PROVIDERS
    with _LOCK:
        _PROVIDERS = tuple(p for p in _PROVIDERS if p is not provider)


def set_log_format(log_format: str) -> None:
    """Make every hostray log handler, present and future, write `text` or `json` lines."""
    if log_format not in LOG_FORMATS:
        raise ValueError(
            f"log format: expected one of {', '.join(LOG_FORMATS)}, got {log_format!r}"
        )
    with _LOCK:
        _FORMAT["value"] = log_format
    from .logger import apply_log_format  # logger.py imports this module

    apply_log_format()


def current_log_format() -> str:
    """`text` or `json`."""
    return _FORMAT["value"]


def console_line(message: str, logger: str = "hostray.cli") -> str:
    """A line a command prints itself (as `listening on …`): `message`, or its JSON object."""
    if _FORMAT["value"] != "json":
        return message
    record = logging.LogRecord(logger, logging.INFO, __file__, 0, message, None, None)
    return JsonFormatter().format(record)
