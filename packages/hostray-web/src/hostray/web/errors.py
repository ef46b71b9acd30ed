"""hostray-web's own error: the problems of a project beyond its config file's shape."""

from __future__ import annotations

from hostray.config import ConfigError

__all__ = ["ProjectError"]


class ProjectError(ConfigError):
    """A project's reserved modules, enums or components are wrong; one line per problem."""
