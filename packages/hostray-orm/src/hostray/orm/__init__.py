"""SQLAlchemy 2 entity helpers and ORM access worker pools for hostray.

Names are resolved on first access, so `hostray.orm.errors` (and a program that only catches
those errors, such as hostray-web's error mapping) imports without loading SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accessor import OrmDBEntityAccessor
    from .base import declarative_scope, declared_bases, get_declarative_base
    from .engines import (
        DB_MODULE_NAME,
        DEFAULT_PORTS,
        EngineHook,
        HasMetadata,
        add_engine_hook,
        create_orm_engine,
        create_tables,
        get_session_maker,
        remove_engine_hook,
    )
    from .entity import DatetimeConverter, EntityBaseAddon, PyDatetimeConverter
    from .errors import DatabaseUnavailableError, EntityValidationError
    from .pool import OrmAccessWorker, OrmAccessWorkerPool

__all__ = [
    "DB_MODULE_NAME",
    "DEFAULT_PORTS",
    "DatabaseUnavailableError",
    "DatetimeConverter",
    "EngineHook",
    "EntityBaseAddon",
    "EntityValidationError",
    "HasMetadata",
    "OrmAccessWorker",
    "OrmAccessWorkerPool",
    "OrmDBEntityAccessor",
    "PyDatetimeConverter",
    "__version__",
    "add_engine_hook",
    "create_orm_engine",
    "create_tables",
    "declarative_scope",
    "declared_bases",
    "get_declarative_base",
    "get_session_maker",
    "remove_engine_hook",
]

_LAZY = {
    "OrmDBEntityAccessor": ".accessor",
    "declarative_scope": ".base",
    "declared_bases": ".base",
    "get_declarative_base": ".base",
    "DB_MODULE_NAME": ".engines",
    "DEFAULT_PORTS": ".engines",
    "EngineHook": ".engines",
    "HasMetadata": ".engines",
    "add_engine_hook": ".engines",
    "create_orm_engine": ".engines",
    "create_tables": ".engines",
    "get_session_maker": ".engines",
    "remove_engine_hook": ".engines",
    "DatetimeConverter": ".entity",
    "EntityBaseAddon": ".entity",
    "PyDatetimeConverter": ".entity",
    "DatabaseUnavailableError": ".errors",
    "EntityValidationError": ".errors",
    "OrmAccessWorker": ".pool",
    "OrmAccessWorkerPool": ".pool",
}


def __getattr__(name: str) -> Any:
    """Import a name's module on first use; `__version__` from the installed metadata."""
    if name == "__version__":
        from importlib.metadata import version

        return version("hostray-orm")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
