"""A project written the way the seed teaches: `DeclarativeBase = get_declarative_base()` in
`component/entities.py`, two entities on it, a component that hands the base to `orm_db`, and a
`/notes` route that adds a note with a tag and counts both tables."""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = ["write_notes_project"]

FILES = {
    "server_config.yaml": """\
        name: notes
        component:
            orm_db:
                db:
                    module: sqlite
                    file_name: notes.db
            notes_store:
        controller:
            /notes:
                enum: notes
        """,
    "component/__init__.py": """\
        from hostray.web.component import ComponentTypes


        class NotesComponentTypes(ComponentTypes):
            Store = ("notes_store", "store", "NotesStoreComponent")
        """,
    "component/entities.py": """\
        from sqlalchemy import Column, Integer, String

        from hostray.util.orm import EntityBaseAddon, get_declarative_base

        DeclarativeBase = get_declarative_base()


        class NoteEntity(DeclarativeBase, EntityBaseAddon):
            __tablename__ = "ru_notes"
            id = Column(Integer, primary_key=True)
            text = Column(String(200), nullable=False)


        class TagEntity(DeclarativeBase, EntityBaseAddon):
            __tablename__ = "ru_tags"
            id = Column(Integer, primary_key=True)
            note_id = Column(Integer, nullable=False)
            name = Column(String(40), nullable=False)
        """,
    "component/store.py": """\
        from hostray.util.orm import OrmDBEntityAccessor, get_declarative_base
        from hostray.web.component import Component, OptionalComponentTypes

        from .entities import DeclarativeBase, NoteEntity, TagEntity


        class NotesStoreComponent(Component):
            def init(self, component_manager, **kwargs):
                assert get_declarative_base() is DeclarativeBase  # the load's own base
                self.orm = component_manager.get_component(OptionalComponentTypes.OrmDB)
                self.orm.init_db_declarative_base("db", DeclarativeBase)
                self.notes = OrmDBEntityAccessor(NoteEntity)
                self.tags = OrmDBEntityAccessor(TagEntity)

            async def add(self, text, tag):
                async with self.orm.reserve_worker_async("db") as identity:
                    note = await self.orm.run_accessor_async(
                        "db", self.notes.add, identity=identity, text=text
                    )
                    await self.orm.run_accessor_async("db", self.notes.save, identity=identity)
                    await self.orm.run_accessor_async(
                        "db", self.tags.add, identity=identity, note_id=note.id, name=tag
                    )
                    await self.orm.run_accessor_async("db", self.tags.save, identity=identity)

            async def counts(self):
                notes = await self.orm.run_accessor_async("db", self.notes.select)
                tags = await self.orm.run_accessor_async("db", self.tags.select)
                return {"notes": len(notes), "tags": len(tags)}
        """,
    "controller/__init__.py": """\
        from hostray.web.controller import ControllerType


        class NotesControllerTypes(ControllerType):
            Notes = ("notes", "notes", "NotesController")
        """,
    "controller/notes.py": """\
        from component import NotesComponentTypes
        from hostray.web.controller import RequestController


        class NotesController(RequestController):
            async def get(self):
                store = self.component_manager.get_component(NotesComponentTypes.Store)
                self.write(await store.counts())

            async def post(self):
                store = self.component_manager.get_component(NotesComponentTypes.Store)
                await store.add(self.get_argument("text"), self.get_argument("tag"))
                self.write(await store.counts())
        """,
}


def write_notes_project(root: Path, extra: dict[str, str] | None = None) -> Path:
    """Write the notes project (and `extra` files: relative path → source) under `root`."""
    for relative, text in {**FILES, **(extra or {})}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
