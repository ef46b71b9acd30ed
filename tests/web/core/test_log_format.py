"""`logger.format`: validated, and the JSON lines' fields."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from hostray.config import LOG_CONTEXT, ConfigError, JsonFormatter
from hostray.web.project import project_from_config


def test_an_unknown_format_is_one_config_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        project_from_config({"name": "x", "component": {"logger": {"format": "xml"}}}, tmp_path)
    text = str(caught.value)
    assert "component.logger.format" in text and "xml" in text and "json" in text
    assert "\n" not in text


def test_a_json_line_carries_the_request_fields_and_the_exception() -> None:
    token = LOG_CONTEXT.set({"request_id": "abc", "route": "/x", "status": 500})
    try:
        try:
            raise ValueError("broken")
        except ValueError:
            record = logging.LogRecord(
                "app", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
            )
        line = json.loads(JsonFormatter().format(record))
    finally:
        LOG_CONTEXT.reset(token)
    assert line["message"] == "failed here" and line["level"] == "ERROR"
    assert line["logger"] == "app" and line["time"].endswith("+00:00")
    assert (line["request_id"], line["route"], line["status"]) == ("abc", "/x", 500)
    assert "ValueError: broken" in line["exc"]
    outside = json.loads(JsonFormatter().format(logging.LogRecord("a", 20, "", 1, "m", (), None)))
    assert "request_id" not in outside and "exc" not in outside
