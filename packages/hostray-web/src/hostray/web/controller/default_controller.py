"""The built-in `server_alive` and `components_info` controllers."""

from __future__ import annotations

import json
import os

from hostray.config import SECRET_MASK, mask_secrets

from ..shown_paths import show_paths
from .request_controller import RequestController

__all__ = ["MASK", "ComponentsInfoController", "SystemAliveController", "mask_secrets"]

MASK = SECRET_MASK
"""The mask of every hidden secret (hostray-config's `SECRET_MASK`)."""


class SystemAliveController(RequestController):
    """`GET` answers `1` while the server is up: a liveness probe."""

    async def get(self) -> None:
        """Answer `1`."""
        self.write("1")


class ComponentsInfoController(RequestController):
    """`GET` answers the `info()` of every loaded component, as JSON: secrets masked, paths shown
    relative to the project (docs/SECURITY.md, "What components_info shows")."""

    async def get(self) -> None:
        """Answer `{"name": <server name>, "info": {<component key>: <info>, ...}}`."""
        root_dir = self.settings.get("root_dir") or os.getcwd()
        body = {
            "name": self.settings.get("name"),
            "info": show_paths(mask_secrets(self.component_manager.info), root_dir),
        }
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.write(json.dumps(body, default=str))
