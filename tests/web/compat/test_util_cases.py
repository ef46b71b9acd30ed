"""0.7.5's library test case `unit_test/util.py`, as our own checks through `hostray.util`:
the two datetime converters round-trip, `str_to_datetime` reads Python and .NET text, and
Callbacks pass positional and keyword arguments to plain and async callbacks."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from hostray.util import Callbacks, DOT_NET_DT_Converter, PY_DT_Converter, str_to_datetime


class Event(Enum):
    Plain = "plain"
    Async = "async"


def test_converters_round_trip() -> None:
    now = datetime.now().replace(microsecond=0)
    assert PY_DT_Converter.str_to_dt(PY_DT_Converter.dt_to_str(now)) == now
    assert DOT_NET_DT_Converter.str_to_dt(DOT_NET_DT_Converter.dt_to_str(now)) == now
    assert DOT_NET_DT_Converter.dt_to_str(datetime(2019, 7, 7, 16, 34, 22)) == (
        "2019-07-07T16:34:22"
    )


def test_str_to_datetime_reads_python_and_dot_net_text() -> None:
    expected = datetime(2019, 7, 7, 16, 34, 22)
    assert str_to_datetime("2019-07-07 16:34:22") == expected
    assert str_to_datetime("2019-07-07T16:34:22") == expected


async def test_callbacks_get_their_arguments() -> None:
    seen: list[tuple[str, Any, Any, Any]] = []

    def plain(owner: Any, i: int, kwindex: int) -> None:
        seen.append(("plain", owner, i, kwindex))

    async def asynchronous(owner: Any, i: int, kwindex: int) -> None:
        seen.append(("async", owner, i, kwindex))

    callbacks = Callbacks(Event)
    callbacks.add_callback(Event.Plain, plain)
    callbacks.add_callback(Event.Async, asynchronous)
    owner = object()
    callbacks.execute_callback(Event.Plain, owner, 1, kwindex=2)
    await callbacks.execute_callback_async(Event.Async, owner, 1, kwindex=2)
    assert seen == [("plain", owner, 1, 2), ("async", owner, 1, 2)]
