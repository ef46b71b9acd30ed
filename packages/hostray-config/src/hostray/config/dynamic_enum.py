"""Enums whose members name a class to import: ``Member = (key, module, class_name)``.

The shape of every member is checked when the enum class is defined; the class itself is imported
only when asked for, relative to the package the enum is defined in, then absolutely.
"""

from __future__ import annotations

import importlib
import sys
from enum import Enum, EnumMeta
from types import ModuleType
from typing import Any, TypeVar

from .errors import ConfigError

__all__ = ["DynamicClassEnum", "DynamicClassEnumMeta"]

_E = TypeVar("_E", bound="DynamicClassEnum")


def _names_missing(exc: ModuleNotFoundError, dotted: str) -> bool:
    """Whether ``exc`` says that ``dotted`` itself (or one of its parents) does not exist."""
    return exc.name is not None and (dotted == exc.name or dotted.startswith(exc.name + "."))


class DynamicClassEnumMeta(EnumMeta):
    """Checks each member's ``(key, module, class_name)`` shape and that keys are unique."""

    def __new__(
        mcs, cls_name: str, bases: tuple[type, ...], classdict: Any, **kwargs: Any
    ) -> DynamicClassEnumMeta:
        enum_class = super().__new__(mcs, cls_name, bases, classdict, **kwargs)
        problems: list[str] = []
        seen: dict[str, str] = {}
        members: dict[str, Any] = dict(enum_class.__members__)
        for name, member in members.items():
            value = member.value
            if not (
                isinstance(value, tuple)
                and len(value) == 3
                and all(isinstance(part, str) and part for part in value)
            ):
                problems.append(
                    f"{cls_name}.{name}: expected a (key, module, class_name) tuple of three "
                    f"non-empty strings, got {value!r}"
                )
                continue
            if member.name != name:
                continue  # an alias of an identical member
            key = value[0]
            if key in seen:
                problems.append(f"{cls_name}.{name}: key {key!r} is already used by {seen[key]}")
            else:
                seen[key] = f"{cls_name}.{name}"
        if problems:
            raise ConfigError(*problems)
        return enum_class


class DynamicClassEnum(Enum, metaclass=DynamicClassEnumMeta):
    """Base of component, controller and unit-test enums: each member names a class to import."""

    @property
    def key(self) -> str:
        """The member's configuration key, e.g. ``'localization'``."""
        return str(self.value[0])

    @property
    def module_name(self) -> str:
        """The module holding the class, relative to the enum's package or absolute."""
        return str(self.value[1])

    @property
    def class_name(self) -> str:
        """The attribute name of the class (or function) in that module."""
        return str(self.value[2])

    @property
    def enum_key(self) -> str:
        """0.7.5's name of `key`."""
        return self.key

    @property
    def enum_module_name(self) -> str:
        """0.7.5's name of `module_name`."""
        return self.module_name

    @property
    def enum_object_type_name(self) -> str:
        """0.7.5's name of `class_name`."""
        return self.class_name

    @classmethod
    def _missing_(cls, value: object) -> Any:
        """`EnumClass('localization')`: look a member up by its key, as 0.7.5 did."""
        return cls.by_key(value) if isinstance(value, str) else None

    @classmethod
    def by_key(cls: type[_E], key: str) -> _E | None:
        """The member whose key is ``key``, or ``None``."""
        for member in cls:
            if member.key == key:
                return member
        return None

    def import_class(self, cls_type: type | None = None) -> type:
        """Import the member's class; with ``cls_type``, check that it is a subclass of it."""
        obj = self._import_attribute()
        if not isinstance(obj, type):
            raise ConfigError(f"{self._label()}: {self._where()} is not a class")
        if cls_type is not None and not issubclass(obj, cls_type):
            raise ConfigError(
                f"{self._label()}: {self._where()} is not a subclass of {cls_type.__qualname__}"
            )
        return obj

    def import_function(self) -> Any:
        """Import the member's function (any callable)."""
        obj = self._import_attribute()
        if not callable(obj):
            raise ConfigError(f"{self._label()}: {self._where()} is not callable")
        return obj

    def _label(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    def _where(self) -> str:
        return f"{self.module_name}.{self.class_name}"

    def _package(self) -> str:
        """The package the enum class is defined in ('' at top level)."""
        module_name = type(self).__module__
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, "__path__"):
            return module_name
        return module_name.rpartition(".")[0]

    def _import_module(self) -> ModuleType:
        package = self._package()
        if package:
            relative = f"{package}.{self.module_name}"
            try:
                return importlib.import_module(relative)
            except ModuleNotFoundError as exc:
                # Only a missing relative module falls back; an import error inside it is real.
                if not _names_missing(exc, relative):
                    raise ConfigError(
                        f"{self._label()}: importing module {relative!r} failed: {exc}"
                    ) from exc
            except Exception as exc:
                raise ConfigError(
                    f"{self._label()}: importing module {relative!r} failed: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        try:
            return importlib.import_module(self.module_name)
        except ModuleNotFoundError as exc:
            if _names_missing(exc, self.module_name):
                tried = f"{package}.{self.module_name}' nor '" if package else ""
                raise ConfigError(
                    f"{self._label()}: no module '{tried}{self.module_name}'"
                ) from exc
            raise ConfigError(
                f"{self._label()}: importing module {self.module_name!r} failed: {exc}"
            ) from exc
        except Exception as exc:
            raise ConfigError(
                f"{self._label()}: importing module {self.module_name!r} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _import_attribute(self) -> Any:
        module = self._import_module()
        try:
            return getattr(module, self.class_name)
        except AttributeError:
            raise ConfigError(
                f"{self._label()}: module {module.__name__!r} has no attribute {self.class_name!r}"
            ) from None
