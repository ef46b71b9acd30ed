"""Controllers: the Tornado handlers a project's `controller` config block routes to.

`ControllerType` enums map a config key to a handler class; `DefaultControllerType` holds the
built-in ones (`frontend`, `server_alive`, `server_ready`, `components_info`, `metrics`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tornado.web import RequestHandler

from hostray.config import DynamicClassEnum

from .addon import ControllerAddon
from .request_controller import RequestController, RESTfulMethodType

if TYPE_CHECKING:
    from .db_cusd_controller import DBCSUDController
    from .file_upload import StreamingFileUploadController
    from .streaming import StreamingDownloadController, StreamingUploadController
    from .websocket_controller import WebSocketController

# Imported on first use, so a project that routes to none of them does not pay for them.
_LAZY = {
    "DBCSUDController": ".db_cusd_controller",
    "StreamingDownloadController": ".streaming",
    "StreamingUploadController": ".streaming",
    "StreamingFileUploadController": ".file_upload",
    "WebSocketController": ".websocket_controller",
}

__all__ = [
    "ControllerAddon",
    "ControllerType",
    "DBCSUDController",
    "DefaultControllerType",
    "RESTfulMethodType",
    "RequestController",
    "StreamingDownloadController",
    "StreamingFileUploadController",
    "StreamingUploadController",
    "WebSocketController",
]


class ControllerType(DynamicClassEnum):
    """Base of the enums whose members are `(key, module, class_name)` of a Tornado handler."""

    def import_class(self, cls_type: type | None = None) -> type:
        """Import the member's handler class, checking that it is a Tornado `RequestHandler`."""
        return super().import_class(cls_type=cls_type or RequestHandler)


class DefaultControllerType(ControllerType):
    """The built-in controllers every project can route to."""

    Frontend = ("frontend", "tornado.web", "StaticFileHandler")
    SystemAlive = ("server_alive", "default_controller", "SystemAliveController")
    ServerReady = ("server_ready", "default_controller", "ServerReadyController")
    ComponentsInfo = ("components_info", "default_controller", "ComponentsInfoController")
    Metrics = ("metrics", "metrics_controller", "MetricsController")


def __getattr__(name: str) -> Any:
    """Resolve the streaming and websocket controllers when first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
