"""Callbacks: registration order, sync and async callbacks, failures reported but contained."""

from __future__ import annotations

import asyncio
import logging
from enum import Enum

import pytest

from hostray.workers import Callbacks


class Event(Enum):
    SAVED = "saved"
    DELETED = "deleted"


def test_callbacks_run_in_registration_order_with_the_given_arguments() -> None:
    seen: list[tuple[str, int, int]] = []
    cb = Callbacks(Event)
    cb.add_callback(Event.SAVED, lambda i, kwindex: seen.append(("first", i, kwindex)))
    cb.add_callback("saved", lambda i, kwindex: seen.append(("second", i, kwindex)))
    assert cb.execute_callback(Event.SAVED, 1, kwindex=2) == []
    assert cb.execute_callback(Event.DELETED) == []
    assert seen == [("first", 1, 2), ("second", 1, 2)]


def test_a_callback_added_twice_runs_once_and_can_be_removed() -> None:
    seen: list[int] = []
    cb = Callbacks(Event)
    cb.add_callback(Event.SAVED, seen.append)
    cb.add_callback(Event.SAVED, seen.append)
    cb.execute_callback(Event.SAVED, 1)
    cb.remove_callback(Event.SAVED, seen.append)
    cb.execute_callback(Event.SAVED, 2)
    assert seen == [1]
    with pytest.raises(ValueError, match=r"not registered for Event\.SAVED"):
        cb.remove_callback(Event.SAVED, seen.append)


def test_a_failing_callback_is_logged_returned_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    def broken(name: str) -> None:
        raise LookupError(f"no {name}")

    cb = Callbacks(Event)
    cb.add_callback(Event.SAVED, broken)
    cb.add_callback(Event.SAVED, seen.append)
    with caplog.at_level(logging.ERROR, logger="hostray.workers"):
        errors = cb.execute_callback(Event.SAVED, "row")
    assert seen == ["row"]
    assert [str(e) for e in errors] == ["no row"]
    (record,) = caplog.records
    assert "broken" in record.getMessage() and "Event.SAVED" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is errors[0]


async def test_execute_callback_async_awaits_async_and_runs_sync_callbacks_in_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    async def async_one(x: str) -> None:
        await asyncio.sleep(0)
        seen.append(f"async {x}")

    async def async_broken(x: str) -> None:
        raise RuntimeError(f"broken {x}")

    cb = Callbacks(Event)
    cb.add_callback(Event.DELETED, async_one)
    cb.add_callback(Event.DELETED, async_broken)
    cb.add_callback(Event.DELETED, lambda x: seen.append(f"sync {x}"))
    with caplog.at_level(logging.ERROR, logger="hostray.workers"):
        errors = await cb.execute_callback_async(Event.DELETED, "x")
    assert seen == ["async x", "sync x"]
    assert [str(e) for e in errors] == ["broken x"]
    assert len(caplog.records) == 1


def test_execute_callback_runs_an_async_callback_when_no_loop_is_running() -> None:
    seen: list[int] = []

    async def later(i: int) -> None:
        await asyncio.sleep(0)
        seen.append(i)

    cb = Callbacks(Event)
    cb.add_callback(Event.SAVED, later)
    cb.add_callback(Event.SAVED, lambda i: seen.append(i * 10))
    cb.execute_callback(Event.SAVED, 1)
    assert seen == [1, 10]


async def test_execute_callback_inside_a_running_loop_schedules_async_callbacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done = asyncio.Event()

    async def later() -> None:
        done.set()

    async def broken() -> None:
        raise ValueError("async failure")

    cb = Callbacks(Event)
    cb.add_callback(Event.SAVED, later)
    cb.add_callback(Event.SAVED, broken)
    with caplog.at_level(logging.ERROR, logger="hostray.workers"):
        assert cb.execute_callback(Event.SAVED) == []
        await asyncio.wait_for(done.wait(), 10)
        for _ in range(3):
            await asyncio.sleep(0)
    assert any("async failure" in r.getMessage() for r in caplog.records)


def test_bad_events_and_callbacks_get_clear_errors() -> None:
    cb = Callbacks(Event)
    with pytest.raises(ValueError, match=r"'created' is not a member of Event \(values: 'saved'"):
        cb.add_callback("created", print)
    with pytest.raises(ValueError, match="not a member of Event"):
        cb.execute_callback("created")
    with pytest.raises(TypeError, match="must be callable"):
        cb.add_callback(Event.SAVED, "print")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs an Enum class"):
        Callbacks(dict)  # type: ignore[arg-type]
