"""hostray-web's errors form one tree under `HostrayWebError`; lifecycle states raise typed ones."""

from __future__ import annotations

import asyncio

import pytest

from hostray.config import ConfigError
from hostray.web.component import ComponentManager, DefaultComponentTypes, OptionalComponentTypes
from hostray.web.component.default_component import TaskQueueComponent
from hostray.web.component.optional_component import errors as optional_errors
from hostray.web.component.task_queue import TaskDroppedError as TaskDroppedFromTaskQueue
from hostray.web.errors import (
    ComponentClosedError,
    HostrayWebError,
    ProjectError,
    TaskDroppedError,
    TaskQueueClosedError,
)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ProjectError, ConfigError),
        (ProjectError, ValueError),
        (ComponentClosedError, RuntimeError),
        (TaskQueueClosedError, ComponentClosedError),
        (TaskDroppedError, RuntimeError),
        (optional_errors.ServiceError, Exception),
        (optional_errors.UnknownServiceError, LookupError),
        (optional_errors.MethodNotEnabledError, ValueError),
        (optional_errors.ServiceArgumentError, ValueError),
        (optional_errors.ServiceConnectionError, ConnectionError),
        (optional_errors.ServiceTimeoutError, TimeoutError),
        (optional_errors.SessionValueError, TypeError),
        (optional_errors.SessionStoreUnavailableError, RuntimeError),
    ],
)
def test_every_error_is_a_hostray_web_error_and_keeps_its_builtin(
    error: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(error, HostrayWebError)
    assert issubclass(error, builtin)


def test_the_documented_paths_name_the_same_classes() -> None:
    assert TaskDroppedFromTaskQueue is TaskDroppedError
    problem = ProjectError("a: b")
    assert problem.problems == ["a: b"] and str(problem) == "a: b"


async def test_a_closing_task_queue_raises_task_queue_closed_error() -> None:
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(ComponentManager(), worker_count=1)
    await component.dispose(ComponentManager())
    with pytest.raises(TaskQueueClosedError, match=r"builtins\.print was not queued"):
        component.run_method_in_queue(print)


async def test_a_disposed_services_component_raises_component_closed_error() -> None:
    services_type = OptionalComponentTypes.Service
    services = services_type.import_class()(services_type)
    manager = ComponentManager()
    services.init(manager)
    await services.dispose(manager)
    with pytest.raises(ComponentClosedError, match="services: the component is disposed"):
        await services.invoke_async("anything")
    with pytest.raises(ComponentClosedError, match="disposed"):
        await asyncio.to_thread(services.invoke, "anything")
