"""Config validation, YAML loading, localization, logging and small utilities for hostray."""

from importlib.metadata import version as _version

from .dynamic_enum import DynamicClassEnum, DynamicClassEnumMeta
from .errors import ConfigError
from .positions import ConfigDict, location_of
from .validation import UNSET
from .validator import (
    ConfigBaseElementMeta,
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigElementType,
    ConfigParameters,
    ConfigScalableContainerMeta,
    ConfigScalableElementMeta,
    ConfigSwitchableElementMeta,
)
from .yaml_loader import load_yaml, substitute_env

__version__: str = _version("hostray-config")

__all__ = [
    "UNSET",
    "ConfigBaseElementMeta",
    "ConfigContainerMeta",
    "ConfigDict",
    "ConfigElementMeta",
    "ConfigElementType",
    "ConfigError",
    "ConfigParameters",
    "ConfigScalableContainerMeta",
    "ConfigScalableElementMeta",
    "ConfigSwitchableElementMeta",
    "DynamicClassEnum",
    "DynamicClassEnumMeta",
    "__version__",
    "load_yaml",
    "location_of",
    "substitute_env",
]
