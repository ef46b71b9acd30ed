"""Reading a `server_config.yaml` written for hostray 0.7.5, with one warning line per difference.

0.7.5 handed every top-level key to Tornado's `Application`, so its configs set `cookie_secret`,
`xsrf_cookies`, `static_path`, … at the top level; this version reads them under `settings:`.
0.7.5 also accepted a number written as a string (`worker: '5'`) for the keys its validator typed
`int`. `upgrade_legacy_config` moves the former and converts the latter, returning the warnings;
anything else unknown stays where it is, for the validator to reject (`prot:` → did you mean port).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from hostray.config import ConfigDict, location_of

from .config_validator import HostrayWebConfigValidator, TornadoSettingsValidator

__all__ = ["LEGACY_INT_KEYS", "legacy_setting_keys", "upgrade_legacy_config", "warn_legacy_config"]

logger = logging.getLogger("hostray.web.config")

LEGACY_INT_KEYS: tuple[tuple[str, ...], ...] = (
    ("port",),
    ("component", "task_queue", "worker_count"),
    ("component", "worker_pool", "*"),
    ("component", "memory_cache", "sess_lifetime"),
    ("component", "orm_db", "*", "worker"),
    ("component", "orm_db", "*", "connection_refresh"),
    ("component", "orm_db", "*", "port"),
)
"""Paths of the keys 0.7.5's validator typed `int` (`*`: any key); only these are converted."""

_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def legacy_setting_keys() -> frozenset[str]:
    """The Tornado settings accepted at the top level: those the `settings:` block validates
    (a key the top level has itself is never moved)."""
    root = HostrayWebConfigValidator.cls_parameters
    return frozenset(k for k in TornadoSettingsValidator.cls_parameters if k not in root)


def upgrade_legacy_config(raw: Any) -> tuple[Any, list[str], list[str]]:
    """`raw` read the way 0.7.5 read it, a warning line for each difference and the problems (a
    setting given both at the top level and under `settings:`); `raw` itself is not changed."""
    if not isinstance(raw, Mapping):
        return raw, [], []
    config = _copy(raw)
    warnings: list[str] = []
    problems: list[str] = []
    _move_settings(raw, config, warnings, problems)
    for path in LEGACY_INT_KEYS:
        warnings.extend(_convert_ints(config, path, ()))
    return config, warnings, problems


def warn_legacy_config(warnings: list[str]) -> None:
    """Log each warning line of `upgrade_legacy_config` on the `hostray.web.config` logger."""
    for line in warnings:
        logger.warning("%s", line)


def _copy(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    if isinstance(mapping, ConfigDict):
        return mapping.positioned_like(dict(mapping))
    return dict(mapping)


def _move_settings(
    raw: Mapping[Any, Any], config: dict[Any, Any], warnings: list[str], problems: list[str]
) -> None:
    top_level = [key for key in raw if key in legacy_setting_keys()]
    if not top_level:
        return
    existing = raw.get("settings")
    if existing is not None and not isinstance(existing, Mapping):
        return  # the validator reports the malformed block
    settings = _copy(existing) if existing is not None else _new_block(raw)
    for key in top_level:
        where = location_of(raw, key) or "server_config"
        value = config.pop(key)
        if key in settings:
            problems.append(
                f"{where}: {key}: given both at the top level (hostray 0.7.5's place) and under "
                f"settings: — keep only the one under settings:"
            )
            continue
        settings[key] = value
        if isinstance(settings, ConfigDict) and isinstance(raw, ConfigDict):
            if key in raw.key_lines:
                settings.key_lines[key] = raw.key_lines[key]
            if settings.source is None:
                settings.source = raw.source
        warnings.append(
            f"{where}: {key}: a Tornado setting at the top level (hostray 0.7.5's place); "
            f"now read under settings: — move it there"
        )
    config["settings"] = settings


def _new_block(raw: Mapping[Any, Any]) -> dict[Any, Any]:
    if isinstance(raw, ConfigDict):
        return ConfigDict(source=raw.source, line=raw.line)
    return {}


def _convert_ints(node: Any, path: tuple[str, ...], done: tuple[str, ...]) -> list[str]:
    """Convert numeric strings at `path` under `node` in place (copying the mappings on the way)."""
    if not isinstance(node, dict) or not path:
        return []
    head, rest = path[0], path[1:]
    keys = list(node) if head == "*" else [head] if head in node else []
    warnings = []
    for key in keys:
        value = node[key]
        dotted = (*done, str(key))
        if rest:
            if isinstance(value, Mapping):
                node[key] = _copy(value)
                warnings.extend(_convert_ints(node[key], rest, dotted))
        elif isinstance(value, str) and _INTEGER.fullmatch(value):
            node[key] = int(value)
            where = location_of(node, key) or "server_config"
            warnings.append(
                f"{where}: {'.'.join(dotted)}: the string {value!r} is read as the number "
                f"{int(value)} (as hostray 0.7.5 did); write it without quotes"
            )
    return warnings
