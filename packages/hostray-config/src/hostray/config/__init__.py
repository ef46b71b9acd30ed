"""Config validation, YAML loading, localization, logging and small utilities for hostray."""

from importlib.metadata import version as _version

from .dynamic_enum import DynamicClassEnum, DynamicClassEnumMeta
from .errors import ConfigError

__version__: str = _version("hostray-config")

__all__ = [
    "ConfigError",
    "DynamicClassEnum",
    "DynamicClassEnumMeta",
    "__version__",
]
