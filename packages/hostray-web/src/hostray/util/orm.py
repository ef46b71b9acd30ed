"""The seed's `hostray.util.orm`: SQLAlchemy entity helpers and pools from `hostray.orm`."""

from hostray.orm import (
    DB_MODULE_NAME,
    EntityBaseAddon,
    OrmAccessWorkerPool,
    OrmDBEntityAccessor,
    get_declarative_base,
    get_session_maker,
)

__all__ = [
    "DB_MODULE_NAME",
    "EntityBaseAddon",
    "OrmAccessWorkerPool",
    "OrmDBEntityAccessor",
    "get_declarative_base",
    "get_session_maker",
]
