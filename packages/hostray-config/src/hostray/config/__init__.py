"""Config validation, YAML loading, localization, logging and small utilities for hostray."""

from .dt import (
    DATETIME_TYPE,
    DOT_NET_DT_Converter,
    PY_DT_Converter,
    datetime_to_str,
    str_to_datetime,
)
from .dynamic_enum import DynamicClassEnum, DynamicClassEnumMeta
from .errors import ConfigError
from .localization import FALLBACK_LANGUAGE, Localization
from .log_format import (
    LOG_CONTEXT,
    LOG_FORMATS,
    JsonFormatter,
    LogFieldsProvider,
    add_log_fields,
    console_line,
    current_log_format,
    remove_log_fields,
    set_log_format,
)
from .logger import (
    DEFAULT_LOGGERS,
    LOG_BACKUP_COUNT,
    LOG_MAX_BYTES,
    HostrayLogger,
    get_Hostray_logger,
    install_console_fallback,
    set_default_loggers_level,
)
from .parameter_types import config_path
from .positions import ConfigDict, location_of
from .secrets import SECRET_MASK, is_secret_key, mask_secrets, mask_url
from .utils import (
    convert_tuple_to_dict,
    generate_base64_uid,
    get_class,
    get_host_ip,
    join_path,
    join_to_abs_path,
    size_bytes_to_string,
    walk_to_file_paths,
)
from .validator_metaclasses import (
    ConfigBaseElementMeta,
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigParameters,
    ConfigScalableContainerMeta,
    ConfigScalableElementMeta,
    ConfigSwitchableElementMeta,
    validator_scope,
)
from .validator_node import UNSET, ConfigElementType
from .yaml_loader import load_yaml, substitute_env

__all__ = [
    "DATETIME_TYPE",
    "DEFAULT_LOGGERS",
    "FALLBACK_LANGUAGE",
    "LOG_BACKUP_COUNT",
    "LOG_CONTEXT",
    "LOG_FORMATS",
    "LOG_MAX_BYTES",
    "SECRET_MASK",
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
    "DOT_NET_DT_Converter",
    "DynamicClassEnum",
    "DynamicClassEnumMeta",
    "HostrayLogger",
    "JsonFormatter",
    "Localization",
    "LogFieldsProvider",
    "PY_DT_Converter",
    "__version__",
    "add_log_fields",
    "config_path",
    "console_line",
    "convert_tuple_to_dict",
    "current_log_format",
    "datetime_to_str",
    "generate_base64_uid",
    "get_Hostray_logger",
    "get_class",
    "get_host_ip",
    "install_console_fallback",
    "is_secret_key",
    "join_path",
    "join_to_abs_path",
    "load_yaml",
    "location_of",
    "mask_secrets",
    "mask_url",
    "remove_log_fields",
    "set_default_loggers_level",
    "set_log_format",
    "size_bytes_to_string",
    "str_to_datetime",
    "substitute_env",
    "validator_scope",
    "walk_to_file_paths",
]


def __getattr__(name: str) -> str:
    """`__version__` from the installed metadata, read on first use (keeps start-up lean)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("hostray-config")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
