"""The seed's `hostray.unit_test`: bases of a project's reserved `unit_test` package."""

from hostray.web.unit_test import UnitTestCase, UnitTestTypes

__all__ = ["UnitTestCase", "UnitTestTypes"]
