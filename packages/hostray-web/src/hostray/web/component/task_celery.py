"""`backend: celery` of `task_queue`: tasks are published to a Redis or RabbitMQ broker and run by
`hostray worker` processes, never in the web process.

Publishing happens on one publisher thread (the event loop never waits for the broker); when the
caller gave `on_finish` / `on_exception`, a result thread then waits on the result backend (a
blocking wait, no polling) and calls them in this process. At shutdown the publisher gets up to
`shutdown_timeout` to send what was queued, so a SIGTERM of the server loses no accepted task.
A task queued while serving a request carries the request's id to the worker (a message header).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from celery.exceptions import TimeoutError as ResultTimeoutError
from celery.result import AsyncResult

from hostray.config import mask_url
from hostray.workers import FunctionQueueWorker

from ..request_context import current_request_id
from .base import ComponentManager
from .celery_tasks import REQUEST_ID_HEADER, TASK_NAME, celery_app, check_arguments, task_path
from .task_pending import PendingTasks, Task
from .task_queue_settings import TaskQueueSettings

__all__ = ["CeleryTaskBackend", "RemoteTaskError"]

log = logging.getLogger("hostray.web.task_queue")
READY_TIMEOUT = 3.0
"""Seconds `ready()` gives the broker to accept a connection."""
RESULT_WAIT_SLICE = 1.0
"""Seconds one blocking wait on the result backend lasts before the result thread checks whether
the server has stopped: a result still awaited then must not keep the process from exiting."""


class RemoteTaskError(RuntimeError):
    """Given to `on_exception` when a remote task failed with an exception not rebuilt here."""


class _Message(NamedTuple):
    """What is published for one call: the task's arguments and the message headers."""

    args: list[Any]
    """`[dotted path, args, kwargs]` (`celery_tasks.run_task`)."""
    headers: dict[str, str]
    """`REQUEST_ID_HEADER` when the call was made while serving a request."""


Callback = Callable[[Any], None] | None
ErrorCallback = Callable[[Exception], None] | None


class CeleryTaskBackend:
    """Publishes `run_method_in_queue` calls as Celery tasks on `settings.queue`."""

    def __init__(self, settings: TaskQueueSettings) -> None:
        self.settings = settings
        self.app = celery_app(settings)
        self._tasks = PendingTasks()
        self._publisher = FunctionQueueWorker("task_queue-publish")
        self._results = FunctionQueueWorker("task_queue-results")
        self._stopped = threading.Event()

    def submit(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_finish: Callback,
        on_exception: ErrorCallback,
    ) -> None:
        """Check that the call can be sent (TypeError if not), then publish it off the loop."""
        path = task_path(func)
        check_arguments(path, args, kwargs)
        task = self._tasks.accept(path)
        request_id = current_request_id()  # read here: the publisher thread serves no request
        headers = {} if request_id is None else {REQUEST_ID_HEADER: request_id}
        message = _Message([task.name, list(args), kwargs], headers)
        self._publisher.run_method(self._publish, task, message, on_finish, on_exception)

    def _publish(
        self, task: Task, message: _Message, on_finish: Callback, on_exception: ErrorCallback
    ) -> None:
        waiting = on_finish is not None or on_exception is not None
        published = False
        try:
            self._tasks.start(task)
            result = self.app.send_task(
                TASK_NAME,
                args=message.args,
                queue=self.settings.queue,
                ignore_result=not waiting,
                headers=message.headers,
            )
            published = True
        except Exception as exc:
            _report(on_exception, exc, task.name)
            return
        finally:
            self._tasks.finish(task, failed=not published)
        if waiting:
            self._results.run_method(self._wait, result, task.name, on_finish, on_exception)

    def _wait(
        self, result: AsyncResult, name: str, on_finish: Callback, on_exception: ErrorCallback
    ) -> None:
        while True:
            if self._stopped.is_set():
                return  # the server stopped: the task still runs, its callbacks are lost with us
            try:
                value = result.get(
                    timeout=RESULT_WAIT_SLICE, propagate=False, disable_sync_subtasks=False
                )
                break
            except ResultTimeoutError:
                continue
            except Exception as exc:
                _report(on_exception, exc, name)
                return
        if not result.failed():
            if on_finish is not None:
                on_finish(value)
            return
        error = value if isinstance(value, Exception) else RemoteTaskError(f"{name}: {value!r}")
        _report(on_exception, error, name)

    def counts(self) -> dict[str, int]:
        """Tasks waiting to be published, being published, published and failed to publish."""
        return self._tasks.counts()

    def info(self) -> dict[str, Any]:
        """Broker, result backend (passwords masked), queue and what waits to be published."""
        return {
            "backend": "celery",
            "broker": mask_url(self.settings.broker),
            "result_backend": mask_url(self.settings.result_url),
            "queue": self.settings.queue,
            "unpublished": len(self._tasks),
            "results_awaited": self._results.pending_count,
        }

    async def ready(self) -> str | None:
        """None when the broker accepts a connection, else why not."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self._connect), READY_TIMEOUT + 1)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return f"broker {mask_url(self.settings.broker)} unreachable ({reason})"
        return None

    def _connect(self) -> None:
        with self.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=READY_TIMEOUT)

    async def close(self, component_manager: ComponentManager) -> list[tuple[int, str]]:
        """Give the publisher up to `shutdown_timeout` to send every accepted task."""
        left = await self._tasks.close(component_manager.shutdown_timeout)
        if not self._tasks.running():
            await asyncio.to_thread(self._publisher.dispose)
        awaited = self._results.pending_count
        if awaited:
            # The tasks are on the broker and will run; only their callbacks are lost with us.
            log.warning(
                "task_queue: %d task result(s) no longer awaited (their tasks still run)", awaited
            )
        self._stopped.set()
        await asyncio.to_thread(self._results.dispose)
        await asyncio.to_thread(self.app.close)
        return left


def _report(on_exception: ErrorCallback, exc: Exception, name: str) -> None:
    if on_exception is None:
        log.error("task_queue: %s failed: %s: %s", name, type(exc).__name__, exc)
        return
    try:
        on_exception(exc)
    except Exception:
        log.exception("task_queue: on_exception of %s raised", name)
