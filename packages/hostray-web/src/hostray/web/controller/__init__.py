"""Controllers: the Tornado handlers a project's `controller` config block routes to.

`ControllerType` enums map a config key to a handler class; `DefaultControllerType` holds the
built-in ones (`frontend`, `server_alive`, `components_info`).
"""

from __future__ import annotations

from typing import Any

from tornado.web import RequestHandler

from hostray.config import DynamicClassEnum

__all__ = ["ControllerType", "DefaultControllerType"]


class ControllerType(DynamicClassEnum):
    """Base of the enums whose members are `(key, module, class_name)` of a Tornado handler."""

    def import_class(self, cls_type: type | None = None) -> Any:
        """Import the member's handler class, checking that it is a Tornado `RequestHandler`."""
        return super().import_class(cls_type=cls_type or RequestHandler)


class DefaultControllerType(ControllerType):
    """The built-in controllers every project can route to."""

    Frontend = ("frontend", "tornado.web", "StaticFileHandler")
    SystemAlive = ("server_alive", "default_controller", "SystemAliveController")
    ComponentsInfo = ("components_info", "default_controller", "ComponentsInfoController")
