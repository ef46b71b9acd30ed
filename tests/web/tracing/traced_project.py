"""A traced project: `/work` counts rows of a SQLite table through `orm_db`, calls an upstream
through `services` (awaited on the loop, and blocking from a worker pool thread) and logs (JSON
lines) in the handler and in a worker pool thread."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_traced_project"]

CONFIG = """\
name: traced
tracing:
{tracing}
component:
    logger:
        dir: logs
        format: json
    orm_db:
        db:
            module: sqlite
            file_name: traced.db
    services:
        {upstream}:
            /seen:
                name: upstream
                get:
    store:
controller:
    /work:
        enum: work
    /components_info:
        enum: components_info
"""

FILES = {
    "component/__init__.py": """\
        from hostray.web.component import ComponentTypes


        class TracedComponentTypes(ComponentTypes):
            Store = ("store", "store", "StoreComponent")
        """,
    "component/store.py": """\
        from sqlalchemy import Column, Integer, String

        from hostray.util.orm import EntityBaseAddon, OrmDBEntityAccessor, get_declarative_base
        from hostray.web.component import Component, OptionalComponentTypes

        DeclarativeBase = get_declarative_base()


        class ItemEntity(DeclarativeBase, EntityBaseAddon):
            __tablename__ = "traced_items"
            id = Column(Integer, primary_key=True)
            name = Column(String(40), nullable=False)


        class StoreComponent(Component):
            def init(self, component_manager, **kwargs):
                self.orm = component_manager.get_component(OptionalComponentTypes.OrmDB)
                self.orm.init_db_declarative_base("db", DeclarativeBase)
                self.items = OrmDBEntityAccessor(ItemEntity)

            async def count(self):
                return len(await self.orm.run_accessor_async("db", self.items.select))
        """,
    "controller/__init__.py": """\
        from hostray.web.controller import ControllerType


        class TracedControllerTypes(ControllerType):
            Work = ("work", "work", "WorkController")
        """,
    "controller/work.py": """\
        from component import TracedComponentTypes
        from hostray.web.component import DefaultComponentTypes, OptionalComponentTypes
        from hostray.web.controller import RequestController


        class WorkController(RequestController):
            async def get(self):
                manager = self.component_manager
                log = manager.get_component(DefaultComponentTypes.Logger).get_logger("traced")
                log.info("in handler")
                pools = manager.get_component(DefaultComponentTypes.WorkerPool)
                await pools.run_method_async(log.info, "in worker")
                count = await manager.get_component(TracedComponentTypes.Store).count()
                services = manager.get_component(OptionalComponentTypes.Service)
                upstream = await services.invoke_async("upstream", "get")
                blocking = await pools.run_method_async(services.invoke, "upstream", "get")
                statuses = [upstream.status_code, blocking.status_code]
                self.write({"count": count, "upstream": statuses})
        """,
}


def write_traced_project(root: Path, upstream: str, tracing: Mapping[str, object]) -> Path:
    """Write the project under `root`: its services call `upstream`, `tracing` is its block
    (key → value, written as YAML scalars; empty: `tracing:` with nothing under it)."""
    root.mkdir(parents=True, exist_ok=True)
    block = "\n".join(f"    {key}: {value}" for key, value in tracing.items())
    (root / "server_config.yaml").write_text(
        CONFIG.format(tracing=block, upstream=upstream), encoding="utf-8"
    )
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
