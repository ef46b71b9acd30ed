"""The cost of observability: the hello project with the `metrics` component (scraped route
configured) and `logger.format: json`, against the same project without them, side by side.

Figure: requests per second on /hello under wrk, one process each (target ≥ 0.95×).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._harness import Row
from bench.http import _hostray, _wrk

__all__ = ["run"]

RUNS = 3
OBSERVED = """
    metrics: {}
    logger:
        format: json
"""


def _observed(project: Path) -> None:
    """Add the metrics component, a /metrics route and JSON logs to a scaffolded project."""
    config = project / "server_config.yaml"
    text = config.read_text()
    text = text.replace("component:\n", "component:" + OBSERVED, 1)
    text = text.replace("controller:\n", "controller:\n    /metrics:\n        enum: metrics\n", 1)
    config.write_text(text)


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        plain, observed = Path(tmp) / "plain", Path(tmp) / "observed"
        for project in (plain, observed):
            subprocess.run([sys.executable, "-m", "hostray", "create", str(project)], check=True)
        _observed(observed)
        for project in (plain, observed):  # bytecode caches for both
            _hostray(project).stop()
        rates: dict[Path, list[float]] = {plain: [], observed: []}
        for _ in range(RUNS):
            for project in (observed, plain):
                server = _hostray(project)
                try:
                    _wrk(server.url)  # warm-up
                    rates[project].append(_wrk(server.url))
                finally:
                    server.stop()
    return [
        Row.compare(
            "hello req/s with metrics + JSON logs vs without (1 process)",
            statistics.median(rates[observed]),
            statistics.median(rates[plain]),
            "req/s",
            0.95,
        )
    ]
