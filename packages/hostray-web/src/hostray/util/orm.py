"""The seed's `hostray.util.orm`: SQLAlchemy entity helpers and pools from `hostray.orm`.

`DeclarativeMeta` and `Entity` (the type of an entity: declarative class plus addon) are the
names 0.7.5 exported here.
"""

from typing import Union

from sqlalchemy.orm import DeclarativeMeta

from hostray.orm import (
    DB_MODULE_NAME,
    EntityBaseAddon,
    OrmAccessWorkerPool,
    OrmDBEntityAccessor,
    get_declarative_base,
    get_session_maker,
)

Entity = Union[DeclarativeMeta, EntityBaseAddon]  # noqa: UP007 -- 0.7.5's alias, a runtime object

__all__ = [
    "DB_MODULE_NAME",
    "DeclarativeMeta",
    "Entity",
    "EntityBaseAddon",
    "OrmAccessWorkerPool",
    "OrmDBEntityAccessor",
    "get_declarative_base",
    "get_session_maker",
]
