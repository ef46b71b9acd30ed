"""The built-in `metrics` controller: the `metrics` component's series in Prometheus text format."""

from __future__ import annotations

import hmac

from tornado.web import HTTPError

from ..component import OptionalComponentTypes
from .request_controller import RequestController

__all__ = ["PROMETHEUS_CONTENT_TYPE", "MetricsController"]

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsController(RequestController):
    """`GET` answers the Prometheus exposition; 401 without the configured bearer token, 503
    when the `metrics` component is not configured."""

    async def get(self) -> None:
        """Answer every series the `metrics` component collects."""
        metrics = self.component_manager.get_component(OptionalComponentTypes.Metrics)
        if metrics is None:
            raise HTTPError(503, "the metrics component is not configured")
        token = metrics.settings.token
        if token is not None:
            given = self.request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                self.set_header("WWW-Authenticate", 'Bearer realm="metrics"')
                raise HTTPError(401)
        self.set_header("Content-Type", PROMETHEUS_CONTENT_TYPE)
        self.set_header("Cache-Control", "no-store")
        self.write(metrics.exposition())
