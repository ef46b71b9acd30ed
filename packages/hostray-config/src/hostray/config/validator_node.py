"""What a validator is to the validation walk: its kinds, the no-default marker, and the
attributes the walk reads.

The bottom of the validator modules: the walk (validation_walk.py) reads any `ValidatorNode`, and
the metaclasses (validator_metaclasses.py) build classes that are one, so neither imports the other
to name the type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["UNSET", "ConfigElementType", "ValidatorNode"]


class _Unset:
    """Marks an element without a default (``None`` is a legitimate default)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class ConfigElementType:
    """The kinds of validator classes."""

    Container = "container"
    Element = "element"
    ScalableContainer = "scalable_container"
    ScalableElement = "scalable_element"
    SwitchableElement = "switchable_element"


class ValidatorNode(Protocol):
    """One node of a validator tree as the walk reads it (a validator class is one)."""

    @property
    def __name__(self) -> str:
        """The key the node validates (scalable kinds: the kind's fixed name)."""

    @property
    def element_kind(self) -> str:
        """One of the `ConfigElementType` kinds."""

    @property
    def parameter_type(self) -> Any:
        """The type (tuple of types, Enum or converting callable) a value must have."""

    @property
    def key_type(self) -> Any:
        """Scalable kinds: the type each key must have; others: `parameter_type`."""

    @property
    def required(self) -> bool:
        """Whether a missing key or section is a problem."""

    @property
    def default(self) -> Any:
        """The value a missing optional element takes, `UNSET` for none."""

    @property
    def choices(self) -> tuple[Any, ...] | None:
        """The values an element may take, None for any of its type."""

    @property
    def cls_parameters(self) -> Mapping[str, ValidatorNode]:
        """The child nodes by name."""
