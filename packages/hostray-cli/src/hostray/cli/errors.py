"""The command line's one error type and how it reaches the user: a line per problem, exit 2.

`CliError` is a problem of the command itself (options that do not combine, a project without test
cases); a project's problems, a port in use included, stay the `ConfigError` (hostray.config) or
`ProjectError` (hostray.web) they were raised as, and `main` reports both kinds alike, in one place.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["EXIT_USAGE", "CliError", "report"]

EXIT_USAGE = 2


class CliError(Exception):
    """A problem the user can fix with the command's arguments or files: no traceback shown."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems: list[str] = list(problems)


def report(problems: list[str], stream: TextIO | None = None) -> int:
    """Print each problem as one `error:` line on stderr and return the usage exit status.

    A problem that starts with whitespace continues the one before it (the traceback frames of an
    error in the project's code) and is printed indented as it is."""
    out = stream if stream is not None else sys.stderr
    for problem in problems:
        if problem[:1].isspace():
            out.write(f"  {problem.rstrip()}\n")
            continue
        line = " ".join(problem.split())
        out.write(f"error: {line}\n")
    out.flush()
    return EXIT_USAGE
