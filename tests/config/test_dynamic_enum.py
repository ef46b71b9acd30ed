"""DynamicClassEnum: shape checked at definition, classes imported relative then absolute."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostray.config import ConfigError, DynamicClassEnum


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A temporary import root on sys.path; modules imported from it are forgotten afterwards."""
    root = tmp_path / "root"
    root.mkdir()
    sys.path.insert(0, str(root))
    before = set(sys.modules)
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in set(sys.modules) - before:
            del sys.modules[name]
        importlib.invalidate_caches()


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_relative_module_is_imported_from_the_enum_package(project: Path) -> None:
    write(
        project,
        "tmpcomp_a/__init__.py",
        """
        from hostray.config import DynamicClassEnum

        class HelloTypes(DynamicClassEnum):
            Hello = ('hello', 'hello', 'HelloComponent')
        """,
    )
    write(project, "tmpcomp_a/hello.py", "class HelloComponent:\n    pass\n")
    package = importlib.import_module("tmpcomp_a")
    member = package.HelloTypes.Hello
    cls = member.import_class()
    assert cls.__module__ == "tmpcomp_a.hello"
    assert cls.__name__ == "HelloComponent"
    assert member.key == "hello"


def test_enum_in_a_submodule_resolves_against_its_package(project: Path) -> None:
    write(project, "tmpcomp_b/__init__.py", "")
    write(
        project,
        "tmpcomp_b/types.py",
        """
        from hostray.config import DynamicClassEnum

        class Types(DynamicClassEnum):
            Impl = ('impl', 'impl', 'Impl')
        """,
    )
    write(project, "tmpcomp_b/impl.py", "class Impl:\n    pass\n")
    types = importlib.import_module("tmpcomp_b.types")
    assert types.Types.Impl.import_class().__module__ == "tmpcomp_b.impl"


def test_relative_module_missing_falls_back_to_absolute_import(project: Path) -> None:
    write(
        project,
        "tmpcomp_c/__init__.py",
        """
        from hostray.config import DynamicClassEnum

        class Types(DynamicClassEnum):
            Decoder = ('decoder', 'json.decoder', 'JSONDecoder')
            Dumps = ('dumps', 'json', 'dumps')
        """,
    )
    package = importlib.import_module("tmpcomp_c")
    import json
    import json.decoder

    assert package.Types.Decoder.import_class() is json.decoder.JSONDecoder
    assert package.Types.Dumps.import_function() is json.dumps


def test_error_inside_the_relative_module_is_reported_not_masked(project: Path) -> None:
    write(
        project,
        "tmpcomp_d/__init__.py",
        """
        from hostray.config import DynamicClassEnum

        class Types(DynamicClassEnum):
            Broken = ('broken', 'broken', 'Broken')
        """,
    )
    write(project, "tmpcomp_d/broken.py", "import tmp_no_such_dependency_xyz\n")
    package = importlib.import_module("tmpcomp_d")
    with pytest.raises(ConfigError) as info:
        package.Types.Broken.import_class()
    message = str(info.value)
    assert message.startswith("Types.Broken:")
    assert "tmp_no_such_dependency_xyz" in message


def test_import_class_checks_subclass(project: Path) -> None:
    write(
        project,
        "tmpcomp_e/__init__.py",
        """
        from hostray.config import DynamicClassEnum

        class Base:
            pass

        class Types(DynamicClassEnum):
            Good = ('good', 'impl', 'Good')
            Bad = ('bad', 'impl', 'Bad')
            Func = ('func', 'impl', 'func')
        """,
    )
    write(
        project,
        "tmpcomp_e/impl.py",
        """
        from tmpcomp_e import Base

        class Good(Base):
            pass

        class Bad:
            pass

        def func():
            return 42
        """,
    )
    package = importlib.import_module("tmpcomp_e")
    assert issubclass(package.Types.Good.import_class(package.Base), package.Base)
    with pytest.raises(ConfigError, match=r"^Types\.Bad: impl\.Bad is not a subclass of Base$"):
        package.Types.Bad.import_class(package.Base)
    with pytest.raises(ConfigError, match=r"^Types\.Func: impl\.func is not a class$"):
        package.Types.Func.import_class()
    assert package.Types.Func.import_function()() == 42


def test_missing_module_and_missing_attribute_name_the_member(project: Path) -> None:
    write(
        project,
        "tmpcomp_f/__init__.py",
        """
        from hostray.config import DynamicClassEnum

        class Types(DynamicClassEnum):
            NoModule = ('nomod', 'tmp_absent_module_xyz', 'X')
            NoAttr = ('noattr', 'impl', 'Missing')
        """,
    )
    write(project, "tmpcomp_f/impl.py", "")
    package = importlib.import_module("tmpcomp_f")
    with pytest.raises(ConfigError) as info:
        package.Types.NoModule.import_class()
    assert str(info.value) == (
        "Types.NoModule: no module 'tmpcomp_f.tmp_absent_module_xyz' nor 'tmp_absent_module_xyz'"
    )
    with pytest.raises(ConfigError) as info:
        package.Types.NoAttr.import_class()
    assert str(info.value) == "Types.NoAttr: module 'tmpcomp_f.impl' has no attribute 'Missing'"


def test_wrong_member_shape_is_rejected_at_definition_naming_each_member() -> None:
    with pytest.raises(ConfigError) as info:

        class Broken(DynamicClassEnum):
            Short = ("a", "b")
            Text = "abc"
            Empty = ("k", "", "C")
            Number = ("n", "m", 3)
            Fine = ("f", "m", "C")

    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "Broken.Short",
        "Broken.Text",
        "Broken.Empty",
        "Broken.Number",
    ]
    assert "('a', 'b')" in problems[0]


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"Dup\.B: key 'k' is already used by Dup\.A"):

        class Dup(DynamicClassEnum):
            A = ("k", "m", "A")
            B = ("k", "m", "B")


def test_subclass_of_an_empty_base_and_by_key() -> None:
    class Kinds(DynamicClassEnum):
        pass

    class Mine(Kinds):
        One = ("one", "json", "dumps")
        Two = ("two", "json", "loads")

    assert Mine.by_key("two") is Mine.Two
    assert Mine.by_key("three") is None
    assert isinstance(Mine.One, Kinds)
    assert (Mine.One.key, Mine.One.module_name, Mine.One.class_name) == ("one", "json", "dumps")
