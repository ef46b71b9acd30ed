"""The seed's `hostray.util`: workers and small utilities, re-exported from their packages.

`hostray.util.worker` and `hostray.util.orm` are the seed's submodules (the latter imports
SQLAlchemy, so it is loaded only when imported).
"""

from hostray.config import (
    DATETIME_TYPE,
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

__all__ = [
    "DATETIME_TYPE",
    "AsyncWorkerPool",
    "Callbacks",
    "DynamicClassEnum",
    "FunctionLoopWorker",
    "FunctionQueueWorker",
    "HostrayLogger",
    "Localization",
    "PY_DT_Converter",
    "Worker",
    "WorkerPool",
    "convert_tuple_to_dict",
    "datetime_to_str",
    "generate_base64_uid",
    "get_Hostray_logger",
    "get_class",
    "get_host_ip",
    "join_path",
    "join_to_abs_path",
    "size_bytes_to_string",
    "str_to_datetime",
    "walk_to_file_paths",
]
