"""0.8's import path of the pytest plugin's classes; the plugin is `hostray.web.pytest_plugin`."""

from hostray.web.pytest_plugin import HostrayClient, RunningServer

__all__ = ["HostrayClient", "RunningServer"]
