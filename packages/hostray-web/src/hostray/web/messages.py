"""hostray's own message catalogue (`messages.csv`, package data) and lookups in it.

Messages come from the server's `localization` component when it is loaded (so they follow its
language), otherwise from the catalogue in English.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from hostray.config import Localization

if TYPE_CHECKING:
    from .component import ComponentManager

__all__ = ["hostray_catalogue", "message"]


def hostray_catalogue() -> str:
    """Path of hostray's message catalogue."""
    return str(files("hostray.web").joinpath("messages.csv"))


@lru_cache(maxsize=1)
def _english() -> Localization:
    local = Localization("en")
    local.import_csv([hostray_catalogue()])
    return local


def message(component_manager: ComponentManager | None, code: int, *args: Any) -> str:
    """hostray's message `code` with `args`, in the server's language when it has one."""
    from .component import DefaultComponentTypes

    localization = None
    if component_manager is not None:
        localization = component_manager.get_component(DefaultComponentTypes.Localization)
    if localization is not None:
        return str(localization.get_message(code, *args))
    return _english().get_message(code, *args)
