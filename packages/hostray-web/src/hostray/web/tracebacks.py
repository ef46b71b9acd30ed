"""Where an error in a project's own code happened, as lines to print under its one-line summary.

A failing import, `init()` or handler shows the traceback frames that lie in the project directory
(`file:line: in function: source line`), and a `SyntaxError`'s own location; hostray's, the
standard library's and installed packages' frames stay out unless every frame is asked for
(`--debug`), which gives Python's whole traceback.
"""

from __future__ import annotations

import os
import traceback

__all__ = ["FRAME_INDENT", "code_frames", "in_project"]

FRAME_INDENT = "    "
"""Frame lines start with it, so that whoever prints problems can tell them from new problems."""

_INSTALLED = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


def in_project(filename: str, root_dir: str) -> bool:
    """Whether `filename` is the project's own source (under `root_dir`, not installed)."""
    path = os.path.abspath(filename)
    root = os.path.abspath(root_dir) + os.sep
    return path.startswith(root) and not any(part in path for part in _INSTALLED)


def code_frames(exc: BaseException, root_dir: str, *, every_frame: bool = False) -> list[str]:
    """The lines that show where `exc` happened in the project in `root_dir` (indented)."""
    if every_frame:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return [FRAME_INDENT + line for line in text.rstrip("\n").splitlines()]
    lines = [
        f"{FRAME_INDENT}{frame.filename}:{frame.lineno}: in {frame.name}: "
        + (frame.line or "").strip()
        for frame in traceback.extract_tb(exc.__traceback__)
        if in_project(frame.filename, root_dir)
    ]
    if isinstance(exc, SyntaxError) and exc.filename and in_project(exc.filename, root_dir):
        source = (exc.text or "").strip()
        lines.append(f"{FRAME_INDENT}{exc.filename}:{exc.lineno}: {exc.msg}: {source}")
    return lines
