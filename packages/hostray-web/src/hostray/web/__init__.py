"""Tornado server with configurable components and controllers: the hostray framework."""

from importlib.metadata import version as _version

__version__: str = _version("hostray-web")

__all__ = ["__version__"]
