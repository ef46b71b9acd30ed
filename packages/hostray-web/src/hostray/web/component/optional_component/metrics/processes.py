"""The directory prometheus-client's multiprocess mode shares between `--processes` children.

`multiprocess_metrics(project)` is entered by the parent before it forks: when the project
configures the `metrics` component it points `PROMETHEUS_MULTIPROC_DIR` at a directory emptied
of an earlier run's files (the operator's own when the variable is already set, else a fresh
temporary one, removed on exit). prometheus-client is not imported here: the children import it
after the fork, with the variable set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["MULTIPROC_ENV", "multiprocess_metrics"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _configures_metrics(project: Any) -> bool:
    return any(spec.component_type.key == "metrics" for spec in project.components)


@contextmanager
def multiprocess_metrics(project: Any) -> Iterator[str | None]:
    """Set up the shared metrics directory for the block; yields it (None: no `metrics`)."""
    if not _configures_metrics(project):
        yield None
        return
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in directory.glob("*.db"):
            leftover.unlink()
        yield str(directory)
        return
    made = tempfile.mkdtemp(prefix="hostray-metrics-")
    parent = os.getpid()
    os.environ[MULTIPROC_ENV] = made
    try:
        yield made
    finally:
        if os.getpid() == parent:  # a child leaving the block leaves the directory to the parent
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(made, ignore_errors=True)
