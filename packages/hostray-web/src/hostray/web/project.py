"""A hostray project directory, loaded and checked: `server_config.yaml` plus reserved packages.

`load_project` reports every problem at once: the config's shape (`ConfigError`, `file:line` per
problem) and the project's own (`ProjectError`: reserved packages that do not import, a component or
controller key defined twice, a configured key no enum knows, a class that cannot be imported). All
classes are resolved here, so a running server never imports from a later project's packages.
"""

from __future__ import annotations

import difflib
import inspect
import os
import re
import unittest
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hostray.config import ConfigContainerMeta, ConfigError, load_yaml, location_of

from ._reserved import enum_classes, import_reserved
from .component import (
    Component,
    ComponentTypes,
    DefaultComponentTypes,
    OptionalComponentTypes,
)
from .config_validator import HostrayWebConfigComponentValidator, HostrayWebConfigValidator
from .controller import ControllerType, DefaultControllerType
from .errors import ProjectError
from .legacy_config import upgrade_legacy_config, warn_legacy_config
from .unit_test import UnitTestCase, UnitTestTypes

__all__ = [
    "CONFIG_FILE",
    "PATH_KEYS",
    "ComponentSpec",
    "Project",
    "RouteSpec",
    "load_project",
    "load_unit_tests",
    "project_from_config",
]

CONFIG_FILE = "server_config.yaml"
PATH_KEYS = frozenset({"dir", "path", "file_name", "save_file", "upload_dir"})
"""Keys of component blocks and controller params whose relative values are project paths."""

_SSL_KEYS = ("crt", "key", "ca")
_SETTINGS_PATH_KEYS = ("static_path", "template_path")
_SETTINGLESS_COMPONENTS = (DefaultComponentTypes.Callback,)


@dataclass(frozen=True)
class ComponentSpec:
    """One component to build: its enum member, class and validated config block."""

    component_type: ComponentTypes
    component_class: type[Component]
    config: dict[str, Any]


@dataclass(frozen=True)
class RouteSpec:
    """One route of the `controller` block: URL pattern, handler class, `initialize()` params."""

    pattern: str
    handler_class: type
    params: dict[str, Any]


@dataclass
class Project:
    """A loaded project: validated config (paths absolute), components and routes in order."""

    root_dir: str
    config: dict[str, Any]
    name: str
    config_file: str | None = None
    components: list[ComponentSpec] = field(default_factory=list)
    routes: list[RouteSpec] = field(default_factory=list)
    unit_test_types: list[type[UnitTestTypes]] = field(default_factory=list)


def load_project(root_dir: str | os.PathLike[str]) -> Project:
    """Load the project in `root_dir`; `ConfigError`/`ProjectError` list every problem."""
    root = os.path.abspath(os.fspath(root_dir))
    if not os.path.isdir(root):
        raise ConfigError(f"{root}: no such directory")
    config_file = os.path.join(root, CONFIG_FILE)
    if not os.path.isfile(config_file):
        raise ConfigError(
            f"{config_file}: not found; a hostray project holds {CONFIG_FILE} "
            "(make one with: hostray create DIR)"
        )
    return project_from_config(load_yaml(config_file), root, config_file)


def project_from_config(
    raw: Any, root_dir: str | os.PathLike[str], config_file: str | None = None
) -> Project:
    """Build a project from an already loaded config mapping and its directory."""
    return _Loader(os.path.abspath(os.fspath(root_dir)), config_file).load(raw)


def load_unit_tests(root_dir: str | os.PathLike[str]) -> unittest.TestSuite:
    """The test cases named by the project's `UnitTestTypes` enums, as one suite."""
    project = load_project(root_dir)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    problems: list[str] = []
    for enum_class in project.unit_test_types:
        for member in enum_class:
            try:
                case = member.import_class()
            except ConfigError as exc:
                problems.extend(f"{project.root_dir}: unit_test: {p}" for p in exc.problems)
                continue
            names = [
                n
                for n in loader.getTestCaseNames(case)
                if n != "test" and _runs_without_arguments(getattr(case, n))
            ]
            if getattr(case, "test", None) is not UnitTestCase.test or not names:
                names.insert(0, "test")
            suite.addTests(case(name) for name in names)
    if problems:
        raise ProjectError(*problems)
    return suite


