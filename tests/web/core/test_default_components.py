"""The default components, each on its own: localization, logger, callback, worker_pool,
task_queue."""

from __future__ import annotations

import asyncio
import csv
import logging
import threading
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from hostray.web.component import ComponentManager, DefaultComponentTypes
from hostray.web.component.default_component import (
    CallbackComponent,
    LocalizationComponent,
    LoggerComponent,
    TaskQueueComponent,
    WorkerPoolComponent,
)
from hostray.web.component.task_queue import TaskDroppedError
from hostray.web.messages import hostray_catalogue


def manager_with_timeout(seconds: float) -> ComponentManager:
    manager = ComponentManager()
    manager.shutdown_timeout = seconds
    return manager


# -- localization -------------------------------------------------------------------------------


def test_hostray_catalogue_has_every_message_in_english() -> None:
    with open(hostray_catalogue(), encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) >= 10
    assert all(row["en"].strip() for row in rows)


def test_localization_layers_project_messages_over_hostray_catalogue(tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    (local / "app.csv").write_text(
        'code,en,tw\n10000,"this is code 10000",這是 code 10000\n102,{} finished,\n',
        encoding="utf-8",
    )
    component = LocalizationComponent(DefaultComponentTypes.Localization)
    component.init(ComponentManager(), dir=str(local), lang="tw", root_dir=str(tmp_path))
    assert component.current_language == "tw"
    assert component.get_message(10000) == "這是 code 10000"
    assert component.get_message("10000") == "這是 code 10000"
    assert component.get_message(101, "hello") == "hello 正在停止"  # hostray's own, in tw
    assert component.get_message(102, "x") == "x 已停止"  # the project gave no tw text
    component.set_language("en")
    assert component.get_message(102, "x") == "x finished"  # the project's en overrides
    assert component.get_message(100, "hello", "*:80") == "hello is serving on *:80"
    assert component.get_message(99999) == "99999"
    assert component.info()["info"]["dir"] == str(local)


def test_localization_dir_that_does_not_exist_fails_init(tmp_path: Path) -> None:
    component = LocalizationComponent(DefaultComponentTypes.Localization)
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        component.init(ComponentManager(), dir=str(tmp_path / "nope"))


# -- logger -------------------------------------------------------------------------------------


def test_logger_writes_under_dir_and_debug_sets_default_levels(tmp_path: Path) -> None:
    component = LoggerComponent(DefaultComponentTypes.Logger)
    access = logging.getLogger("tornado.access")
    level_before = access.level
    component.init(ComponentManager(), dir=str(tmp_path / "logs"))
    try:
        component.set_debug(False)
        assert all(logging.getLogger(n).level == logging.ERROR for n in component.default_loggers)
        component.set_debug(True)
        assert access.level == logging.INFO
        access.info("request logged")
        assert "request logged" in (tmp_path / "logs" / "tornado.access.log").read_text()

        app = component.get_logger("app_log", sub_dir="app", mode="w")
        app.warning("app warning")
        assert "app warning" in (tmp_path / "logs" / "app" / "app_log.log").read_text()
    finally:
        component.dispose(ComponentManager())
    assert access.level == level_before
    assert component.default_loggers == [
        "tornado.access",
        "tornado.application",
        "tornado.general",
        "sqlalchemy",
    ]


# -- callback -----------------------------------------------------------------------------------


class Events(Enum):
    Saved = "saved"
    Deleted = "deleted"


async def test_callback_component_runs_sync_and_async_callbacks() -> None:
    component = CallbackComponent(DefaultComponentTypes.Callback)
    component.init(ComponentManager())
    seen: list[tuple[str, int]] = []

    def on_saved(i: int, kwindex: int) -> None:
        seen.append(("sync", i + kwindex))

    async def on_saved_async(i: int, kwindex: int) -> None:
        seen.append(("async", i * kwindex))

    component.add_callback(Events.Saved, on_saved)
    component.add_callback(Events.Deleted, on_saved_async)
    component.execute_callback(Events.Saved, 1, kwindex=2)
    await component.execute_callback_async(Events.Deleted, 3, kwindex=4)
    assert seen == [("sync", 3), ("async", 12)]
    assert component.get_callback_obj(Events) is component.get_callback_obj(Events)

    component.remove_callback(Events.Saved, on_saved)
    component.execute_callback(Events.Saved, 1, kwindex=2)
    assert seen == [("sync", 3), ("async", 12)]
    with pytest.raises(TypeError, match="Enum members"):
        component.add_callback("saved", on_saved)  # type: ignore[arg-type]


# -- worker_pool --------------------------------------------------------------------------------


async def test_worker_pool_runs_in_the_named_pool() -> None:
    component = WorkerPoolComponent(DefaultComponentTypes.WorkerPool)
    component.init(ComponentManager(), io=2, root_dir="/ignored")
    try:
        assert set(component.pools) == {"io", "default"}
        thread_name = await component.run_method_async(
            lambda: threading.current_thread().name, pool_id="io"
        )
        assert thread_name != threading.current_thread().name
        assert await asyncio.to_thread(component.run_method, pow, 2, 10) == 1024
        component.set_pool("io", 1)
        assert component.pools["io"].worker_limit == 1
        with pytest.raises(LookupError, match=r"no pool 'db' \(pools: 'io', 'default'\)"):
            await component.run_method_async(print, pool_id="db")
        assert set(component.info()["info"]) == {"io", "default"}
    finally:
        await component.dispose(manager_with_timeout(5))


async def test_worker_pool_dispose_reports_calls_still_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    component = WorkerPoolComponent(DefaultComponentTypes.WorkerPool)
    component.init(ComponentManager(), io=1)
    gate, started = threading.Event(), threading.Event()

    def blocked() -> None:
        started.set()
        gate.wait(30)

    running = asyncio.ensure_future(component.run_method_async(blocked, pool_id="io"))
    await asyncio.to_thread(started.wait, 30)
    with caplog.at_level(logging.ERROR, logger="hostray.web.worker_pool"):
        await component.dispose(manager_with_timeout(0.05))
    assert [r.getMessage() for r in caplog.records] == [
        "calls still running at shutdown in worker pool(s) io"
    ]
    gate.set()
    await asyncio.wait_for(running, 30)


# -- task_queue ---------------------------------------------------------------------------------


def named_task(gate: threading.Event, done: list[str], name: str) -> None:
    gate.wait(30)
    done.append(name)


async def test_task_queue_never_blocks_and_finishes_queued_tasks_on_dispose() -> None:
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(ComponentManager(), worker_count=2)
    gate = threading.Event()
    done: list[str] = []
    results: list[Any] = []
    for name in ("a", "b", "c", "d"):
        # returns while every task is still blocked on the gate
        component.run_method_in_queue(named_task, gate, done, name, on_finish=results.append)
    assert done == []
    assert component.info()["info"]["pending"] == 4

    disposing = asyncio.ensure_future(component.dispose(manager_with_timeout(30)))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="shutting down"):
        component.run_method_in_queue(print)
    gate.set()
    await asyncio.wait_for(disposing, 30)
    assert sorted(done) == ["a", "b", "c", "d"]
    assert results == [None] * 4


