"""The built-in `server_alive` (liveness), `server_ready` (readiness) and `components_info`
controllers."""

from __future__ import annotations

import json
import re
from typing import Any

from .request_controller import RequestController

__all__ = [
    "READY_TIMEOUT",
    "ComponentsInfoController",
    "ServerReadyController",
    "SystemAliveController",
    "mask_secrets",
]

MASK = "******"
READY_TIMEOUT = 5.0
"""Seconds each component's `ready()` may take before `server_ready` counts it as not ready."""
# Keys whose values are never shown: passwords, secrets, tokens, keys and credentials.
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth|cookie",
    re.IGNORECASE,
)
# The password of a URL such as mysql://user:password@host/db.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/:@\s]*:)[^/@\s]*(?=@)")


def mask_secrets(value: Any) -> Any:
    """A copy of `value` (dicts, lists, tuples, strings) with every secret replaced by a mask."""
    if isinstance(value, dict):
        return {
            key: MASK
            if isinstance(key, str) and _SECRET_KEY.search(key) and item is not None
            else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<head>{MASK}", value)
    return value


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
    """`GET` answers the `info()` of every loaded component, as JSON, with secrets masked."""

    async def get(self) -> None:
        """Answer `{"name": <server name>, "info": {<component key>: <info>, ...}}`."""
        body = {
            "name": self.settings.get("name"),
            "info": mask_secrets(self.component_manager.info),
        }
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.write(json.dumps(body, default=str))