class _Loader:
    """One load: collects config and project problems, raises them together."""

    def __init__(self, root_dir: str, config_file: str | None) -> None:
        self.root_dir = root_dir
        self.config_file = config_file
        self.config_problems: list[str] = []
        self.project_problems: list[str] = []

    def load(self, raw: Any) -> Project:
        raw, legacy_warnings, legacy_problems = upgrade_legacy_config(raw)
        warn_legacy_config(legacy_warnings)
        self.config_problems.extend(legacy_problems)
        packages, import_problems = import_reserved(self.root_dir)
        self.project_problems.extend(import_problems)
        component_enums = [
            DefaultComponentTypes,
            OptionalComponentTypes,
            *enum_classes(packages.get("component"), ComponentTypes),
        ]
        controller_enums = [
            DefaultControllerType,
            *enum_classes(packages.get("controller"), ControllerType),
        ]
        unit_test_enums = enum_classes(packages.get("unit_test"), UnitTestTypes)
        self._check_unique_keys("component", component_enums)
        self._check_unique_keys("controller", controller_enums)
        self._accept_unvalidated_components(component_enums)
        raw_config = raw if isinstance(raw, Mapping) else {}
        self._check_component_keys(raw_config, component_enums)
        self._check_controller_keys(raw_config, controller_enums)
        config = self._validate(raw)
        self._resolve_paths(config)
        project = Project(
            root_dir=self.root_dir,
            config=config,
            name=str(config.get("name") or os.path.basename(self.root_dir)),
            config_file=self.config_file,
            components=self._components(config, component_enums),
            routes=self._routes(config, controller_enums),
            unit_test_types=unit_test_enums,
        )
        self._raise()
        return project

    def _validate(self, raw: Any) -> dict[str, Any]:
        try:
            config: dict[str, Any] = HostrayWebConfigValidator(raw).parameter
        except ConfigError as exc:
            self.config_problems.extend(exc.problems)
            self._raise()
            raise  # _raise always raises when there are problems
        return config

    def _raise(self) -> None:
        problems = self.config_problems + self.project_problems
        if self.project_problems:
            raise ProjectError(*problems)
        if problems:
            raise ConfigError(*problems)

    def _where(self, mapping: object, key: Any, path: str) -> str:
        location = location_of(mapping, key) or self.config_file or self.root_dir
        return f"{location}: {path}"

    def _label(self) -> str:
        return f"project {os.path.basename(self.root_dir)!r}"

    def _check_unique_keys(self, block: str, enums: Iterable[Any]) -> None:
        owners: dict[str, str] = {}
        for enum_class in enums:
            for member in enum_class:
                owner = f"{enum_class.__qualname__}.{member.name}"
                if member.key in owners:
                    self.project_problems.append(
                        f"{self.root_dir}: {block} key {member.key!r} is defined twice, by "
                        f"{owners[member.key]} and {owner} ({self._label()})"
                    )
                else:
                    owners[member.key] = owner

    def _accept_unvalidated_components(self, enums: list[Any]) -> None:
        """Project components without a validator of their own take free-form settings."""
        for enum_class in enums[2:]:
            for member in enum_class:
                if member.key not in HostrayWebConfigComponentValidator.cls_parameters:
                    HostrayWebConfigComponentValidator.set_cls_parameters(
                        ConfigContainerMeta(member.key, False)
                    )

    def _check_component_keys(self, raw: Mapping[str, Any], enums: list[Any]) -> None:
        block = raw.get("component")
        if not isinstance(block, Mapping):
            return
        known = {member.key for enum_class in enums for member in enum_class}
        validated = HostrayWebConfigComponentValidator.cls_parameters
        for key in block:
            if key not in known and key in validated:
                self.project_problems.append(
                    self._where(block, key, f"component.{key}")
                    + f": no ComponentTypes enum defines key {key!r} ({self._label()})"
                )
        for member in _SETTINGLESS_COMPONENTS:
            if block.get(member.key):
                self.config_problems.append(
                    self._where(block, member.key, f"component.{member.key}")
                    + ": takes no settings"
                )

    def _check_controller_keys(self, raw: Mapping[str, Any], enums: list[Any]) -> None:
        block = raw.get("controller")
        if not isinstance(block, Mapping):
            return
        known = sorted(member.key for enum_class in enums for member in enum_class)
        for route, spec in block.items():
            try:
                re.compile(str(route))
            except re.error as exc:
                self.config_problems.append(
                    self._where(block, route, f"controller.{route}")
                    + f": not a valid route pattern ({exc})"
                )
            if not isinstance(spec, Mapping) or not isinstance(spec.get("enum"), str):
                continue
            key = spec["enum"]
            if key not in known:
                hint = _suggest(key, known)
                self.project_problems.append(
                    self._where(spec, "enum", f"controller.{route}.enum")
                    + f": no ControllerType enum defines key {key!r}{hint} ({self._label()})"
                )

    def _resolve_paths(self, config: dict[str, Any]) -> None:
        for block in (config.get("component") or {}).values():
            self._resolve_nested(block)
        for spec in (config.get("controller") or {}).values():
            self._resolve_nested(spec.get("params"))
        self._resolve_keys(config.get("ssl"), _SSL_KEYS)
        self._resolve_keys(config.get("settings"), _SETTINGS_PATH_KEYS)

    def _resolve_nested(self, value: Any) -> None:
        if isinstance(value, dict):
            self._resolve_keys(value, PATH_KEYS)
            for item in value.values():
                self._resolve_nested(item)
        elif isinstance(value, list):
            for item in value:
                self._resolve_nested(item)

    def _resolve_keys(self, mapping: Any, keys: Iterable[str]) -> None:
        if not isinstance(mapping, dict):
            return
        for key in keys:
            value = mapping.get(key)
            if isinstance(value, str) and value:
                path = os.path.expanduser(value)
                mapping[key] = os.path.normpath(os.path.join(self.root_dir, path))

    def _components(self, config: dict[str, Any], enums: list[Any]) -> list[ComponentSpec]:
        block = config.get("component") or {}
        specs: list[ComponentSpec] = []
        for enum_class in enums:
            for member in enum_class:
                if enum_class is not DefaultComponentTypes and member.key not in block:
                    continue
                try:
                    cls = member.import_class()
                except ConfigError as exc:
                    self.project_problems.extend(
                        self._where(block, member.key, f"component.{member.key}") + f": {p}"
                        for p in exc.problems
                    )
                    continue
                specs.append(ComponentSpec(member, cls, dict(block.get(member.key) or {})))
        return specs

    def _routes(self, config: dict[str, Any], enums: list[Any]) -> list[RouteSpec]:
        block = config.get("controller") or {}
        routes: list[RouteSpec] = []
        for route, spec in block.items():
            member = next((e.by_key(spec["enum"]) for e in enums if e.by_key(spec["enum"])), None)
            if member is None:
                continue  # reported by _check_controller_keys
            try:
                cls = member.import_class()
            except ConfigError as exc:
                self.project_problems.extend(
                    self._where(spec, "enum", f"controller.{route}.enum") + f": {p}"
                    for p in exc.problems
                )
                continue
            params = dict(spec.get("params") or {})
            mismatch = _signature_mismatch(getattr(cls, "initialize", None), params, self_arg=True)
            if mismatch:
                self.config_problems.append(
                    self._where(spec, "params", f"controller.{route}.params")
                    + f": {cls.__name__}.initialize() {mismatch}"
                )
                continue
            routes.append(RouteSpec(str(route), cls, params))
        return routes


def _signature_mismatch(func: Any, params: Mapping[str, Any], *, self_arg: bool) -> str | None:
    """Why `func(**params)` would fail to bind (a missing or unknown argument), or None."""
    if func is None:
        return None
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*([None] if self_arg else []), **params)
    except TypeError as exc:
        return str(exc)
    return None


def _runs_without_arguments(method: Any) -> bool:
    """Whether a `test_*` method is a test: 0.7.5's cases named helpers `test_func(self, i, …)`
    and called them from `test`; such a method is not run on its own."""
    return _signature_mismatch(method, {}, self_arg=True) is None


def _suggest(key: str, known: list[str]) -> str:
    match = difflib.get_close_matches(key, known, n=1)
    if match:
        return f", did you mean {match[0]!r}?"
    return " (known: " + ", ".join(repr(k) for k in known) + ")"
