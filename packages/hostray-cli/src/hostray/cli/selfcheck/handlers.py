"""The controllers of the self-check project: each one reaches components the way users' do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Column, Integer, String

from hostray.orm import EntityBaseAddon, OrmDBEntityAccessor, get_declarative_base
from hostray.web.component import OptionalComponentTypes
from hostray.web.controller import RequestController, WebSocketController

if TYPE_CHECKING:
    from hostray.web.component import ComponentManager
    from hostray.web.component.optional_component import MemoryCacheComponent, OrmDBComponent

__all__ = [
    "SELFCHECK_BASE",
    "EchoSocketController",
    "GreetingController",
    "PersonAccessor",
    "PersonController",
    "RelayController",
    "SelfCheckPerson",
    "SessionController",
    "orm_db_of",
]

SELFCHECK_BASE: Any = get_declarative_base("hostray_selfcheck")


def orm_db_of(manager: ComponentManager) -> OrmDBComponent:
    """The self-check project's `orm_db` component (its config always loads it)."""
    orm = manager.get_component(OptionalComponentTypes.OrmDB)
    if orm is None:
        raise LookupError("the self-check project has no orm_db component")
    return orm


def _memory_cache_of(manager: ComponentManager) -> MemoryCacheComponent:
    cache = manager.get_component(OptionalComponentTypes.MemoryCache)
    if cache is None:
        raise LookupError("the self-check project has no memory_cache component")
    return cache


class SelfCheckPerson(SELFCHECK_BASE, EntityBaseAddon):  # type: ignore[misc]  # a dynamic base
    """A row of the self-check's in-memory database."""

    __tablename__ = "selfcheck_person"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)
    age = Column(Integer, nullable=False)
    secret = Column(String(40))

    column_fix: ClassVar[list[str]] = ["name"]
    client_excluded_columns: ClassVar[list[str]] = ["secret"]


class PersonAccessor(OrmDBEntityAccessor[SelfCheckPerson]):
    """Accessor of `SelfCheckPerson`."""

    def __init__(self) -> None:
        super().__init__(SelfCheckPerson)


_ACCESSOR = PersonAccessor()


class GreetingController(RequestController):
    """`GET ?name=`: a localized message, formatted on a worker pool thread."""

    async def get(self) -> None:
        name = self.get_query_argument("name", "hostray")
        template = self.get_localized_message(10001)
        message = await self.run_method_async(template.format, name)
        self.write({"message": message, "code_10000": self.get_localized_message(10000)})


class PersonController(RequestController):
    """`POST name, age, secret` adds a person; `GET ?id=` reads one (without the secret)."""

    def initialize(self, db_id: str) -> None:
        self.db_id = db_id

    async def post(self) -> None:
        orm = orm_db_of(self.component_manager)
        fields = {
            "name": self.get_body_argument("name"),
            "age": int(self.get_body_argument("age")),
            "secret": self.get_body_argument("secret", None),
        }
        async with orm.reserve_worker_async(self.db_id) as identity:
            entity = await orm.run_accessor_async(
                self.db_id, _ACCESSOR.add, identity=identity, **fields
            )
            await orm.run_accessor_async(self.db_id, _ACCESSOR.save, identity=identity)
            await orm.run_accessor_async(self.db_id, _ACCESSOR.refresh, entity, identity=identity)
            self.write(entity.to_client_dict())

    async def get(self) -> None:
        orm = orm_db_of(self.component_manager)
        person_id = int(self.get_query_argument("id"))
        entity = await orm.run_accessor_async(self.db_id, _ACCESSOR.load, id=person_id)
        if entity is None:
            self.set_status(404)
            self.write({"error": f"no person {person_id}"})
            return
        self.write(entity.to_client_dict())


class SessionController(RequestController):
    """`GET ?sid=`: counts visits in the `memory_cache` session `sid` (a new one without)."""

    async def get(self) -> None:
        cache = _memory_cache_of(self.component_manager)
        session, session_id = await cache.get_async(self.get_query_argument("sid", ""))
        session["visits"] = int(session.get("visits", 0)) + 1
        await cache.save_session_async(session_id, session)
        self.write({"sid": session_id, "visits": session["visits"]})


class RelayController(RequestController):
    """`GET`: asks this very server's `/alive` through the `services` component."""

    async def get(self) -> None:
        response = await self.invoke_service_async("alive")
        self.write({"status": response.status_code, "body": response.content.decode()})


class EchoSocketController(WebSocketController):
    """A websocket that sends every message back."""

    def on_message(self, message: str | bytes) -> None:
        self.write_message(message, binary=isinstance(message, bytes))
