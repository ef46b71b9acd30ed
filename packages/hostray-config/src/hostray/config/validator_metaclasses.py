"""The seed's config validator metaclasses: each validator is a class describing one config block.

``ConfigContainerMeta('hello', False, ConfigElementMeta('p1', str, True))`` is a class; calling it
with a dict validates the dict and returns an object whose ``parameter`` is the validated dict
(defaults filled in), or raises one ``ConfigError`` listing every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

from .errors import ConfigError
from .parameter_types import check_value, describe_type, is_parameter_type, short_repr
from .validation_walk import validate
from .validator_node import UNSET, ConfigElementType

__all__ = [
    "ConfigBaseElementMeta",
    "ConfigContainerMeta",
    "ConfigElementMeta",
    "ConfigParameters",
    "ConfigScalableContainerMeta",
    "ConfigScalableElementMeta",
    "ConfigSwitchableElementMeta",
    "validator_scope",
]

_ScopeChildren = dict["ConfigBaseElementMeta", dict[str, "ConfigBaseElementMeta"]]
_scope: ContextVar[_ScopeChildren | None] = ContextVar("hostray_validator_scope", default=None)


@contextmanager
def validator_scope() -> Iterator[None]:
    """Within the block, validators' children are a copy: what `set_cls_parameters` and
    `remove_cls_parameters` change there (a project load extending the schema) ends with it."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


class ConfigParameters:
    """What calling a validator class returns: the validated data and a route lookup."""

    parameter: Any

    def get_parameter(self, key_routes: str, delimeter: str = ".") -> Any:
        """The value at ``key_routes`` (``'component.orm_db'``); a missing one is a ConfigError."""
        current = self.parameter
        if key_routes == "":
            return current
        for key in key_routes.split(delimeter):
            if not isinstance(current, Mapping) or key not in current:
                raise ConfigError(f"{key_routes}: no such parameter ({key!r} is not set)")
            current = current[key]
        return current


class ConfigBaseElementMeta(type):
    """Base metaclass of the validators: a schema node with child nodes and a validating call."""

    element_kind: str
    parameter_type: Any
    key_type: Any
    required: bool
    default: Any
    choices: tuple[Any, ...] | None
    _cls_parameters: dict[str, ConfigBaseElementMeta]

    @classmethod
    def _build(
        mcs,
        name: str,
        *,
        kind: str,
        parameter_type: Any,
        required: bool,
        parameters: Iterable[Any] = (),
    ) -> Any:
        if not isinstance(name, str):
            raise TypeError(f"validator name must be a str, got {short_repr(name)}")
        if not is_parameter_type(parameter_type):
            raise TypeError(
                f"{name}: parameter_type must be a type, a tuple of types or a callable"
            )
        if not isinstance(required, bool):
            raise TypeError(f"{name}: required must be a bool, got {short_repr(required)}")
        cls: Any = type.__new__(mcs, name, (ConfigParameters,), {"__module__": __name__})
        cls.element_kind = kind
        cls.parameter_type = parameter_type
        cls.key_type = parameter_type
        cls.required = required
        cls.default = UNSET
        cls.choices = None
        cls._cls_parameters = {}
        cls._add_children(cls._cls_parameters, parameters)
        return cls

    def __init__(cls, *args: Any, **kwargs: Any) -> None:
        """Everything is set up in ``__new__``; the arguments differ from ``type``'s."""

    def __call__(cls, config: Any, route: str = "") -> Any:
        """Validate ``config``: the validated parameters, or a ConfigError with every problem."""
        parameter, problems = validate(cls, config, route)
        if problems:
            raise ConfigError(*problems)
        obj: ConfigParameters = object.__new__(cls)  # type: ignore[arg-type]
        obj.parameter = parameter
        return obj

    def __repr__(cls) -> str:
        required = "required" if cls.required else "optional"
        kind = describe_type(cls.parameter_type)
        return f"<{type(cls).__name__} {cls.__name__!r} {kind} {required}>"

    @property
    def cls_parameters(cls) -> Mapping[str, ConfigBaseElementMeta]:
        """The child validators by name (read-only view; change them with set_cls_parameters)."""
        return MappingProxyType(cls._children())

    def _children(cls) -> dict[str, ConfigBaseElementMeta]:
        """The children as seen here: the validator scope's copy, if one is active and changed."""
        scope = _scope.get()
        if scope is not None and cls in scope:
            return scope[cls]
        return cls._cls_parameters

    def _writable_children(cls) -> dict[str, ConfigBaseElementMeta]:
        """The children to change: the class's own, or inside a validator scope its copy there."""
        scope = _scope.get()
        if scope is None:
            return cls._cls_parameters
        if cls not in scope:
            scope[cls] = dict(cls._cls_parameters)
        return scope[cls]

    def set_cls_parameters(cls, *cls_parameters: ConfigBaseElementMeta) -> None:
        """Add child validators; one with the name of an existing child replaces it.

        Inside `validator_scope()` the change lasts only as long as the scope."""
        cls._add_children(cls._writable_children(), cls_parameters)

    def _add_children(
        cls, children: dict[str, ConfigBaseElementMeta], cls_parameters: Iterable[Any]
    ) -> None:
        if cls.element_kind in (ConfigElementType.Element, ConfigElementType.ScalableElement):
            if cls_parameters:
                raise TypeError(f"{cls.__name__}: an element takes no sub-parameters")
            return
        for parameter in cls_parameters:
            if not isinstance(parameter, ConfigBaseElementMeta):
                raise TypeError(
                    f"{cls.__name__}: sub-parameters must be validator classes, "
                    f"got {short_repr(parameter)}"
                )
            if cls.element_kind == ConfigElementType.SwitchableElement and not isinstance(
                parameter, ConfigContainerMeta
            ):
                raise TypeError(
                    f"{cls.__name__}: the choices of a switchable element must be "
                    f"ConfigContainerMeta classes, got {parameter!r}"
                )
            children[parameter.__name__] = parameter

    def remove_cls_parameters(cls, *names: str) -> None:
        """Remove the child validators called ``names`` (names not present are skipped), e.g. to
        undo what a project added with set_cls_parameters."""
        children = cls._writable_children()
        for name in names:
            children.pop(name, None)

    def get_cls_parameter(cls, key_routes: str, delimeter: str = ".") -> ConfigBaseElementMeta:
        """The child validator at ``key_routes`` (``'orm_db.ConfigScalableContainerMeta'``)."""
        current: ConfigBaseElementMeta = cls
        for key in key_routes.split(delimeter):
            child = current._children().get(key)
            if child is None:
                raise ConfigError(f"{key_routes}: {current.__name__!r} has no parameter {key!r}")
            current = child
        return current

    def copy(cls, name: str | None = None) -> Any:
        """A deep copy named ``name`` (scalable kinds keep their fixed name); changing one leaves
        the other alone."""
        fixed = cls.element_kind in (
            ConfigElementType.ScalableContainer,
            ConfigElementType.ScalableElement,
        )
        new_name = cls.__name__ if name is None or fixed else name
        new: Any = type.__new__(type(cls), new_name, (ConfigParameters,), {"__module__": __name__})
        for attr in (
            "element_kind",
            "parameter_type",
            "key_type",
            "required",
            "default",
            "choices",
        ):
            setattr(new, attr, getattr(cls, attr))
        new._cls_parameters = {n: c.copy() for n, c in cls._children().items()}
        return new


