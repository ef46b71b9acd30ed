"""What the web process and `hostray worker` share for `task_queue` with `backend: celery`: the
Celery app built from `TaskQueueSettings`, the one task that runs a function named by its dotted
path, and the checks that keep anything else from being sent.

A call is sent as `(dotted path, args, kwargs)` in JSON, so only module-level functions that the
worker can import by that path (the project's own modules included) and JSON-serialisable
arguments go: anything else is a `TypeError` in the caller, at the call. A call made while
serving a request carries the request's id in the message header `REQUEST_ID_HEADER`; the worker
puts it in `hostray.config.LOG_CONTEXT` while the task runs, so the task's log lines carry it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from celery import Celery, Task

from hostray.config import LOG_CONTEXT

from .task_queue_settings import TaskQueueSettings

__all__ = [
    "REQUEST_ID_HEADER",
    "TASK_NAME",
    "celery_app",
    "check_arguments",
    "run_by_path",
    "run_task",
    "task_path",
]

TASK_NAME = "hostray.task_queue.run"
"""The Celery task name every `run_method_in_queue` call is sent as."""
REQUEST_ID_HEADER = "hostray_request_id"
"""The message header holding the id of the request that queued the task, if one did."""


def celery_app(settings: TaskQueueSettings, name: str = "hostray") -> Celery:
    """A Celery app for `settings`: JSON only, acknowledged late, re-queued if a worker dies."""
    app = Celery(name, broker=settings.broker, backend=settings.result_url, set_as_current=False)
    transport: dict[str, Any] = {}
    if settings.redis_broker:
        # A task unacknowledged for visibility_timeout s (its worker died) goes back to the
        # queue; workers look for such tasks every 10 s (kombu's default is every 100 s).
        transport["visibility_timeout"] = settings.visibility_timeout
        transport["unacked_restore_throttle"] = 1
        if settings.key_prefix:
            transport["global_keyprefix"] = settings.key_prefix
    results: dict[str, Any] = {}
    if settings.key_prefix and settings.result_url.startswith(("redis://", "rediss://")):
        results["global_keyprefix"] = settings.key_prefix
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.queue,
        broker_transport_options=transport,
        result_backend_transport_options=results,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_proc_alive_timeout=60.0,
    )
    app.task(name=TASK_NAME, bind=True)(run_task)
    return app


def run_task(task: Task, path: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """The Celery task: `run_by_path`, in the log context of the request that queued it."""
    request_id = task.request.get(REQUEST_ID_HEADER)
    if not isinstance(request_id, str):
        return run_by_path(path, args, kwargs)
    token = LOG_CONTEXT.set({"request_id": request_id})
    try:
        return run_by_path(path, args, kwargs)
    finally:
        LOG_CONTEXT.reset(token)


def run_by_path(path: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """What the Celery task runs: import the function at `path` and call it."""
    return _resolve(path)(*args, **kwargs)


def task_path(func: Callable[..., Any]) -> str:
    """`module.function` of a module-level function the worker can import; TypeError otherwise."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not (inspect.isfunction(func) or inspect.isbuiltin(func)) or inspect.ismethod(func):
        raise TypeError(
            f"task_queue (celery): {func!r} is not a module-level function; only functions "
            "importable by dotted path can be sent to a worker"
        )
    if not module or not qualname or "." in qualname or "<" in qualname:
        raise TypeError(
            f"task_queue (celery): {module}.{qualname} is a nested function, lambda or method; "
            "only module-level functions can be sent to a worker"
        )
    if module == "__main__" or getattr(sys.modules.get(module), qualname, None) is not func:
        raise TypeError(
            f"task_queue (celery): {module}.{qualname} cannot be imported by that path by a worker"
        )
    return f"{module}.{qualname}"


def check_arguments(path: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """TypeError naming the task when its arguments do not serialise to JSON."""
    try:
        json.dumps([list(args), dict(kwargs)], allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"task_queue (celery): the arguments of {path} are not JSON-serialisable: {exc}"
        ) from None


def _resolve(path: str) -> Callable[..., Any]:
    module_name, _, name = path.rpartition(".")
    func: Callable[..., Any] = getattr(importlib.import_module(module_name), name)
    if not callable(func):
        raise TypeError(f"task_queue: {path} is not callable")
    return func
