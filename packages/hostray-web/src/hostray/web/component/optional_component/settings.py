"""Frozen, typed settings of the optional components, built from their validated config blocks.

The validators of `schema.py` are the one source of every key, type, range and default: a
component's `init(component_manager, **config)` hands its block to `…Settings.from_config`, which
validates it with the component's validator (so an `init` called directly, as tests and projects
do, is checked exactly like `server_config.yaml`) and returns the settings the component reads.
Only hostray.config is imported here; the orm_db settings import hostray.orm when built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hostray.config import ConfigError

from ..settings import absolute_path, validated_block
from .schema import (
    DEFAULT_METRICS_ADDRESS,
    ChannelsValidator,
    MemoryCacheValidator,
    MetricsValidator,
    OrmDBValidator,
)

if TYPE_CHECKING:
    from hostray.orm import DB_MODULE_NAME

__all__ = ["ChannelsSettings", "MemoryCacheSettings", "MetricsSettings", "OrmDBSettings"]

_SERVER_KEYS = ("host", "port", "db_name", "user", "password")


@dataclass(frozen=True)
class MemoryCacheSettings:
    """The `memory_cache` block: session lifetime and renewal, and the backend's own settings."""

    sess_lifetime: float
    renew_lifetime: bool
    renew_id: bool
    backend: str
    """'memory' or 'redis' (`schema.SESSION_BACKENDS`)."""
    save_file: str | None
    """Absolute path (memory backend), or None."""
    save_interval: float | None
    url: str
    key_prefix: str

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], root_dir: str | None = None
    ) -> MemoryCacheSettings:
        """Validate a `memory_cache` block; relative `save_file` is under `root_dir`."""
        block = validated_block(MemoryCacheValidator, config, "component.memory_cache")
        save_file = block.get("save_file") or None
        memory = block["backend"] == "memory"
        if block.get("save_interval") is not None and not save_file and memory:
            raise ConfigError("component.memory_cache.save_interval: needs save_file")
        return cls(
            sess_lifetime=block["sess_lifetime"],
            renew_lifetime=block["renew_lifetime"],
            renew_id=block["renew_id"],
            backend=block["backend"],
            save_file=None if save_file is None else absolute_path(save_file, root_dir),
            save_interval=block.get("save_interval"),
            url=block["url"],
            key_prefix=block["key_prefix"],
        )


@dataclass(frozen=True)
class OrmDBSettings:
    """One db_id of the `orm_db` block: its module, pool size, refresh and connection settings."""

    db_id: str
    module: DB_MODULE_NAME
    worker: int
    connection_refresh: float
    parameters: Mapping[str, Any]
    """What `create_orm_engine` takes for the module: `file_name` (absolute) for sqlite;
    host, port (the engine's default when not set), db_name, user, password for servers."""

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], root_dir: str | None = None
    ) -> dict[str, OrmDBSettings]:
        """Validate an `orm_db` block: the settings of each db_id, in config order."""
        from hostray.orm import DB_MODULE_NAME, DEFAULT_PORTS

        block = validated_block(OrmDBValidator, config, "component.orm_db")
        databases = {}
        for db_id, entry in block.items():
            module = DB_MODULE_NAME(entry["module"])
            parameters: dict[str, Any] = {}
            if module is DB_MODULE_NAME.SQLITE_FILE:
                parameters["file_name"] = absolute_path(entry["file_name"], root_dir)
            elif module in DEFAULT_PORTS:
                parameters = {key: entry.get(key) for key in _SERVER_KEYS}
                if parameters["port"] is None:
                    parameters["port"] = DEFAULT_PORTS[module]
            databases[db_id] = cls(
                db_id=db_id,
                module=module,
                worker=entry["worker"],
                connection_refresh=float(entry["connection_refresh"]),
                parameters=parameters,
            )
        return databases


@dataclass(frozen=True)
class MetricsSettings:
    """The `metrics` block: the bearer token the `metrics` controller requires, if any, and the
    address of the metrics listener (`port` None: no listener of its own)."""

    token: str | None
    port: int | None = None
    address: str = DEFAULT_METRICS_ADDRESS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricsSettings:
        """Validate a `metrics` block."""
        block = validated_block(MetricsValidator, config, "component.metrics")
        return cls(token=block.get("token"), port=block.get("port"), address=block["address"])


@dataclass(frozen=True)
class ChannelsSettings:
    """The `channels` block: which backend carries the messages, and where Redis is."""

    backend: str
    """'memory' or 'redis' (`schema.CHANNEL_BACKENDS`)."""
    url: str
    prefix: str
    """Put before every channel name in Redis, so several projects can share one server."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ChannelsSettings:
        """Validate a `channels` block."""
        block = validated_block(ChannelsValidator, config, "component.channels")
        return cls(backend=block["backend"], url=block["url"], prefix=block["prefix"])