async def test_task_queue_logs_every_task_left_at_shutdown_by_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(ComponentManager(), worker_count=1)
    gate = threading.Event()
    started = threading.Event()
    dropped: list[Exception] = []
    reported = threading.Event()

    def on_exception(exc: Exception) -> None:
        dropped.append(exc)
        reported.set()

    def long_running() -> None:
        started.set()
        gate.wait(30)

    def never_started() -> None:
        raise AssertionError("must not run after shutdown")

    component.run_method_in_queue(long_running)
    component.run_method_in_queue(never_started, on_exception=on_exception)
    await asyncio.to_thread(started.wait, 30)
    with caplog.at_level(logging.ERROR, logger="hostray.web.task_queue"):
        await component.dispose(manager_with_timeout(0.05))
    messages = [r.getMessage() for r in caplog.records]
    assert any("long_running" in m and "still running" in m for m in messages), messages
    assert any("never_started" in m and "did not start" in m for m in messages), messages
    gate.set()  # the worker moves on: the dropped task reports to its on_exception
    assert await asyncio.to_thread(reported.wait, 30)
    assert len(dropped) == 1
    assert isinstance(dropped[0], TaskDroppedError)


async def test_task_queue_thread_backend_runs_queued_tasks_on_any_free_worker() -> None:
    # 0.7.5 pushed each task to the worker with the shortest queue, so tasks queued behind a slow
    # one waited for it although another worker was free; the pool's shared queue does not.
    component = TaskQueueComponent(DefaultComponentTypes.TaskQueue)
    component.init(ComponentManager(), worker_count=2)
    gate = threading.Event()
    done: list[str] = []
    all_quick = threading.Event()

    def quick(name: str) -> None:
        done.append(name)
        if len(done) == 6:
            all_quick.set()

    component.run_method_in_queue(named_task, gate, [], "slow")
    for index in range(6):
        component.run_method_in_queue(quick, f"q{index}")
    assert await asyncio.to_thread(all_quick.wait, 30)  # while "slow" still holds one worker
    assert sorted(done) == [f"q{i}" for i in range(6)]
    gate.set()
    await component.dispose(manager_with_timeout(30))
