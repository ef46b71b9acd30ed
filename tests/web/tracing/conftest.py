"""Fixtures of the tracing tests: no OTEL_* variable of the machine leaks in, and the log format
a JSON-logging project set is put back to text afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hostray.config import set_log_format


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Remove every OTEL_* variable for the test; restore the text log format after it."""
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)
    yield
    set_log_format("text")
