"""Importing a project's reserved packages (`component`, `controller`, `unit_test`) in isolation.

A project's code imports them as top-level packages (`from component import HelloTypes`), so
they live in `sys.modules` under those names with the project directory on `sys.path`. Loading the
next project first forgets the previous one: its modules, its `sys.path` entry and whatever it
added to the config validators.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from enum import EnumMeta
from types import ModuleType
from typing import Any

from hostray.config import ConfigBaseElementMeta

from .config_validator import HostrayWebConfigValidator

__all__ = ["RESERVED_PACKAGES", "enum_classes", "import_reserved", "reset_reserved"]

RESERVED_PACKAGES = ("component", "controller", "unit_test")

_active_roots: list[str] = []


def _validator_tree(root: ConfigBaseElementMeta) -> Iterator[ConfigBaseElementMeta]:
    yield root
    for child in root.cls_parameters.values():
        yield from _validator_tree(child)


def _snapshot(root: ConfigBaseElementMeta) -> list[tuple[ConfigBaseElementMeta, dict[str, Any]]]:
    """Each validator class of the tree with a copy of its children, to undo what a project adds."""
    return [(node, dict(node.cls_parameters)) for node in _validator_tree(root)]


_PRISTINE = _snapshot(HostrayWebConfigValidator)


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
    """Forget the previously loaded project: its modules, `sys.path` entry and validators."""
    for node, children in _PRISTINE:
        node.remove_cls_parameters(*(n for n in node.cls_parameters if n not in children))
        node.set_cls_parameters(*children.values())
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


def import_reserved(root_dir: str) -> tuple[dict[str, ModuleType], list[str]]:
    """Put `root_dir` on `sys.path` and import its reserved packages that exist.

    Returns the imported packages by name and one problem line per package that failed to import.
    """
    reset_reserved()
    sys.path.insert(0, root_dir)
    _active_roots.append(root_dir)
    packages: dict[str, ModuleType] = {}
    problems: list[str] = []
    for name in RESERVED_PACKAGES:
        if not _is_package(os.path.join(root_dir, name)):
            continue
        try:
            packages[name] = importlib.import_module(name)
        except Exception as exc:
            problems.append(
                f"{os.path.join(root_dir, name, '__init__.py')}: importing reserved package "
                f"{name!r} failed: {type(exc).__name__}: {exc}"
            )
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
