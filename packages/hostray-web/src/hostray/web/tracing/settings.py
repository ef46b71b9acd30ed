"""`TracingSettings`: the `tracing:` block, validated and completed from the `OTEL_*` variables.

A key set in the block wins over its environment variable (the SDK's own rule for code against
environment), which wins over hostray's default:

- `endpoint`: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else OTEL_EXPORTER_OTLP_ENDPOINT with
  `v1/traces` appended (as the SDK does); required when neither is set.
- `service_name`: OTEL_SERVICE_NAME, else the project directory's name.
- `sample_ratio`: OTEL_TRACES_SAMPLER_ARG, else 1.

Every problem is one `ConfigError` line naming the file and line of the key (or the variable).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from hostray.config import ConfigError, mask_secrets, mask_url

from .schema import (
    DEFAULT_SAMPLE_RATIO,
    OTEL_EXTRA,
    TracingValidator,
    otlp_url,
    sample_ratio,
    service_name,
)

__all__ = [
    "ENDPOINT_VARIABLE",
    "OTEL_DISTRIBUTIONS",
    "SAMPLER_ARG_VARIABLE",
    "SERVICE_NAME_VARIABLE",
    "TRACES_ENDPOINT_VARIABLE",
    "TracingSettings",
]

TRACES_ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
SERVICE_NAME_VARIABLE = "OTEL_SERVICE_NAME"
SAMPLER_ARG_VARIABLE = "OTEL_TRACES_SAMPLER_ARG"
_TRACES_PATH = "v1/traces"

OTEL_DISTRIBUTIONS = (
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-proto-http",
    "opentelemetry-instrumentation-tornado",
    "opentelemetry-instrumentation-aiohttp-client",
    "opentelemetry-instrumentation-sqlalchemy",
)
"""What the `otel` extra installs; checked by name, without importing any of it."""


@dataclass(frozen=True, repr=False)
class TracingSettings:
    """Where a traced server sends its spans, under which service name, and how many it keeps."""

    endpoint: str
    """The OTLP/HTTP URL spans are posted to; may carry credentials, shown masked."""
    service_name: str
    sample_ratio: float
    """The share of new traces recorded (ParentBased(TraceIdRatioBased)); a request that comes
    with a `traceparent` follows its caller's decision."""

    def info(self) -> dict[str, Any]:
        """What `components_info` shows: the settings, the endpoint's secrets masked."""
        return {
            "endpoint": mask_url(self.endpoint),
            "service_name": self.service_name,
            "sample_ratio": self.sample_ratio,
        }

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.info().items())
        return f"TracingSettings({shown})"

    @classmethod
    def from_config(
        cls,
        block: Mapping[str, Any] | None,
        *,
        default_service_name: str,
        where: str,
        environ: Mapping[str, str] | None = None,
    ) -> TracingSettings:
        """Validate a `tracing` block (None: `tracing:` left empty) and fill in what it leaves
        out from `environ` (default `os.environ`). `where` names the block's place
        (`file:line` of the `tracing` key) for the problems of keys that are not there."""
        missing = [name for name in OTEL_DISTRIBUTIONS if not _installed(name)]
        if missing:
            raise ConfigError(
                f"{where}: tracing: needs {', '.join(missing)}, not installed: {OTEL_EXTRA}"
            )
        env = os.environ if environ is None else environ
        given = {} if block is None else block
        validated: dict[str, Any] = TracingValidator(given, "tracing").parameter
        problems: list[str] = []

        def pick(key: str, variables: tuple[str, ...], check: Callable[[Any], Any]) -> Any:
            if validated.get(key) is not None:
                return validated[key]
            for variable in variables:
                raw = env.get(variable, "").strip()
                if raw:
                    try:
                        return check(_from_environment(variable, raw))
                    except (TypeError, ValueError):
                        problems.append(
                            f"{variable}: expected {check.__name__}, got {mask_secrets(raw)!r}"
                        )
                        return None
            return None

        endpoint = pick("endpoint", (TRACES_ENDPOINT_VARIABLE, ENDPOINT_VARIABLE), otlp_url)
        if endpoint is None and not problems:
            problems.append(
                f"{where}: tracing.endpoint: expected "
                f"{otlp_url.__name__} (such as http://127.0.0.1:4318/v1/traces), got nothing; "
                f"set it here or in {TRACES_ENDPOINT_VARIABLE} or {ENDPOINT_VARIABLE}"
            )
        name = pick("service_name", (SERVICE_NAME_VARIABLE,), service_name)
        ratio = pick("sample_ratio", (SAMPLER_ARG_VARIABLE,), sample_ratio)
        if problems:
            raise ConfigError(*problems)
        return cls(
            endpoint=endpoint,
            service_name=name or default_service_name,
            sample_ratio=DEFAULT_SAMPLE_RATIO if ratio is None else ratio,
        )


def _from_environment(variable: str, raw: str) -> Any:
    """The value of an environment variable as its key takes it: OTEL_EXPORTER_OTLP_ENDPOINT
    is a base URL (`v1/traces` appended), OTEL_TRACES_SAMPLER_ARG a number."""
    if variable == ENDPOINT_VARIABLE:
        return raw + _TRACES_PATH if raw.endswith("/") else f"{raw}/{_TRACES_PATH}"
    if variable == SAMPLER_ARG_VARIABLE:
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def _installed(distribution: str) -> bool:
    """Whether `distribution` is installed (its metadata is found; nothing is imported)."""
    try:
        metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True
