"""Helpers of the web-core tests: hand-built projects and servers on 127.0.0.1, port 0."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_project(root: Path, config: str, files: dict[str, str] | None = None) -> Path:
    """Write `server_config.yaml` and `files` (relative path → source) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "server_config.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
