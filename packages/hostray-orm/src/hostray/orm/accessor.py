"""`OrmDBEntityAccessor`: how one entity class is read and written, given a session.

Every method takes the session first, so the same accessor works on a session of your own and,
through `OrmAccessWorkerPool.run_method(accessor.add, …)`, on the session of a pool's worker.
Methods given an entity attach it to the session first: entities a pool returns are detached
between calls, so any worker can take them up again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .engines import DB_MODULE_NAME, HasMetadata, get_session_maker
from .entity import EntityBaseAddon
from .errors import EntityValidationError

__all__ = ["OrmDBEntityAccessor"]

EntityT = TypeVar("EntityT", bound=EntityBaseAddon)


class OrmDBEntityAccessor(Generic[EntityT]):
    """Add, load, select, change, delete and save entities of one class."""

    session_maker: sessionmaker[Session] | None = None
    """Set by `set_orm_engine` for callers that want sessions of the accessor's own engine."""

    def __init__(self, entity_cls: type[EntityT] | None = None) -> None:
        self._entity_cls = entity_cls

    def set_entity_cls(self, entity_cls: type[EntityT]) -> None:
        """Use `entity_cls` from now on."""
        self._entity_cls = entity_cls

    @property
    def entity_cls(self) -> type[EntityT]:
        """The entity class this accessor reads and writes."""
        if self._entity_cls is None:
            raise RuntimeError(f"{type(self).__name__} has no entity class: call set_entity_cls")
        return self._entity_cls

    def set_orm_engine(
        self,
        db_module: DB_MODULE_NAME | str,
        declared_entity_base: HasMetadata,
        autoflush: bool = False,
        **kwargs: Any,
    ) -> None:
        """Create an engine for `db_module` and its tables; `session_maker` opens sessions on it."""
        self.session_maker = get_session_maker(db_module, declared_entity_base, autoflush, **kwargs)

    def close_session(self, sess: Session) -> None:
        """Close `sess`: uncommitted work is rolled back, its connection returns to the pool."""
        sess.close()

    def add(self, sess: Session, **kwargs: Any) -> EntityT:
        """A new entity with the column values of `kwargs`, added to `sess` (saved by `save`)."""
        entity = self.entity_cls()
        values = entity._checked_values(False, kwargs)
        for key, value in values.items():
            setattr(entity, key, value)
        sess.add(entity)
        return entity

    def load(self, sess: Session, **kwargs: Any) -> EntityT | None:
        """The first entity whose columns equal `kwargs`, or None."""
        primary = self.entity_cls._layout().primary
        if len(kwargs) == len(primary) and all(kwargs.get(key) is not None for key in primary):
            identity = [kwargs[key] for key in primary]
            return sess.get(self.entity_cls, identity[0] if len(identity) == 1 else identity)
        statement = select(self.entity_cls).filter_by(**self._filters(kwargs)).limit(1)
        return sess.scalars(statement).first()

    def select(
        self,
        sess: Session,
        *,
        order_by: str | Sequence[str] = (),
        limit: int | None = None,
        offset: int | None = None,
        **kwargs: Any,
    ) -> list[EntityT]:
        """The entities whose columns equal `kwargs`, sorted by `order_by` ('-age' descends),
        at most `limit` of them after skipping `offset`."""
        statement = select(self.entity_cls).filter_by(**self._filters(kwargs))
        for name in [order_by] if isinstance(order_by, str) else order_by:
            column = getattr(self.entity_cls, self._column(name.lstrip("-")))
            statement = statement.order_by(column.desc() if name.startswith("-") else column)
        if limit is not None:
            statement = statement.limit(limit)
        if offset is not None:
            statement = statement.offset(offset)
        return list(sess.scalars(statement).all())

    def merge(self, sess: Session, **kwargs: Any) -> EntityT:
        """Update the entity with the primary key in `kwargs`, or add it if there is none."""
        keys = self.entity_cls.get_primary_key_args(**kwargs)
        complete = len(keys) == len(self.entity_cls.primary_keys())
        entity = self.load(sess, **keys) if complete else None
        if entity is None:
            return self.add(sess, **kwargs)
        self.set_attribute(sess, entity, **self.entity_cls.get_non_primary_key_args(**kwargs))
        return entity

    def set_attribute(
        self, sess: Session, entity: EntityT, check_fix: bool = True, **kwargs: Any
    ) -> None:
        """Set column values of `entity` after validating all of them (nothing is set on error)."""
        values = entity._checked_values(check_fix, kwargs)
        self._attach(sess, entity)
        for key, value in values.items():
            setattr(entity, key, value)

    def delete(self, sess: Session, entities: EntityT | Iterable[EntityT]) -> None:
        """Mark one entity or several for deletion (done by `save`)."""
        for entity in [entities] if isinstance(entities, EntityBaseAddon) else entities:
            self._attach(sess, entity)
            sess.delete(entity)

    def refresh(self, sess: Session, entity: EntityT) -> EntityT:
        """Reload the column values of `entity` from the database."""
        self._attach(sess, entity)
        sess.refresh(entity)
        return entity

    def flush(self, sess: Session) -> None:
        """Send pending changes to the database without committing; rolls back if that fails."""
        try:
            sess.flush()
        except BaseException:
            sess.rollback()
            raise

    def save(self, sess: Session) -> None:
        """Commit; if the commit fails the session is rolled back and stays usable."""
        try:
            sess.commit()
        except BaseException:
            sess.rollback()
            raise

    def rollback(self, sess: Session) -> None:
        """Discard uncommitted changes; entities in the session reload on next access."""
        sess.rollback()

    @staticmethod
    def _attach(sess: Session, entity: EntityBaseAddon) -> None:
        if sa_inspect(entity).detached:
            sess.add(entity)

    def _column(self, name: str) -> str:
        if name not in self.entity_cls._layout().properties:
            raise EntityValidationError(
                name,
                f"{self.entity_cls._table_name()}: unknown column {name!r} "
                f"(columns: {', '.join(self.entity_cls.client_columns())})",
            )
        return name

    def _filters(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for name in kwargs:
            self._column(name)
        return kwargs
