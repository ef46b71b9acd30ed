"""`ControllerAddon`: the shortcuts a controller uses to reach the server's components.

Localized messages, the worker pools, the controller's logger and the `services` component, all
looked up through `self.application.component_manager`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from hostray.web.component import (
    ComponentManager,
    ComponentTypes,
    DefaultComponentTypes,
    OptionalComponentTypes,
)

if TYPE_CHECKING:
    from tornado.web import Application

__all__ = ["ControllerAddon"]


class ControllerAddon:
    """Helpers shared by `RequestController` and `WebSocketController` (mixed in before Tornado)."""

    application: Application

    @property
    def component_manager(self) -> ComponentManager:
        """The server's `ComponentManager` (`application.component_manager`)."""
        manager: ComponentManager | None = getattr(self.application, "component_manager", None)
        if manager is None:
            raise RuntimeError(
                f"{type(self).__name__}: the application has no component_manager; "
                "serve it with hostray.web.server.HostrayServer"
            )
        return manager

    def get_localized_message(self, code: str | int, *args: Any) -> str:
        """The message `code` in the server's language, formatted with `args`."""
        localization = self._require(DefaultComponentTypes.Localization)
        return str(localization.get_message(code, *args))

    async def run_method_async(
        self, func: Callable[..., Any], *args: Any, pool_id: str = "default", **kwargs: Any
    ) -> Any:
        """Run a blocking `func` in the worker pool `pool_id` and await its result."""
        pools = self._require(DefaultComponentTypes.WorkerPool)
        return await pools.run_method_async(func, *args, pool_id=pool_id, **kwargs)

    def log_info(
        self,
        msg: str,
        *args: Any,
        exc_info: Any = None,
        extra: Mapping[str, object] | None = None,
        stack_info: bool = False,
    ) -> None:
        """Log `msg` at INFO level on the controller's logger."""
        self._logger().info(msg, *args, exc_info=exc_info, extra=extra, stack_info=stack_info)

    def log_warning(
        self,
        msg: str,
        *args: Any,
        exc_info: Any = None,
        extra: Mapping[str, object] | None = None,
        stack_info: bool = False,
    ) -> None:
        """Log `msg` at WARNING level on the controller's logger."""
        self._logger().warning(msg, *args, exc_info=exc_info, extra=extra, stack_info=stack_info)

    def log_error(
        self,
        msg: str,
        *args: Any,
        exc_info: Any = None,
        extra: Mapping[str, object] | None = None,
        stack_info: bool = False,
    ) -> None:
        """Log `msg` at ERROR level on the controller's logger."""
        self._logger().error(msg, *args, exc_info=exc_info, extra=extra, stack_info=stack_info)

    async def invoke_service_async(
        self,
        service_name: str,
        method: str = "get",
        streaming_callback: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send the request `service_name` of the `services` component; await its response."""
        services = self._require(OptionalComponentTypes.Service)
        return await services.invoke_async(
            service_name, method=method, streaming_callback=streaming_callback, **kwargs
        )

    def _logger(self) -> logging.Logger:
        """The logger named after the controller class, from the `logger` component."""
        loggers = self._require(DefaultComponentTypes.Logger)
        logger: logging.Logger = loggers.get_logger(type(self).__name__)
        return logger

    def _require(self, component_type: ComponentTypes) -> Any:
        """The loaded component of `component_type`; a clear error when it is not configured."""
        component = self.component_manager.get_component(component_type)
        if component is None:
            raise RuntimeError(
                f"{type(self).__name__}: component {component_type.key!r} is not loaded; "
                "add it to the component block of server_config.yaml"
            )
        return component
