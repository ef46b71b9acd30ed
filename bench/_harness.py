"""What every benchmark module shares: the row it reports and the median-of-runs helpers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Row", "best_of", "cpu_percent_while", "median_rate"]


@dataclass(frozen=True)
class Row:
    """One line of the table: our figure, the baseline's, their ratio, and whether it is on target.

    `ratio` is ours / baseline for "higher is better" figures (`compare`) and ours / baseline as
    well for times (`compare_time`), where the target reads as a ceiling (`≤ 2.0×`).
    """

    what: str
    ours: float
    baseline: float | None
    unit: str
    target: str
    ratio: float | None
    met: bool

    @classmethod
    def compare(cls, what: str, ours: float, baseline: float, unit: str, target: float) -> Row:
        """A figure where higher is better (a rate): on target when ours / baseline ≥ target."""
        ratio = ours / baseline if baseline else float("inf")
        return cls(what, ours, baseline, unit, f"≥ {target:g}×", ratio, ratio >= target)

    @classmethod
    def compare_time(cls, what: str, ours: float, baseline: float, unit: str, target: float) -> Row:
        """A time, where lower is better: on target when ours / baseline ≤ target."""
        ratio = ours / baseline if baseline else float("inf")
        return cls(what, ours, baseline, unit, f"≤ {target:g}×", ratio, ratio <= target)

    @classmethod
    def ceiling(cls, what: str, ours: float, unit: str, limit: float) -> Row:
        """A figure with an absolute ceiling and no baseline (CPU burnt while waiting)."""
        return cls(what, ours, None, unit, f"≤ {limit:g} {unit}", None, ours <= limit)


def median_rate(work: Callable[[], int], runs: int = 5) -> float:
    """Median operations per second of `work()`, which returns how many operations it did."""
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def best_of(work: Callable[[], float], runs: int = 5) -> float:
    """Median of `runs` measurements that `work()` returns itself."""
    return statistics.median(work() for _ in range(runs))


def cpu_percent_while(wait: Callable[[], None]) -> float:
    """Percent of one core this process burns while `wait()` runs."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    wait()
    return 100.0 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
