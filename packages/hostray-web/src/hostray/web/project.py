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

from hostray.config import (
    ConfigContainerMeta,
    ConfigError,
    load_yaml,
    location_of,
    validator_scope,
)

from ._reserved import declaring_into, enum_classes, import_reserved
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
from .paths import path_params, resolve_declared_paths
from .route_params import param_type_problems
from .tracebacks import code_frames
from .tracing import TracingSettings
from .unit_test_bases import UnitTestCase, UnitTestTypes

__all__ = [
    "CONFIG_FILE",
    "ComponentSpec",
    "Project",
    "RouteSpec",
    "load_project",
    "load_unit_tests",
    "project_from_config",
]

CONFIG_FILE = "server_config.yaml"

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
    declarative_bases: dict[str, Any] = field(default_factory=dict)
    """The `get_declarative_base()` bases this load declared (a reload gets fresh ones)."""
    tracing: TracingSettings | None = None
    """The `tracing:` block completed from the OTEL_* variables; None: the server does not trace."""


def load_project(root_dir: str | os.PathLike[str], *, debug: bool = False) -> Project:
    """Load the project in `root_dir`; `ConfigError`/`ProjectError` list every problem.

    An error in the project's code comes with the frame lines of its traceback that lie in the
    project (with `debug`, the whole traceback)."""
    root = os.path.abspath(os.fspath(root_dir))
    if not os.path.isdir(root):
        raise ConfigError(f"{root}: no such directory")
    config_file = os.path.join(root, CONFIG_FILE)
    if not os.path.isfile(config_file):
        raise ConfigError(
            f"{config_file}: not found; a hostray project holds {CONFIG_FILE} "
            "(make one with: hostray create DIR)"
        )
    return project_from_config(load_yaml(config_file), root, config_file, debug=debug)


def project_from_config(
    raw: Any,
    root_dir: str | os.PathLike[str],
    config_file: str | None = None,
    *,
    debug: bool = False,
) -> Project:
    """Build a project from an already loaded config mapping and its directory."""
    return _Loader(os.path.abspath(os.fspath(root_dir)), config_file, debug).load(raw)


def _import_frames(
    exc: ConfigError, root_dir: str, debug: bool, reported: set[str] | None = None
) -> list[str]:
    """The frame lines of the error behind a failed `import_class` (none for a missing name);
    an error already in `reported` (two routes on one broken module) gets them only once."""
    cause = exc.__cause__
    if cause is None or isinstance(cause, ConfigError):
        return []
    if reported is not None:
        key = f"{type(cause).__name__}: {cause}"
        if key in reported:
            return []
        reported.add(key)
    return code_frames(cause, root_dir, every_frame=debug)


