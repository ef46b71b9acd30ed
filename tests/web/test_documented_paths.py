"""Every name the seed documents imports from the path the seed documents it at.

The seed's text is walked, not copied: dotted references (`class hostray.web.controller.…`,
`enum hostray.web.component.DefaultComponentTypes.Logger`), the names its examples import
(`from hostray.util import …`) and the functions of its "Util" section (`hostray.util`).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SEED = Path(__file__).resolve().parents[2] / "docs" / "seed" / "hostray-0.7.5-docs.txt"
TEXT = SEED.read_text(encoding="utf-8")

# Typo in the seed's prose ("hostray.util.workerWorkerPool" for hostray.util.worker.WorkerPool),
# which is itself documented and checked.
SEED_TYPOS = {"hostray.util.workerWorkerPool"}


def dotted_references() -> set[str]:
    found = set(re.findall(r"\bhostray(?:\.[A-Za-z_]\w*)+", TEXT))
    return found - SEED_TYPOS


def example_imports() -> set[str]:
    names: set[str] = set()
    pattern = r"^from (hostray[\w.]*) import \(?([\w\s,]+?)\)?$"
    for module, imported in re.findall(pattern, TEXT, flags=re.MULTILINE):
        names.update(f"{module}.{n.strip()}" for n in imported.split(",") if n.strip())
    return names


def util_section_functions() -> set[str]:
    section = TEXT[TEXT.index("\nUtil\n") : TEXT.index(" Change log", TEXT.index("\nUtil\n"))]
    return {f"hostray.util.{n}" for n in re.findall(r"^([a-z_]\w*)\(", section, re.MULTILINE)}


DOCUMENTED = sorted(dotted_references() | example_imports() | util_section_functions())


def resolve(dotted: str) -> Any:
    """Import the longest module prefix of `dotted`, then walk the remaining attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: ModuleType | Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ModuleNotFoundError(dotted)


def test_the_walk_finds_the_reference() -> None:
    assert len(DOCUMENTED) > 60
    assert "hostray.web.component.default_component.ComponentManager" in DOCUMENTED
    assert "hostray.util.orm.get_declarative_base" in DOCUMENTED
    assert "hostray.util.generate_base64_uid" in DOCUMENTED
    assert "hostray.web.config_validator.ConfigSwitchableElementMeta" in DOCUMENTED


@pytest.mark.parametrize("dotted", DOCUMENTED)
def test_documented_name_imports_from_its_documented_path(dotted: str) -> None:
    assert resolve(dotted) is not None


def test_documented_paths_are_re_exports_of_the_canonical_objects() -> None:
    import hostray.config
    import hostray.orm
    import hostray.workers
    from hostray.util import Localization, Worker
    from hostray.util.orm import OrmAccessWorkerPool
    from hostray.util.worker import AsyncWorkerPool
    from hostray.web.component import Component, ComponentManager, default_component

    assert Worker is hostray.workers.Worker
    assert AsyncWorkerPool is hostray.workers.AsyncWorkerPool
    assert Localization is hostray.config.Localization
    assert OrmAccessWorkerPool is hostray.orm.OrmAccessWorkerPool
    assert default_component.Component is Component
    assert default_component.ComponentManager is ComponentManager
