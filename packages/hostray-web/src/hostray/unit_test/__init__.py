"""The seed's `hostray.unit_test`: bases of a project's reserved `unit_test` package."""

from hostray.web.unit_test_bases import FetchResult, ServerTestCase, UnitTestCase, UnitTestTypes

__all__ = ["FetchResult", "ServerTestCase", "UnitTestCase", "UnitTestTypes"]
