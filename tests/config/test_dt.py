"""Datetime helpers: the seed's example output and every documented format."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hostray.config import (
    DATETIME_TYPE,
    DOT_NET_DT_Converter,
    PY_DT_Converter,
    datetime_to_str,
    str_to_datetime,
)


def test_seed_example_output(capsys: pytest.CaptureFixture[str]) -> None:
    dt = str_to_datetime("2019-12-17T12:02:58")  # parse dot net format string
    print(dt)  # python datetime string
    print(datetime_to_str(dt, DATETIME_TYPE.DTF1))  # to dot net datetime string
    assert capsys.readouterr().out == "2019-12-17 12:02:58\n2019-12-17T12:02:58.000000\n"


@pytest.mark.parametrize("dt_type", list(DATETIME_TYPE))
def test_every_format_round_trips(dt_type: DATETIME_TYPE) -> None:
    moment = datetime(2020, 3, 20, 8, 5, 9, 123456)
    text = datetime_to_str(moment, dt_type)
    parsed = str_to_datetime(text)
    assert dt_type.str_to_datetime(text) == parsed
    assert datetime_to_str(parsed, dt_type) == text


def test_python_converter_matches_str_of_a_datetime() -> None:
    moment = datetime(2019, 12, 16, 17, 44, 33, 229172)
    assert PY_DT_Converter.datetime_to_str(moment) == str(moment) == "2019-12-16 17:44:33.229172"
    assert datetime_to_str(moment) == "2019-12-16 17:44:33.229172"
    assert DOT_NET_DT_Converter.dt_to_str(moment) == "2019-12-16T17:44:33"
    assert DATETIME_TYPE.DTF2 is DATETIME_TYPE.PY  # type: ignore[comparison-overlap]  # an alias


def test_dot_net_fractions_and_offsets() -> None:
    assert str_to_datetime("2019-12-17T12:02:58.1234567") == datetime(
        2019, 12, 17, 12, 2, 58, 123456
    )
    assert str_to_datetime("2019-12-17T12:02:58Z") == datetime(
        2019, 12, 17, 12, 2, 58, tzinfo=timezone.utc
    )
    assert str_to_datetime("2019-12-17T12:02:58.5+08:00") == datetime(
        2019, 12, 17, 12, 2, 58, 500000, tzinfo=timezone(timedelta(hours=8))
    )
    assert str_to_datetime("2019/12/17") == datetime(2019, 12, 17)


@pytest.mark.parametrize("bad", ["", "yesterday", "2019-13-45", "2019-12-17T25:00:00", 20191217])
def test_unparseable_input_is_a_value_error_naming_it(bad: object) -> None:
    with pytest.raises(ValueError, match="is not a date/time in a known format"):
        str_to_datetime(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="does not match the DT1 format"):
        DATETIME_TYPE.DT1.str_to_dt("2019/12/17")
