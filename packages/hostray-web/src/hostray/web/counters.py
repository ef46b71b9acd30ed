"""`EventCounter`: a count that request threads add to without taking a lock.

The `metrics` component reads such counts when `/metrics` is scraped; the request path only
adds to them, and must not serialise threads to do so (no lock is taken, none is waited for).
"""

from __future__ import annotations

import itertools

__all__ = ["EventCounter"]


class EventCounter:
    """How often something happened, counted from any thread without a lock.

    `add()` is one `next()` of an `itertools.count`: a single C call, which CPython's GIL makes
    atomic, so no increment is lost (`n += 1` is a read, an add and a write, between which
    another thread may run) and no thread ever waits for another. `value` reads the count
    from the counter's `repr` (`count(N)`: N is how often `next` was called), at scrape time.
    """

    __slots__ = ("_count", "add")

    def __init__(self) -> None:
        self._count = itertools.count()
        self.add = self._count.__next__
        """Count one event (the bound C method itself: no Python frame on the request path)."""

    @property
    def value(self) -> int:
        """The events counted so far."""
        return int(repr(self._count)[len("count(") : -1])
