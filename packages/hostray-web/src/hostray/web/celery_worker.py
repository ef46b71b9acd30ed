"""`run_worker`: a Celery worker for a project whose `task_queue` has `backend: celery` (what
`hostray worker DIR` runs).

The worker takes the tasks of the project's queue on `concurrency` forked processes (Celery's
prefork pool, so CPU-bound tasks do not share one GIL). Each of them builds the project's
components (not the HTTP server) on a private event loop thread when it starts, so a task reaches
them through `hostray.web.component.task_queue.task_component_manager()`, and disposes them when it
ends. SIGTERM is a warm shutdown: no new task is taken, running ones get `shutdown_timeout` seconds
to finish, after which they are cut (and, acknowledged late, delivered again to another worker).
A task queued while serving a request runs with that request's id in `LOG_CONTEXT`
(`celery_tasks.run_task`). The worker logs in hostray's format, not Celery's: with
`logger.format: json` each log line is a JSON object (Celery's warnings included); only the notes
Celery prints itself on a stop signal ("worker: Warm shutdown (MainProcess)") stay text.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

from celery import signals

from hostray.config import (
    ConfigError,
    console_line,
    install_console_fallback,
    mask_url,
    set_log_format,
)

from .application import build_components
from .component import ComponentManager
from .component.celery_tasks import celery_app
from .component.optional_component.loop_thread import LoopThread
from .component.settings import LoggerSettings
from .component.task_queue_settings import TaskQueueSettings
from .project import Project

__all__ = ["WorkerComponents", "run_worker", "worker_settings"]

log = logging.getLogger("hostray.web.worker")


def worker_settings(project: Project) -> TaskQueueSettings:
    """The project's task_queue settings; `ConfigError` unless its backend is celery."""
    block = (project.config.get("component") or {}).get("task_queue") or {}
    settings = TaskQueueSettings.from_config(block)
    if settings.backend != "celery":
        raise ConfigError(
            f"{project.config_file or project.root_dir}: component.task_queue.backend: "
            f"hostray worker needs 'celery', got {settings.backend!r}"
        )
    return settings


class WorkerComponents:
    """The project's components in one worker process, on a private event loop thread."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._loop = LoopThread("hostray-worker-components")
        self.manager: ComponentManager | None = None

    def start(self, **_: Any) -> None:
        """Build the components (Celery's `worker_process_init`)."""
        self.manager = self._loop.run(build_components(self.project))

    def stop(self, **_: Any) -> None:
        """Dispose the components (Celery's `worker_process_shutdown`)."""
        manager, self.manager = self.manager, None
        if manager is not None:
            self._loop.run(manager.dispose_async())
        self._loop.stop()


def run_worker(project: Project, concurrency: int, loglevel: str = "WARNING") -> int:
    """Run the worker until SIGTERM (warm shutdown: exit status 0, also when running tasks had
    to be cut at `shutdown_timeout`) or another stop signal (Celery's exit status)."""
    settings = worker_settings(project)
    # The pool processes set the format when they build the logger component; this process
    # builds none, yet writes the `worker ready` line and its own warnings.
    set_log_format(LoggerSettings.of_project(project.config).format)
    logging.captureWarnings(True)  # Celery's warnings (running as root, …) are log records too
    timeout = float(project.config["shutdown_timeout"])
    app = celery_app(settings, name=project.name)
    level = logging.getLevelName(loglevel)
    signals.setup_logging.connect(
        lambda **_: _hostray_logging(level if isinstance(level, int) else logging.WARNING),
        weak=False,
    )
    components = WorkerComponents(project)
    signals.worker_process_init.connect(components.start, weak=False)
    signals.worker_process_shutdown.connect(components.stop, weak=False)
    signals.worker_ready.connect(lambda **_: _announce(project, settings, concurrency), weak=False)
    warm = threading.Event()
    signals.worker_shutting_down.connect(
        lambda **kw: _bound_shutdown(kw.get("how"), timeout, warm), weak=False
    )
    worker = app.Worker(
        hostname=f"{project.name}-{os.getpid()}@{socket.gethostname()}",
        concurrency=concurrency,
        pool="prefork",
        queues=[settings.queue],
        loglevel=loglevel,
        quiet=True,
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        redirect_stdouts=False,
    )
    worker.start()
    if warm.is_set() or worker.exitcode in (0, None):
        return 0
    return int(worker.exitcode)


def _hostray_logging(level: int) -> None:
    """Celery's `setup_logging` signal: having a receiver keeps Celery from giving the root
    logger a handler in its own format (which also printed every record a hostray logger had
    echoed). Records no hostray logger echoes go to stderr in hostray's format instead (JSON with
    `logger.format: json`), from `level` on, in this process and the pool's (forked from it)."""
    install_console_fallback(level)


def _announce(project: Project, settings: TaskQueueSettings, concurrency: int) -> None:
    sys.stdout.write(
        console_line(
            f"{project.name}: worker ready on {mask_url(settings.broker)} queue "
            f"{settings.queue!r} (concurrency {concurrency}, pid {os.getpid()})",
            logger=log.name,
        )
        + "\n"
    )
    sys.stdout.flush()


def _bound_shutdown(how: str | None, timeout: float, warm: threading.Event) -> None:
    """After a warm shutdown began, cut the tasks still running once `timeout` s passed."""
    if how != "Warm":
        return
    warm.set()
    timer = threading.Timer(timeout, _cut, args=(timeout,))
    timer.daemon = True
    timer.start()


def _cut(timeout: float) -> None:
    log.warning("hostray worker: tasks still running after shutdown_timeout (%s s): cut", timeout)
    os.kill(os.getpid(), signal.SIGQUIT)
