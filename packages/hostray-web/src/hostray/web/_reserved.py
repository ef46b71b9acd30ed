"""Importing a project's reserved packages (`component`, `controller`, `unit_test`) in isolation.

A project's code imports them as top-level packages (`from component import HelloTypes`), so
they live in `sys.modules` under those names with the project directory on `sys.path`. Loading a
project first forgets the previous load: its modules and its `sys.path` entry, so that every load
executes the project's modules afresh. What a load adds to the config validators lives in that
load's `validator_scope()`; the declarative bases its modules declare, in its `declarative_bases`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import EnumMeta
from types import ModuleType
from typing import Any

from .tracebacks import code_frames

__all__ = [
    "RESERVED_PACKAGES",
    "declaring_into",
    "enum_classes",
    "import_reserved",
    "reset_reserved",
]

RESERVED_PACKAGES = ("component", "controller", "unit_test")

_active_roots: list[str] = []

_ORM_BASE = "hostray.orm.base"
"""Where `get_declarative_base` keeps its registry (imported only by projects that declare)."""


def _is_reserved(module_name: str) -> bool:
    return module_name.partition(".")[0] in RESERVED_PACKAGES


def _from_root(module_name: str, module: object, roots: list[str]) -> bool:
    """Whether the module was imported from a project directory as a top-level module."""
    path = getattr(module, "__file__", None)
    if not path:
        return False
    top = module_name.partition(".")[0]
    path = os.path.abspath(path)
    for root in roots:
        for base in (os.path.join(root, top) + os.sep, os.path.join(root, top + ".py")):
            if path == base or path.startswith(base):
                return True
    return False


def reset_reserved() -> None:
    """Forget the previously loaded project: its modules and `sys.path` entry."""
    for name, module in list(sys.modules.items()):
        if _is_reserved(name) or _from_root(name, module, _active_roots):
            del sys.modules[name]
    for root in _active_roots:
        while root in sys.path:
            sys.path.remove(root)
    _active_roots.clear()
    importlib.invalidate_caches()


def _is_package(path: str) -> bool:
    """A package directory, as shipped in source or compiled by `hostray pack` (sourceless .pyc)."""
    return any(os.path.isfile(os.path.join(path, f"__init__.{ext}")) for ext in ("py", "pyc"))


def import_reserved(
    root_dir: str, *, every_frame: bool = False
) -> tuple[dict[str, ModuleType], dict[str, list[str]]]:
    """Put `root_dir` on `sys.path` and import its reserved packages that exist.

    Returns the imported packages by name and, by name of each package that failed to import, its
    problem line followed by the frame lines of `code_frames` (the project's, or all).
    """
    reset_reserved()
    sys.path.insert(0, root_dir)
    _active_roots.append(root_dir)
    packages: dict[str, ModuleType] = {}
    problems: dict[str, list[str]] = {}
    for name in RESERVED_PACKAGES:
        if not _is_package(os.path.join(root_dir, name)):
            continue
        try:
            packages[name] = importlib.import_module(name)
        except Exception as exc:
            problems[name] = [
                f"{os.path.join(root_dir, name, '__init__.py')}: importing reserved package "
                f"{name!r} failed: {type(exc).__name__}: {exc}",
                *code_frames(exc, root_dir, every_frame=every_frame),
            ]
    return packages, problems


def enum_classes(package: ModuleType | None, base: type) -> list[Any]:
    """The `base` subclasses with members that `package` defines, in definition order."""
    if package is None:
        return []
    prefix = package.__name__
    found: list[Any] = []
    for value in vars(package).values():
        if (
            isinstance(value, EnumMeta)
            and issubclass(value, base)
            and value is not base
            and len(getattr(value, "__members__", ())) > 0
            and (value.__module__ == prefix or value.__module__.startswith(prefix + "."))
            and value not in found
        ):
            found.append(value)
    return found


@contextmanager
def declaring_into(bases: dict[str, Any]) -> Iterator[None]:
    """Run the block with `get_declarative_base()` registering into `bases` (one project load's).

    Before `hostray.orm.base` is first imported nothing is declared yet, and projects without
    entities should not pay SQLAlchemy's import: the block then runs as is, and the bases the
    process registry holds afterwards (declared by this load) become the load's.
    """
    base_module = sys.modules.get(_ORM_BASE)
    if base_module is not None:
        with base_module.declarative_scope(bases):
            yield
        return
    yield
    base_module = sys.modules.get(_ORM_BASE)
    if base_module is not None:
        bases.update(base_module.declared_bases())
