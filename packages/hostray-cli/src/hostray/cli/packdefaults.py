"""What `hostray pack` leaves out unless pack.yaml says otherwise: secrets and live data.

Two kinds: file name patterns (`.env`, private keys, SQLite databases and their `-wal`/`-shm`
files, logs and rotated logs), which pack.yaml's `default_exclude` replaces; and the files the
project's own `server_config.yaml` names as live data (the session `save_file`, SQLite
`file_name`s, upload folders, the log `dir`, the TLS key), left out unless pack.yaml `include`s
them by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from hostray.config import substitute_env

__all__ = ["DEFAULT_EXCLUDE", "LiveData", "live_data", "matches_any"]

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".env",
    ".env.*",
    "*.key",
    "*.pem",
    "*.p12",
    "*.pfx",
    "*.db",
    "*.sqlite",
    "*.sqlite3",
    "*-wal",
    "*-shm",
    "*-journal",
    "*.log",
    "*.log.*",
)
"""File name patterns left out by default (`default_exclude:` in pack.yaml replaces them)."""

_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
CONFIG_FILE = "server_config.yaml"


@dataclass
class LiveData:
    """Files and folders of the running server named by its config (absolute, resolved)."""

    files: set[Path] = field(default_factory=set)
    dirs: set[Path] = field(default_factory=set)
    file_prefixes: set[Path] = field(default_factory=set)
    """`save_file` + "." : the temporary files a save writes beside it."""


def matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    """True when the file name `name` matches one of the shell patterns."""
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def live_data(project: Path) -> LiveData:
    """The live data `project/server_config.yaml` names; nothing when it is missing or unreadable
    (the server would not start with it either; pack still packs the rest)."""
    found = LiveData()
    try:
        text = (project / CONFIG_FILE).read_text(encoding="utf-8-sig")
        config = yaml.safe_load(substitute_env(text, os.environ, []))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return found
    if not isinstance(config, dict):
        return found

    def path(value: Any) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            return None
        return (project / os.path.expanduser(value)).resolve()

    components = config.get("component")
    components = components if isinstance(components, dict) else {}
    cache = components.get("memory_cache")
    if isinstance(cache, dict) and (save_file := path(cache.get("save_file"))) is not None:
        found.files.add(save_file)
        found.file_prefixes.add(save_file.with_name(save_file.name + "."))
    databases = components.get("orm_db")
    for settings in (databases if isinstance(databases, dict) else {}).values():
        if isinstance(settings, dict) and (database := path(settings.get("file_name"))):
            found.files.add(database)
            found.files.update(database.with_name(database.name + s) for s in _SQLITE_SIDE_FILES)
    logger = components.get("logger")
    if isinstance(logger, dict) and (log_dir := path(logger.get("dir"))) is not None:
        found.dirs.add(log_dir)
    ssl = config.get("ssl")
    if isinstance(ssl, dict) and (key := path(ssl.get("key"))) is not None:
        found.files.add(key)
    controllers = config.get("controller")
    for route in (controllers if isinstance(controllers, dict) else {}).values():
        params = route.get("params") if isinstance(route, dict) else None
        if isinstance(params, dict) and (upload_dir := path(params.get("upload_dir"))):
            found.dirs.add(upload_dir)
    return found
