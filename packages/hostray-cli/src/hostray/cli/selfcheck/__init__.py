"""`hostray test` without DIR: check the installed library end to end, on loopback only.

A project using every default component, `memory_cache`, `orm_db` on `sqlite_memory` and `services`
pointed at itself is served in-process on a free 127.0.0.1 port; unittest cases then call the
components and the controllers (HTTP and websocket) and print unittest's summary.
"""

from __future__ import annotations

import sys
import unittest
from typing import TextIO

__all__ = ["run_self_check"]


def run_self_check(stream: TextIO | None = None, verbosity: int = 2) -> int:
    """Run the self-check; 0 when every check passed, 1 otherwise."""
    from . import cases
    from .harness import SelfCheckServer

    out = stream if stream is not None else sys.stderr
    suite = unittest.defaultTestLoader.loadTestsFromModule(cases)
    with SelfCheckServer() as server:
        cases.prepare(server)
        result = unittest.TextTestRunner(stream=out, verbosity=verbosity).run(suite)
    return 0 if result.wasSuccessful() else 1
