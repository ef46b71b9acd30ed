"""Controllers: the Tornado handlers a project's `controller` config block routes to.

`ControllerType` enums map a config key to a handler class; `DefaultControllerType` holds the
built-in ones (`frontend`, `server_alive`, `components_info`).
"""

from __future__ import annotations

from tornado.web import RequestHandler

from hostray.config import DynamicClassEnum

from .addon import ControllerAddon
from .file_upload import StreamingFileUploadController
from .request_controller import RequestController
from .streaming import StreamingDownloadController, StreamingUploadController
from .websocket_controller import WebSocketController

__all__ = [
    "ControllerAddon",
    "ControllerType",
    "DefaultControllerType",
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
    ComponentsInfo = ("components_info", "default_controller", "ComponentsInfoController")
