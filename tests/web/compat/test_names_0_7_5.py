"""Names 0.7.5's public modules exported beyond its documentation, and how they behave."""

from __future__ import annotations

import asyncio
import json
import logging
import typing
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Integer, String

from hostray.util import (
    GB,
    KB,
    MB,
    TB,
    BaseLocal,
    HierarchyElementMeta,
    Localization,
    LocalizedMessageException,
    LocalizedMessageWarning,
    asynccontextmanager,
    setting_loggers,
)
from hostray.util.orm import (
    DB_MODULE_NAME,
    DeclarativeMeta,
    Entity,
    EntityBaseAddon,
    OrmDBEntityAccessor,
    get_declarative_base,
    get_session_maker,
)
from hostray.web.component import (
    Component,
    ComponentManager,
    ComponentTypes,
    DefaultComponentTypes,
    OptionalComponentTypes,
)
from hostray.web.controller import DefaultControllerType, RESTfulMethodType


def test_enum_members_have_0_7_5_attribute_names() -> None:
    member = DefaultComponentTypes.Localization
    assert member.enum_key == "localization"
    assert member.enum_module_name == "default_component"
    assert member.enum_object_type_name == "LocalizationComponent"
    assert DefaultControllerType.Frontend.enum_object_type_name == "StaticFileHandler"


def test_enum_look_up_by_key() -> None:
    assert DefaultComponentTypes("localization") is DefaultComponentTypes.Localization
    assert OptionalComponentTypes("orm_db") is OptionalComponentTypes.OrmDB
    assert DefaultComponentTypes(DefaultComponentTypes.Logger.value) is (
        DefaultComponentTypes.Logger
    )
    with pytest.raises(ValueError, match="'nope' is not a valid DefaultComponentTypes"):
        DefaultComponentTypes("nope")


def test_size_constants() -> None:
    assert (KB, MB, GB, TB) == (1024, 1024**2, 1024**3, 1024**4)


def test_localized_exceptions_read_base_local(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("code,en,tw\n9001,column {} is wrong,欄位 {} 錯誤\n")
    BaseLocal.import_csv([tmp_path / "mine.csv"])
    error = LocalizedMessageException(9001, "age")
    assert str(error) == "column age is wrong"
    assert (error.code, error.code_args) == (9001, ("age",))
    warning = LocalizedMessageWarning(9001, "name")
    assert isinstance(warning, LocalizedMessageException)
    assert str(warning) == "column name is wrong"
    assert str(LocalizedMessageException(987654, "x")) == "987654 (x)"  # unknown code: no raise
    assert BaseLocal.has_message(100)  # hostray's own catalogue is loaded


def test_import_csvs_from_directory(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("code,en,tw\n1,one,一\n")
    (tmp_path / "b.csv").write_text("code,en,tw\n2,two {},二 {}\n")
    (tmp_path / "notes.txt").write_text("not a catalogue")
    local = Localization("tw")
    local.import_csvs_from_directory(str(tmp_path))
    assert (local.get_message(1), local.get_message(2, "x")) == ("一", "二 x")
    assert len(local.get_info()["files_loaded"]) == 2
    with pytest.raises(ValueError, match="not a directory"):
        local.import_csvs_from_directory(str(tmp_path / "a.csv"))


def test_hierarchy_element_meta() -> None:
    class Leaf(metaclass=HierarchyElementMeta):
        pass

    class Branch(metaclass=HierarchyElementMeta):
        pass

    class Root(metaclass=HierarchyElementMeta):
        pass

    Branch.set_cls_parameters(Leaf)
    Root.set_cls_parameters(Branch)
    assert Root.get_cls_parameter("Branch") is Branch
    assert Root.get_cls_parameter("Branch.Leaf") is Leaf
    assert Root.get_cls_parameter("Branch/Leaf", delimeter="/") is Leaf
    with pytest.raises(KeyError, match="Root has no child class 'Trunk'"):
        Root.get_cls_parameter("Trunk")
    with pytest.raises(KeyError, match="Leaf has no child classes"):
        Root.get_cls_parameter("Branch.Leaf.Twig")
    with pytest.raises(TypeError, match="HierarchyElementMeta"):
        Root.set_cls_parameters(int)


async def test_asynccontextmanager() -> None:
    steps: list[str] = []

    @asynccontextmanager
    async def opened(name: str) -> AsyncIterator[str]:
        steps.append("open")
        try:
            yield name
        finally:
            steps.append("close")

    async with opened("x") as value:
        assert value == "x"
    with pytest.raises(KeyError):
        async with opened("y"):
            raise KeyError("inside")
    assert steps == ["open", "close", "open", "close"]


def test_restful_method_type() -> None:
    assert [m.value for m in RESTfulMethodType] == [
        "GET",
        "POST",
        "PATCH",
        "PUT",
        "DELETE",
        "OPTIONS",
    ]
    assert RESTfulMethodType.OPTION.value == "OPTIONS"  # the HTTP method's real name


class _Types(ComponentTypes):
    Probe = ("probe", "probe", "Probe")


def test_dispose_components_awaits_every_dispose() -> None:
    disposed: list[str] = []

    class Probe(Component):
        async def dispose(self, component_manager: ComponentManager) -> None:
            await asyncio.sleep(0)
            disposed.append(self.component_type.key)

    manager = ComponentManager()
    manager.set_component(Probe(_Types.Probe))
    asyncio.run(manager.dispose_components())
    assert disposed == ["probe"]


class _Converter:
    """A 0.7.5-style converter: only dt_to_str."""

    def dt_to_str(self, dt: datetime) -> str:
        return dt.strftime("%d/%m/%Y")


def test_entity_str_identity_dt_converter_and_type_names() -> None:
    base = get_declarative_base(f"compat-names-{uuid.uuid4().hex}")
    assert isinstance(base, DeclarativeMeta)

    class Visit(base, EntityBaseAddon):  # type: ignore[misc,valid-type]
        __tablename__ = "visit"
        id = Column(Integer, primary_key=True)
        room = Column(String(10), primary_key=True)
        at = Column(DateTime)
        dt_converter = _Converter()

    assert typing.get_args(Entity) == (DeclarativeMeta, EntityBaseAddon)
    sess = get_session_maker(DB_MODULE_NAME.SQLITE_MEMORY, base)()
    try:
        accessor = OrmDBEntityAccessor(Visit)
        visit = accessor.add(sess, id=7, room="b2", at=datetime(2019, 12, 17, 12, 2, 58))
        accessor.save(sess)
        assert json.loads(visit.str_identity) == ["7", "b2"]
        assert visit.to_dict()["at"] == "17/12/2019"
    finally:
        sess.close()


def test_setting_loggers(tmp_path: Path) -> None:
    names = [f"compat.setting.{n}" for n in range(2)]
    setting_loggers(names, str(tmp_path), "a", "utf-8", True)
    for name in names:
        logger = logging.getLogger(name)
        logger.error("to file")
        assert "to file" in (tmp_path / f"{name}.log").read_text()
    setting_loggers(names, str(tmp_path))  # log_to_resource False: the files are closed
    assert all(logging.getLogger(n).log_file is None for n in names)  # type: ignore[attr-defined]