def load_unit_tests(root_dir: str | os.PathLike[str], *, debug: bool = False) -> unittest.TestSuite:
    """The test cases named by the project's `UnitTestTypes` enums, as one suite."""
    project = load_project(root_dir, debug=debug)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    problems: list[str] = []
    for enum_class in project.unit_test_types:
        for member in enum_class:
            try:
                case = member.import_class()
            except ConfigError as exc:
                problems.extend(f"{project.root_dir}: unit_test: {p}" for p in exc.problems)
                problems.extend(_import_frames(exc, project.root_dir, debug))
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

    def __init__(self, root_dir: str, config_file: str | None, debug: bool) -> None:
        self.root_dir = root_dir
        self.config_file = config_file
        self.debug = debug
        self.config_problems: list[str] = []
        self.project_problems: list[str] = []
        self.failed_packages: set[str] = set()
        self.reported_causes: set[str] = set()

    def load(self, raw: Any) -> Project:
        """Import, validate and resolve in this load's own validator tree and declarative bases."""
        bases: dict[str, Any] = {}
        with validator_scope(), declaring_into(bases):
            project = self._load(raw)
        project.declarative_bases.update(bases)
        return project

    def _load(self, raw: Any) -> Project:
        raw, legacy_warnings, legacy_problems = upgrade_legacy_config(raw)
        warn_legacy_config(legacy_warnings)
        self.config_problems.extend(legacy_problems)
        packages, import_problems = import_reserved(self.root_dir, every_frame=self.debug)
        for lines in import_problems.values():
            self.project_problems.extend(lines)
        # A package that failed to import is the root cause: its keys are not reported again.
        self.failed_packages = set(import_problems)
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
        raw_config = raw if isinstance(raw, Mapping) else {}
        self._accept_unvalidated_components(component_enums, raw_config)
        self._check_component_keys(raw_config, component_enums)
        self._check_controller_keys(raw_config, controller_enums)
        config = self._validate(raw)
        self._resolve_paths(config)
        tracing = self._tracing(raw_config)
        project = Project(
            root_dir=self.root_dir,
            config=config,
            name=str(config.get("name") or os.path.basename(self.root_dir)),
            config_file=self.config_file,
            components=self._components(config, component_enums),
            routes=self._routes(config, controller_enums),
            unit_test_types=unit_test_enums,
            tracing=tracing,
        )
        self._raise()
        return project

    def _tracing(self, raw: Mapping[str, Any]) -> TracingSettings | None:
        """The tracing settings when the config has a `tracing:` block (even an empty one)."""
        if "tracing" not in raw:
            return None
        try:
            return TracingSettings.from_config(
                raw["tracing"],
                default_service_name=os.path.basename(self.root_dir),
                where=location_of(raw, "tracing") or self.config_file or self.root_dir,
            )
        except ConfigError as exc:
            self.config_problems.extend(exc.problems)
            return None

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

    def _accept_unvalidated_components(self, enums: list[Any], raw: Mapping[str, Any]) -> None:
        """Project components without a validator of their own take free-form settings; so do
        all unknown keys when `component/` failed to import (its error is the one to fix)."""
        keys = [member.key for enum_class in enums[2:] for member in enum_class]
        block = raw.get("component")
        if "component" in self.failed_packages and isinstance(block, Mapping):
            keys.extend(str(key) for key in block)
        for key in keys:
            if key not in HostrayWebConfigComponentValidator.cls_parameters:
                HostrayWebConfigComponentValidator.set_cls_parameters(
                    ConfigContainerMeta(key, False)
                )

    def _check_component_keys(self, raw: Mapping[str, Any], enums: list[Any]) -> None:
        block = raw.get("component")
        if not isinstance(block, Mapping) or "component" in self.failed_packages:
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
            if key not in known and "controller" not in self.failed_packages:
                hint = _suggest(key, known)
                self.project_problems.append(
                    self._where(spec, "enum", f"controller.{route}.enum")
                    + f": no ControllerType enum defines key {key!r}{hint} ({self._label()})"
                )

    def _resolve_paths(self, config: dict[str, Any]) -> None:
        """Make relative paths absolute where the validators declare a path (`config_path`), and
        in the params a controller declares as paths (`path_params`); nothing else is touched."""
        resolve_declared_paths(
            HostrayWebConfigComponentValidator, config.get("component"), self._absolute
        )
        self._resolve_keys(config.get("ssl"), _SSL_KEYS)
        self._resolve_keys(config.get("settings"), _SETTINGS_PATH_KEYS)

    def _absolute(self, value: str) -> str:
        return os.path.normpath(os.path.join(self.root_dir, os.path.expanduser(value)))

    def _resolve_keys(self, mapping: Any, keys: Iterable[str]) -> None:
        if not isinstance(mapping, dict):
            return
        for key in keys:
            value = mapping.get(key)
            if isinstance(value, str) and value:
                mapping[key] = self._absolute(value)

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
                    self.project_problems.extend(
                        _import_frames(exc, self.root_dir, self.debug, self.reported_causes)
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
                self.project_problems.extend(
                    _import_frames(exc, self.root_dir, self.debug, self.reported_causes)
                )
                continue
            self._resolve_keys(spec.get("params"), path_params(cls))
            params = dict(spec.get("params") or {})
            mismatch = _signature_mismatch(getattr(cls, "initialize", None), params, self_arg=True)
            if mismatch:
                self.config_problems.append(
                    self._where(spec, "params", f"controller.{route}.params")
                    + f": {cls.__name__}.initialize() {mismatch}"
                )
                continue
            type_problems = param_type_problems(getattr(cls, "initialize", None), params)
            if type_problems:
                raw_params = spec.get("params")
                self.config_problems.extend(
                    self._where(raw_params, p.partition(":")[0], f"controller.{route}.params.") + p
                    for p in type_problems
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
