"""`task_queue` with `backend: celery` in the web process: what cannot run on a worker is a
TypeError at the call, in the caller; `info()` masks the broker's password."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hostray.web.component import ComponentManager, DefaultComponentTypes
from hostray.web.component.task_queue import TaskQueueClosedError, TaskQueueComponent


class Holder:
    def method(self) -> None:
        pass

    @staticmethod
    def static() -> None:
        pass


@pytest.fixture
async def celery_queue() -> AsyncIterator[tuple[TaskQueueComponent, ComponentManager]]:
    manager = ComponentManager()
    manager.shutdown_timeout = 5
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(
        manager,
        backend="celery",
        broker="redis://:s3cret@127.0.0.1:6379/13",
        queue="x16-never-published",
    )
    yield component, manager
    await component.dispose(manager)


def closure() -> Any:
    captured = 1

    def inner() -> int:
        return captured

    return inner


@pytest.mark.parametrize(
    ("func", "args", "kwargs", "reason"),
    [
        (lambda: 1, (), {}, "nested function, lambda or method"),
        (closure(), (), {}, "nested function, lambda or method"),
        (Holder().method, (), {}, "not a module-level function"),
        (Holder.static, (), {}, "nested function, lambda or method"),
        (functools.partial(json.dumps, 1), (), {}, "not a module-level function"),
        (json.dumps, (object(),), {}, "not JSON-serialisable"),
        (json.dumps, (), {"obj": {1, 2}}, "not JSON-serialisable"),
        (json.dumps, (float("nan"),), {}, "not JSON-serialisable"),
    ],
)
async def test_what_a_worker_cannot_import_or_decode_is_a_type_error_at_the_call(
    celery_queue: tuple[TaskQueueComponent, ComponentManager],
    func: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    reason: str,
) -> None:
    component, _ = celery_queue
    with pytest.raises(TypeError, match=reason):
        component.run_method_in_queue(func, *args, **kwargs)
    assert component.info()["info"]["unpublished"] == 0  # nothing was queued


async def test_a_function_replaced_in_its_module_is_refused(
    celery_queue: tuple[TaskQueueComponent, ComponentManager],
) -> None:
    component, _ = celery_queue

    def dumps(value: int) -> str:  # json.dumps by name, but not the module's object
        return str(value)

    dumps.__module__, dumps.__qualname__ = "json", "dumps"
    with pytest.raises(TypeError, match="cannot be imported by that path"):
        component.run_method_in_queue(dumps, 1)


async def test_info_masks_the_broker_password_and_a_closed_queue_refuses_tasks() -> None:
    manager = ComponentManager()
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(manager, backend="celery", broker="redis://:s3cret@127.0.0.1:6379/13")
    info = component.info()["info"]
    assert info["broker"] == "redis://:***@127.0.0.1:6379/13"
    assert "s3cret" not in repr(info)
    await component.dispose(manager)
    with pytest.raises(TaskQueueClosedError, match="shutting down"):
        component.run_method_in_queue(json.dumps, 1)
