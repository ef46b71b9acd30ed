"""`DBCSUDController`: 0.7.5's generic REST controller over one `OrmDBEntityAccessor`.

    class PeopleController(DBCSUDController):
        orm_db_accessor = OrmDBEntityAccessor(PersonEntity)

    controller:
        /people: {enum: people, params: {use_orm_db: db_0}}

GET selects (column filters, `limit`/`offset`), POST adds, PUT merges (adds or replaces by primary
key), PATCH sets columns of the row its primary key names, DELETE deletes it. Values come from the
query string, a form body or a JSON object body; answers are JSON made of `to_client_dict()`, so
`client_excluded_columns` never leave the server.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy.exc import IntegrityError
from tornado.web import HTTPError

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor
from hostray.web.component import OptionalComponentTypes

from .db_columns import EntityColumns
from .request_controller import RequestController, RESTfulMethodType

if TYPE_CHECKING:
    from hostray.web.component.optional_component import OrmDBComponent

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "DBCSUDController"]

DEFAULT_LIMIT = 100
"""Rows a GET answers when it gives no `limit`."""
MAX_LIMIT = 1000
"""The largest `limit` a GET may ask for."""

_PAGING = ("limit", "offset")


def _declarative_base(entity_cls: type) -> Any:
    """The declarative base `entity_cls` derives from (the class holding its `registry`)."""
    for cls in entity_cls.__mro__:
        if "registry" in cls.__dict__ and "metadata" in cls.__dict__:
            return cls
    return entity_cls


class DBCSUDController(RequestController):
    """REST access to the entities of `orm_db_accessor` on the `orm_db` pool `use_orm_db`."""

    orm_db_accessor: ClassVar[OrmDBEntityAccessor[Any] | None] = None
    """The accessor whose entity class this controller serves: set it in the subclass."""

    orm_db_methods: ClassVar[Mapping[str, Callable[..., Any] | None]] = {}
    """HTTP method ('GET', …) → accessor method replacing the default one (select, add, merge,
    set_attribute, delete), with the same signature."""

    max_limit: ClassVar[int] = MAX_LIMIT

    def initialize(self, use_orm_db: str) -> None:
        """Bind to the `orm_db` pool `use_orm_db` (made on first use for the entity's base)."""
        accessor = type(self).orm_db_accessor
        if accessor is None:
            raise RuntimeError(f"{type(self).__name__}: set orm_db_accessor in the class")
        self.accessor: OrmDBEntityAccessor[Any] = accessor
        self.db_id = use_orm_db
        orm_db = self.component_manager.get_component(OptionalComponentTypes.OrmDB)
        if orm_db is None:
            raise RuntimeError(f"{type(self).__name__}: configure the orm_db component")
        self.orm_db: OrmDBComponent = orm_db
        self.orm_db.init_db_declarative_base(use_orm_db, _declarative_base(accessor.entity_cls))
        self.columns = EntityColumns(accessor.entity_cls)

    def _method(self, method: RESTfulMethodType, default: Callable[..., Any]) -> Callable[..., Any]:
        return self.orm_db_methods.get(method.value) or default

    def _text_arguments(self, arguments: Mapping[str, list[bytes]]) -> dict[str, str]:
        return {name: self.decode_argument(values[-1], name) for name, values in arguments.items()}

    def _query(self, *, filtering: bool) -> dict[str, Any]:
        """Column values of the query string (hidden columns refused when `filtering`)."""
        return self.columns.values(
            self._text_arguments(self.request.query_arguments), from_text=True, filtering=filtering
        )

    def _body(self) -> dict[str, Any]:
        """Column values of the request: a JSON object body, else form and query arguments."""
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() == "application/json":
            try:
                data = json.loads(self.request.body or b"{}")
            except ValueError:
                raise HTTPError(400, "the body is not valid JSON") from None
            if not isinstance(data, dict):
                raise HTTPError(400, "the body must be a JSON object of column values")
            values = self.columns.values(data, from_text=False)
            values.update(self._query(filtering=False))
            return values
        raw = self._text_arguments(self.request.query_arguments)
        raw.update(self._text_arguments(self.request.body_arguments))
        return self.columns.values(raw, from_text=True)

    def _paging(self) -> tuple[int, int]:
        limit = self._bounded("limit", DEFAULT_LIMIT, 1, self.max_limit)
        offset = self._bounded("offset", 0, 0, None)
        return limit, offset

    def _bounded(self, name: str, default: int, low: int, high: int | None) -> int:
        text = self.get_query_argument(name, None)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            upper = f"..{high}" if high is not None else " or more"
            raise HTTPError(400, "%s: expected an integer %d%s, got %r", name, low, upper, text)
        return value

    def _answer(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(payload, default=str))

    async def _run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await self.orm_db.run_accessor_async(self.db_id, func, *args, **kwargs)

    async def _write(self, action: Callable[[str], Any]) -> Any:
        """Run `action(identity)` on one reserved worker and commit; roll back on any error.
        A constraint violation (duplicate key, …) is a 409 that quotes no database message."""
        await self.orm_db.reset_session_async(self.db_id)
        async with self.orm_db.reserve_worker_async(self.db_id) as identity:
            try:
                result = await action(identity)
                await self._run(self.accessor.save, identity=identity)
                if isinstance(result, EntityBaseAddon):
                    await self._run(self.accessor.refresh, result, identity=identity)
            except BaseException as exc:
                with contextlib.suppress(Exception):
                    await self._run(self.accessor.rollback, identity=identity)
                if isinstance(exc, IntegrityError):
                    raise HTTPError(
                        409, "the row conflicts with an existing one or a constraint"
                    ) from None
                raise
        return result

    async def _existing(self, identity: str, keys: dict[str, Any]) -> Any:
        entity = await self._run(self.accessor.load, identity=identity, **keys)
        if entity is None:
            raise HTTPError(404, "no row with %s", json.dumps(keys, default=str))
        return entity

    def _keys(self, values: Mapping[str, Any], action: str) -> dict[str, Any]:
        self.columns.require(values, self.columns.primary_keys, action)
        return {name: values[name] for name in self.columns.primary_keys}

    async def get(self) -> None:
        """The entities whose columns equal the query's filters, in primary key order."""
        raw = self._text_arguments(self.request.query_arguments)
        filters = self.columns.values(
            {k: v for k, v in raw.items() if k not in _PAGING}, from_text=True, filtering=True
        )
        limit, offset = self._paging()
        await self.orm_db.reset_session_async(self.db_id)
        select = self._method(RESTfulMethodType.GET, self.accessor.select)
        entities = await self._run(
            select, order_by=list(self.columns.primary_keys), limit=limit, offset=offset, **filters
        )
        self._answer(
            {
                "entities": [entity.to_client_dict() for entity in entities],
                "limit": limit,
                "offset": offset,
            }
        )

    async def post(self) -> None:
        """Add an entity (201); primary keys the database does not generate are required."""
        values = self._body()
        self.columns.require(values, self.columns.required_on_insert, "POST")
        add = self._method(RESTfulMethodType.POST, self.accessor.add)

        async def action(identity: str) -> Any:
            return await self._run(add, identity=identity, **values)

        entity = await self._write(action)
        self._answer(entity.to_client_dict(), 201)

    async def put(self) -> None:
        """Add or update the entity of the given primary key (201 when added, else 200)."""
        values = self._body()
        keys = self._keys(values, "PUT")
        merge = self._method(RESTfulMethodType.PUT, self.accessor.merge)
        created = False

        async def action(identity: str) -> Any:
            nonlocal created
            created = await self._run(self.accessor.load, identity=identity, **keys) is None
            return await self._run(merge, identity=identity, **values)

        entity = await self._write(action)
        self._answer(entity.to_client_dict(), 201 if created else 200)

    async def patch(self) -> None:
        """Set columns of the entity the primary key names (fixed columns are refused)."""
        values = self._body()
        keys = self._keys(values, "PATCH")
        changes = {k: v for k, v in values.items() if k not in keys}
        if not changes:
            raise HTTPError(400, "PATCH needs at least one column to change")
        set_attribute = self._method(RESTfulMethodType.PATCH, self.accessor.set_attribute)

        async def action(identity: str) -> Any:
            entity = await self._existing(identity, keys)
            await self._run(set_attribute, entity, identity=identity, **changes)
            return entity

        entity = await self._write(action)
        self._answer(entity.to_client_dict())

    async def delete(self) -> None:
        """Delete the entity the primary key names; answers what was deleted."""
        keys = self._keys(self._query(filtering=True), "DELETE")
        delete = self._method(RESTfulMethodType.DELETE, self.accessor.delete)
        deleted: dict[str, Any] = {}

        async def action(identity: str) -> None:
            entity = await self._existing(identity, keys)
            deleted.update(entity.to_client_dict())
            await self._run(delete, entity, identity=identity)

        await self._write(action)
        self._answer(deleted)
