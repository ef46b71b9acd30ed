"""The seed's `hostray.util`: workers and small utilities, re-exported from their packages.

`hostray.util.worker` and `hostray.util.orm` are the seed's submodules (the latter imports
SQLAlchemy, so it is loaded only when imported). Besides the documented names it keeps what
0.7.5's `hostray.util` exported (`BaseLocal`, `HierarchyElementMeta`, `KB` … `TB`, …), so that
0.7.5 code imports unchanged.
"""

from contextlib import asynccontextmanager

from hostray.config import (
    DATETIME_TYPE,
    DOT_NET_DT_Converter,
    DynamicClassEnum,
    HostrayLogger,
    Localization,
    PY_DT_Converter,
    convert_tuple_to_dict,
    datetime_to_str,
    generate_base64_uid,
    get_class,
    get_host_ip,
    get_Hostray_logger,
    join_path,
    join_to_abs_path,
    size_bytes_to_string,
    str_to_datetime,
    walk_to_file_paths,
)
from hostray.workers import (
    AsyncWorkerPool,
    Callbacks,
    FunctionLoopWorker,
    FunctionQueueWorker,
    Worker,
    WorkerPool,
)

from .hierarchy import HierarchyElementMeta
from .localized import BaseLocal, LocalizedMessageException, LocalizedMessageWarning


def setting_loggers(
    names: list[str],
    log_dir: str | None,
    mode: str = "a",
    encoding: str = "utf-8",
    log_to_resource: bool = False,
) -> None:
    """0.7.5's helper: `get_Hostray_logger(name, log_dir, mode, encoding, log_to_resource)` for
    each of `names`."""
    for name in names:
        get_Hostray_logger(name, log_dir, mode, encoding, log_to_resource)


KB = 1024
"""Bytes in a kibibyte (0.7.5's constants: KB, MB, GB, TB)."""
MB = 1024 * KB
GB = 1024 * MB
TB = 1024 * GB

__all__ = [
    "DATETIME_TYPE",
    "GB",
    "KB",
    "MB",
    "TB",
    "AsyncWorkerPool",
    "BaseLocal",
    "Callbacks",
    "DOT_NET_DT_Converter",
    "DynamicClassEnum",
    "FunctionLoopWorker",
    "FunctionQueueWorker",
    "HierarchyElementMeta",
    "HostrayLogger",
    "Localization",
    "LocalizedMessageException",
    "LocalizedMessageWarning",
    "PY_DT_Converter",
    "Worker",
    "WorkerPool",
    "asynccontextmanager",
    "convert_tuple_to_dict",
    "datetime_to_str",
    "generate_base64_uid",
    "get_Hostray_logger",
    "get_class",
    "get_host_ip",
    "join_path",
    "join_to_abs_path",
    "setting_loggers",
    "size_bytes_to_string",
    "str_to_datetime",
    "walk_to_file_paths",
]
