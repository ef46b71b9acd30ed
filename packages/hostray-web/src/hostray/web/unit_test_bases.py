"""The reserved `unit_test` package's building blocks: `UnitTestTypes` enums of `UnitTestCase`s,
and `ServerTestCase`, a case with its project served for the length of the class."""

from __future__ import annotations

import sys
import unittest
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import ClassVar

from hostray.config import ConfigError, DynamicClassEnum

from .running_server import RunningServer

__all__ = ["FetchResult", "ServerTestCase", "UnitTestCase", "UnitTestTypes"]

_CONFIG_FILE = "server_config.yaml"


class UnitTestCase(unittest.TestCase):
    """Base of a project's test cases: override `test()` (or add `test_*` methods)."""

    def __init__(self, methodName: str = "test") -> None:
        super().__init__(methodName)

    def test(self) -> None:
        """The test; a subclass overrides it."""
        raise NotImplementedError(f"{type(self).__qualname__} does not override test()")


@dataclass(frozen=True)
class FetchResult:
    """What `ServerTestCase.fetch` got back, whatever the status."""

    code: int
    headers: Message
    body: bytes


class ServerTestCase(UnitTestCase):
    """A `UnitTestCase` whose project is served on a free 127.0.0.1 port while its tests run.

    `project_dir` defaults to the project the case's module lives in (the nearest directory above
    it holding `server_config.yaml`); `self.server` is the `RunningServer`, `self.fetch(path)` a
    request to it. Each class loads the project afresh and stops its server gracefully after.
    """

    project_dir: ClassVar[str | None] = None
    server: ClassVar[RunningServer]

    @classmethod
    def setUpClass(cls) -> None:
        """Load and serve the project."""
        super().setUpClass()
        cls.server = RunningServer(cls.project_dir or _project_of(cls))

    @classmethod
    def tearDownClass(cls) -> None:
        """Stop the server gracefully."""
        cls.server.stop()
        super().tearDownClass()

    def fetch(
        self,
        path: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> FetchResult:
        """Send a request to the server; 4xx and 5xx are returned, not raised."""
        request = urllib.request.Request(
            self.server.url(path), data=body, headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return FetchResult(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return FetchResult(error.code, error.headers, error.read())


def _project_of(case: type) -> str:
    """The directory above `case`'s module that holds `server_config.yaml`."""
    module_file = getattr(sys.modules.get(case.__module__), "__file__", None)
    if module_file:
        for directory in Path(module_file).resolve().parents:
            if (directory / _CONFIG_FILE).is_file():
                return str(directory)
    raise ConfigError(
        f"{case.__qualname__}: no {_CONFIG_FILE} above {module_file or case.__module__}; "
        "set project_dir on the ServerTestCase"
    )


class UnitTestTypes(DynamicClassEnum):
    """Base of the enums whose members `(key, module, class_name)` name `UnitTestCase` classes."""

    def import_class(self, cls_type: type | None = None) -> type:
        """Import the member's test case class, checking that it is a `UnitTestCase`."""
        return super().import_class(cls_type=cls_type or UnitTestCase)
