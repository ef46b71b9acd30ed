"""The validator of the top-level `tracing:` block: `endpoint`, `service_name`, `sample_ratio`.

No key has a default here: a key left out falls back to its `OTEL_*` environment variable, then
to hostray's default (`settings.TracingSettings`), so the schema must tell "not set" apart.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from hostray.config import ConfigContainerMeta, ConfigElementMeta

__all__ = [
    "DEFAULT_SAMPLE_RATIO",
    "OTEL_EXTRA",
    "TracingValidator",
    "otlp_url",
    "sample_ratio",
    "service_name",
]

DEFAULT_SAMPLE_RATIO = 1.0
"""Every trace is sampled unless `sample_ratio` or OTEL_TRACES_SAMPLER_ARG says otherwise."""

OTEL_EXTRA = "pip install 'hostray-web[otel]'"
"""What installs the distributions tracing needs."""


def otlp_url(value: Any) -> str:
    """An `http://` or `https://` URL with a host: where OTLP/HTTP spans are posted."""
    if not isinstance(value, str):
        raise TypeError(otlp_url.__name__)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError(otlp_url.__name__) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(otlp_url.__name__)
    return value


otlp_url.__name__ = "an http:// or https:// URL"


def sample_ratio(value: Any) -> float:
    """A number from 0 (no trace sampled) to 1 (every trace)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(sample_ratio.__name__)
    if not 0.0 <= value <= 1.0:
        raise ValueError(sample_ratio.__name__)
    return float(value)


sample_ratio.__name__ = "a number from 0 to 1"


def service_name(value: Any) -> str:
    """A service name that is not empty."""
    if not isinstance(value, str) or not value.strip():
        raise TypeError(service_name.__name__)
    return value


service_name.__name__ = "a service name"

TracingValidator = ConfigContainerMeta(
    "tracing",
    False,
    ConfigElementMeta("endpoint", otlp_url, False),
    ConfigElementMeta("service_name", service_name, False),
    ConfigElementMeta("sample_ratio", sample_ratio, False),
)
"""`tracing: {endpoint, service_name, sample_ratio}`; present (even empty), the server traces."""
