"""`hostray worker DIR [--concurrency N]`: run the Celery worker of a project whose `task_queue`
has `backend: celery` (`hostray.web.celery_worker`, which needs `hostray-web[celery]`).
"""

from __future__ import annotations

import os

from hostray.cli.errors import CliError
from hostray.web.project import load_project

__all__ = ["run_worker_command"]


def run_worker_command(directory: str | os.PathLike[str], *, concurrency: int) -> int:
    """Run the worker until SIGTERM; the exit status (0 after the graceful stop).

    The project's problems are `ConfigError`s, printed one line each by `main`."""
    project = load_project(directory)
    try:
        from hostray.web.celery_worker import run_worker
    except ImportError as exc:
        raise CliError(
            f"hostray worker needs Celery ({exc}); "
            "install it with: pip install 'hostray-web[celery]'"
        ) from None
    return run_worker(project, concurrency)
