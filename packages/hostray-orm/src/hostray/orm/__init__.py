"""SQLAlchemy 2 entity helpers and ORM access worker pools for hostray."""

from importlib.metadata import version as _version

from .accessor import OrmDBEntityAccessor
from .base import get_declarative_base
from .engines import DB_MODULE_NAME, create_orm_engine, create_tables, get_session_maker
from .entity import DatetimeConverter, EntityBaseAddon, PyDatetimeConverter
from .errors import DatabaseUnavailableError, EntityValidationError
from .pool import OrmAccessWorker, OrmAccessWorkerPool

__version__: str = _version("hostray-orm")

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
    "get_declarative_base",
    "get_session_maker",
]
