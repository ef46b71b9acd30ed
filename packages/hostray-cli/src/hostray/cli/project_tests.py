"""`hostray test [DIR]`: a project's `unit_test` cases, or without DIR the library's self-check."""

from __future__ import annotations

import os
import unittest
from pathlib import Path

from hostray.cli.errors import CliError

__all__ = ["run_project_tests", "run_tests"]


def run_project_tests(directory: str | os.PathLike[str], verbosity: int = 2) -> int:
    """Run the cases the project's `UnitTestTypes` enums name; 0 when all pass, else 1."""
    from hostray.web.project import load_unit_tests

    root = Path(directory)
    suite = load_unit_tests(root)
    if suite.countTestCases() == 0:
        raise CliError(
            f"{root / 'unit_test'}: no test cases (define a UnitTestTypes enum naming "
            "UnitTestCase classes in unit_test/__init__.py)"
        )
    result = unittest.TextTestRunner(verbosity=verbosity).run(suite)
    return 0 if result.wasSuccessful() else 1


def run_tests(directory: str | os.PathLike[str] | None) -> int:
    """The `test` command: the project's cases with DIR, the installed library's self-check
    without."""
    if directory is None:
        from hostray.cli.selfcheck import run_self_check

        return run_self_check()
    return run_project_tests(directory)