class ConfigContainerMeta(ConfigBaseElementMeta):
    """A mapping with named children; without children it holds free-form settings."""

    def __new__(
        mcs, name: str, required: bool, *parameters: ConfigBaseElementMeta
    ) -> ConfigContainerMeta:
        cls: ConfigContainerMeta = mcs._build(
            name,
            kind=ConfigElementType.Container,
            parameter_type=dict,
            required=required,
            parameters=parameters,
        )
        return cls


class ConfigElementMeta(ConfigBaseElementMeta):
    """A single value of ``parameter_type``, optionally with a default and allowed choices."""

    def __new__(
        mcs,
        name: str,
        parameter_type: Any,
        required: bool,
        default: Any = UNSET,
        choices: Iterable[Any] | None = None,
    ) -> ConfigElementMeta:
        cls: ConfigElementMeta = mcs._build(
            name,
            kind=ConfigElementType.Element,
            parameter_type=parameter_type,
            required=required,
        )
        cls.choices = None if choices is None else tuple(choices)
        if default is not UNSET and default is not None:
            ok, default = check_value(parameter_type, default)
            if not ok:
                raise TypeError(f"{name}: default is not {describe_type(parameter_type)}")
            if cls.choices is not None and default not in cls.choices:
                raise TypeError(f"{name}: default {default!r} is not one of the choices")
        cls.default = default
        return cls


class ConfigScalableContainerMeta(ConfigBaseElementMeta):
    """Any number of keys of ``parameter_type``, each a mapping validated by ``parameters``."""

    def __new__(
        mcs, parameter_type: Any, *parameters: ConfigBaseElementMeta
    ) -> ConfigScalableContainerMeta:
        cls: ConfigScalableContainerMeta = mcs._build(
            "ConfigScalableContainerMeta",
            kind=ConfigElementType.ScalableContainer,
            parameter_type=parameter_type,
            required=False,
            parameters=parameters,
        )
        return cls


class ConfigScalableElementMeta(ConfigBaseElementMeta):
    """Any number of keys of ``element_type``, each with a value of ``parameter_type``."""

    def __new__(mcs, element_type: Any, parameter_type: Any) -> ConfigScalableElementMeta:
        if not is_parameter_type(element_type):
            raise TypeError("element_type must be a type, a tuple of types or a callable")
        cls: ConfigScalableElementMeta = mcs._build(
            "ConfigScalableElementMeta",
            kind=ConfigElementType.ScalableElement,
            parameter_type=parameter_type,
            required=False,
        )
        cls.key_type = element_type
        return cls


class ConfigSwitchableElementMeta(ConfigBaseElementMeta):
    """Key ``name`` whose value picks the ``ConfigContainerMeta`` (of that name) whose elements
    are then validated as its siblings: ``module: sqlite`` requires ``file_name``."""

    def __new__(
        mcs, name: str, parameter_type: Any, required: bool, *parameters: ConfigContainerMeta
    ) -> ConfigSwitchableElementMeta:
        cls: ConfigSwitchableElementMeta = mcs._build(
            name,
            kind=ConfigElementType.SwitchableElement,
            parameter_type=parameter_type,
            required=required,
            parameters=parameters,
        )
        return cls
