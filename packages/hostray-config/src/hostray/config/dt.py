"""Datetime helpers: the seed's ``DATETIME_TYPE`` formats (Python and .NET style) and converters."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from enum import Enum

__all__ = [
    "DATETIME_TYPE",
    "DOT_NET_DT_Converter",
    "PY_DT_Converter",
    "datetime_to_str",
    "str_to_datetime",
]


class DATETIME_TYPE(Enum):
    """strftime formats; ``PY`` is how Python prints a datetime, ``DT1`` is the .NET style."""

    PY = "%Y-%m-%d %H:%M:%S.%f"
    DTF1 = "%Y-%m-%dT%H:%M:%S.%f"
    DTF2 = PY  # aliases: the seed lists these names with the same formats
    DTF3 = "%Y/%m/%dT%H:%M:%S.%f"
    DTF4 = "%Y/%m/%d %H:%M:%S.%f"
    DT1 = "%Y-%m-%dT%H:%M:%S"
    DT2 = "%Y-%m-%d %H:%M:%S"
    DT3 = "%Y/%m/%dT%H:%M:%S"
    DT4 = "%Y/%m/%d %H:%M:%S"
    D1 = "%Y-%m-%d"
    D2 = D1
    D3 = "%Y/%m/%d"
    D4 = D3

    def str_to_datetime(self, sdt: str) -> datetime:
        """Parse ``sdt`` in exactly this format."""
        try:
            return datetime.strptime(sdt, self.value)
        except (TypeError, ValueError):
            raise ValueError(
                f"{sdt!r} does not match the {self.name} format {self.value!r}"
            ) from None

    def datetime_to_str(self, dt: datetime) -> str:
        """Format ``dt`` in this format."""
        return dt.strftime(self.value)

    str_to_dt = str_to_datetime
    dt_to_str = datetime_to_str


PY_DT_Converter = DATETIME_TYPE.PY
DOT_NET_DT_Converter = DATETIME_TYPE.DT1

# .NET writes up to seven fraction digits and an offset or 'Z'; strptime takes neither.
_ISO_LIKE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def str_to_datetime(sdt: str) -> datetime:
    """Parse ``sdt`` in the first ``DATETIME_TYPE`` format that fits, or ISO 8601 with any
    number of fraction digits and an optional ``Z``/offset; a ValueError names the text."""
    if isinstance(sdt, str):
        for dt_type in DATETIME_TYPE:
            try:
                return datetime.strptime(sdt, dt_type.value)
            except ValueError:
                continue
        match = _ISO_LIKE.fullmatch(sdt.strip())
        if match is not None:
            try:
                return _from_match(match)
            except ValueError:
                pass
    raise ValueError(f"{sdt!r} is not a date/time in a known format (e.g. 2019-12-17T12:02:58)")


def _from_match(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = None
    if offset == "Z":
        tz = timezone.utc
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
        tzinfo=tz,
    )


def datetime_to_str(dt: datetime, dt_type: DATETIME_TYPE = DATETIME_TYPE.PY) -> str:
    """Format ``dt`` in ``dt_type`` (Python's own format by default)."""
    return dt.strftime(dt_type.value)
