"""`hostray worker DIR [--concurrency N]`: run the Celery worker of a project whose `task_queue`
has `backend: celery` (`hostray.web.celery_worker`, which needs `hostray-web[celery]`).
"""

from __future__ import annotations

import os

from hostray.cli.errors import CliError
from hostray.cli.start import _load
from hostray.config import ConfigError

__all__ = ["run_worker_command"]


def run_worker_command(directory: str | os.PathLike[str], *, concurrency: int) -> int:
    """Run the worker until SIGTERM; the exit status (0 after the graceful stop)."""
    project = _load(directory)
    try:
        from hostray.web.celery_worker import run_worker
    except ImportError as exc:
        raise CliError(
            f"hostray worker needs Celery ({exc}); "
            "install it with: pip install 'hostray-web[celery]'"
        ) from None
    try:
        return run_worker(project, concurrency)
    except ConfigError as exc:
        raise CliError(*exc.problems) from None
