"""Frozen, typed settings of the default components, built from their validated config blocks.

The validators of `hostray.web.config_validator` are the one source of every key, type, range and
default: `…Settings.from_config(block)` validates a block with the component's own validator (an
`init` called directly is checked exactly like `server_config.yaml`) and returns what the
component reads. The optional components' settings are in `optional_component/settings.py`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hostray.config import ConfigBaseElementMeta
from hostray.web.config_validator import HostrayWebConfigComponentValidator

__all__ = [
    "DEFAULT_POOL_ID",
    "DEFAULT_POOL_WORKERS",
    "LocalizationSettings",
    "LoggerSettings",
    "WorkerPoolSettings",
    "absolute_path",
    "validated_block",
]

DEFAULT_POOL_ID = "default"
DEFAULT_POOL_WORKERS = 3
"""The pool every server has, and its size unless `worker_pool` sets it."""


def validated_block(
    validator: ConfigBaseElementMeta, config: Mapping[str, Any], route: str
) -> dict[str, Any]:
    """`config` validated by `validator` (defaults filled in); problems named under `route`."""
    block: dict[str, Any] = validator(dict(config), route).parameter
    return block


def absolute_path(path: str, root_dir: str | None) -> str:
    """`path`, taken relative to `root_dir` when it is relative and a root is given."""
    return path if os.path.isabs(path) or not root_dir else os.path.join(root_dir, path)


def _component_validator(key: str) -> ConfigBaseElementMeta:
    return HostrayWebConfigComponentValidator.get_cls_parameter(key)


@dataclass(frozen=True)
class LocalizationSettings:
    """The `localization` block: the project's catalogue directory and the language."""

    dir: str | None
    """Absolute, or None for hostray's own messages only."""
    lang: str

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], root_dir: str | None = None
    ) -> LocalizationSettings:
        """Validate a `localization` block; a relative `dir` is under `root_dir`."""
        block = validated_block(
            _component_validator("localization"), config, "component.localization"
        )
        directory = block.get("dir")
        return cls(
            dir=None if directory is None else absolute_path(directory, root_dir),
            lang=block["lang"],
        )


@dataclass(frozen=True)
class LoggerSettings:
    """The `logger` block: where log files go (None: no files) and the lines' format."""

    dir: str | None
    format: str = "text"
    """`text` or `json` (`hostray.config.LOG_FORMATS`)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], root_dir: str | None = None) -> LoggerSettings:
        """Validate a `logger` block; a relative `dir` is under `root_dir`."""
        block = validated_block(_component_validator("logger"), config, "component.logger")
        directory = block.get("dir")
        return cls(
            dir=None if directory is None else absolute_path(directory, root_dir),
            format=block["format"],
        )

    @classmethod
    def of_project(cls, config: Mapping[str, Any]) -> LoggerSettings:
        """The `logger` block of a whole validated project config (its defaults when absent):
        for processes that build no logger component yet write lines (the `--processes` parent,
        the `hostray worker` main process)."""
        components = config.get("component") or {}
        return cls.from_config(components.get("logger") or {})


@dataclass(frozen=True)
class WorkerPoolSettings:
    """The `worker_pool` block: pool id → number of workers, the `default` pool included."""

    pools: Mapping[str, int]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WorkerPoolSettings:
        """Validate a `worker_pool` block and add the default pool unless it is configured."""
        block = validated_block(
            _component_validator("worker_pool"), config, "component.worker_pool"
        )
        pools = dict(block)
        pools.setdefault(DEFAULT_POOL_ID, DEFAULT_POOL_WORKERS)
        return cls(pools=MappingProxyType(pools))
