"""Parse a Prometheus text exposition into `{(name, ((label, value), ...)): value}`."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

__all__ = ["Samples", "parse"]

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample of the exposition, keyed by name and sorted labels (`pid` dropped)."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "pid"))
            key = (sample.name, labels)
            samples[key] = samples.get(key, 0.0) + sample.value
    return samples


def labels(**values: str) -> tuple[tuple[str, str], ...]:
    """The sorted label tuple of a sample key."""
    return tuple(sorted(values.items()))
