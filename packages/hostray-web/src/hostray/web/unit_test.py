"""The reserved `unit_test` package's building blocks: `UnitTestTypes` enums of `UnitTestCase`s."""

from __future__ import annotations

import unittest

from hostray.config import DynamicClassEnum

__all__ = ["UnitTestCase", "UnitTestTypes"]


class UnitTestCase(unittest.TestCase):
    """Base of a project's test cases: override `test()` (or add `test_*` methods)."""

    def __init__(self, methodName: str = "test") -> None:
        super().__init__(methodName)

    def test(self) -> None:
        """The test; a subclass overrides it."""
        raise NotImplementedError(f"{type(self).__qualname__} does not override test()")


class UnitTestTypes(DynamicClassEnum):
    """Base of the enums whose members `(key, module, class_name)` name `UnitTestCase` classes."""

    def import_class(self, cls_type: type | None = None) -> type:
        """Import the member's test case class, checking that it is a `UnitTestCase`."""
        return super().import_class(cls_type=cls_type or UnitTestCase)
