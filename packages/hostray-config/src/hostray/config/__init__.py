"""Config validation, YAML loading, localization, logging and small utilities for hostray."""

from importlib.metadata import version as _version

__version__: str = _version("hostray-config")

__all__ = ["__version__"]
