"""SQLAlchemy 2 entity helpers and ORM access worker pools for hostray."""

from .accessor import OrmDBEntityAccessor
from .base import declarative_scope, declared_bases, get_declarative_base
from .engines import DB_MODULE_NAME, create_orm_engine, create_tables, get_session_maker
from .entity import DatetimeConverter, EntityBaseAddon, PyDatetimeConverter
from .errors import DatabaseUnavailableError, EntityValidationError
from .pool import OrmAccessWorker, OrmAccessWorkerPool

__all__ = [
    "DB_MODULE_NAME",
    "DatabaseUnavailableError",
    "DatetimeConverter",
    "EntityBaseAddon",
    "EntityValidationError",
    "OrmAccessWorker",
    "OrmAccessWorkerPool",
    "OrmDBEntityAccessor",
    "PyDatetimeConverter",
    "__version__",
    "create_orm_engine",
    "create_tables",
    "declarative_scope",
    "declared_bases",
    "get_declarative_base",
    "get_session_maker",
]


def __getattr__(name: str) -> str:
    """`__version__` from the installed metadata, read on first use (as the other packages do)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("hostray-orm")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
