"""The built-in `server_alive` (liveness), `server_ready` (readiness) and `components_info`
controllers."""

from __future__ import annotations

import json
import os
from typing import Any

from hostray.config import SECRET_MASK, mask_secrets

from ..shown_paths import show_paths
from .request_controller import RequestController

__all__ = [
    "MASK",
    "READY_TIMEOUT",
    "ComponentsInfoController",
    "ServerReadyController",
    "SystemAliveController",
    "mask_secrets",
]

MASK = SECRET_MASK
"""The mask of every hidden secret (hostray-config's `SECRET_MASK`)."""
READY_TIMEOUT = 5.0
"""Seconds each component's `ready()` may take before `server_ready` counts it as not ready."""


class SystemAliveController(RequestController):
    """`GET` answers `1` while the server is up: a liveness probe."""

    async def get(self) -> None:
        """Answer `1`."""
        self.write("1")


class ServerReadyController(RequestController):
    """`GET`/`HEAD`: a readiness probe for load balancers. 200 `{"ready": true}` while every
    component reports ready (`Component.ready()`: databases, Redis, the Celery broker reachable);
    503 with `{"ready": false, "problems": {key: reason}}` when one does not, and 503
    `{"ready": false, "stopping": true}` from the moment a graceful stop begins."""

    async def get(self) -> None:
        """Answer the readiness as JSON."""
        status, body = await self._readiness()
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.write(json.dumps(body))

    async def head(self) -> None:
        """The status of `GET`, without a body."""
        status, _ = await self._readiness()
        self.set_status(status)

    async def _readiness(self) -> tuple[int, dict[str, Any]]:
        self.set_header("Cache-Control", "no-store")
        if getattr(self.application, "stopping", False):
            return 503, {"ready": False, "stopping": True}
        problems = await self.component_manager.readiness(READY_TIMEOUT)
        if problems:
            return 503, {"ready": False, "problems": mask_secrets(problems)}
        return 200, {"ready": True}


class ComponentsInfoController(RequestController):
    """`GET` answers the `info()` of every loaded component, as JSON: secrets masked, paths shown
    relative to the project (docs/SECURITY.md, "What components_info shows")."""

    async def get(self) -> None:
        """Answer `{"name": <server name>, "info": {<component key>: <info>, ...}}`, and
        `"tracing": {endpoint, service_name, sample_ratio}` when the server traces."""
        root_dir = self.settings.get("root_dir") or os.getcwd()
        body = {
            "name": self.settings.get("name"),
            "info": show_paths(mask_secrets(self.component_manager.info), root_dir),
        }
        if self.settings.get("tracing") is not None:
            body["tracing"] = mask_secrets(self.settings["tracing"])
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.write(json.dumps(body, default=str))
