"""`HierarchyElementMeta`: 0.7.5's metaclass for classes that hold named child classes.

`Parent.set_cls_parameters(ChildA, ChildB)` registers children by class name, and
`Parent.get_cls_parameter('ChildA.Grandchild')` walks down the registered names.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HierarchyElementMeta"]


class HierarchyElementMeta(type):
    """Classes made by this metaclass keep a mapping of child classes by name."""

    _cls_parameters: dict[str, type]

    def set_cls_parameters(cls, *cls_parameters: type) -> None:
        """Register each class of `cls_parameters` as a child, under its `__name__`."""
        children: dict[str, type] = dict(cls.__dict__.get("_cls_parameters", {}))
        for child in cls_parameters:
            if not isinstance(child, HierarchyElementMeta):
                raise TypeError(
                    f"{cls.__name__}.set_cls_parameters: {child!r} is not a class made by "
                    "HierarchyElementMeta"
                )
            children[child.__name__] = child
        cls._cls_parameters = children

    def get_cls_parameter(cls, key_routes: str, delimeter: str = ".") -> Any:
        """The descendant at `key_routes` ('Child.Grandchild'); KeyError names the missing step."""
        node: Any = cls
        for key in key_routes.split(delimeter):
            children = node.__dict__.get("_cls_parameters")
            if not children:
                raise KeyError(f"{node.__name__} has no child classes (looking for {key!r})")
            if key not in children:
                known = ", ".join(sorted(children))
                raise KeyError(f"{node.__name__} has no child class {key!r} (children: {known})")
            node = children[key]
        return node
