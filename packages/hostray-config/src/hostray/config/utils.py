"""Small utilities the seed documents under ``hostray.util``."""

from __future__ import annotations

import base64
import importlib
import ipaddress
import os
import secrets
import socket
from collections.abc import Sequence
from typing import Any

__all__ = [
    "convert_tuple_to_dict",
    "generate_base64_uid",
    "get_class",
    "get_host_ip",
    "join_path",
    "join_to_abs_path",
    "size_bytes_to_string",
    "walk_to_file_paths",
]

SIZE_UNITS = ("bytes", "KB", "MB", "GB", "TB", "PB")


def get_class(module: str, *attrs: str) -> Any:
    """Import ``module`` and follow ``attrs``: ``get_class('json', 'JSONDecoder', 'decode')``."""
    obj: Any = importlib.import_module(module)
    for attr in attrs:
        obj = getattr(obj, attr)
    return obj


def join_path(*paths: str | os.PathLike[str]) -> str:
    """``os.path.join`` with ``/`` separators on every platform."""
    return os.path.join(*paths).replace("\\", "/")


def join_to_abs_path(*paths: str | os.PathLike[str]) -> str:
    """``join_path`` made absolute."""
    return os.path.abspath(os.path.join(*paths)).replace("\\", "/")


def walk_to_file_paths(file_or_directory: str | os.PathLike[str]) -> list[str]:
    """Absolute ``/``-separated paths of a file, or of every file under a directory (sorted)."""
    root = os.fspath(file_or_directory)
    if os.path.isfile(root):
        return [join_to_abs_path(root)]
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root}: no such file or directory")
    found = [
        join_to_abs_path(directory, name) for directory, _, names in os.walk(root) for name in names
    ]
    return sorted(found)


def size_bytes_to_string(f_size: float, units: Sequence[str] = SIZE_UNITS) -> str:
    """``1536`` → ``'1.5 KB'``: the size in the largest unit that keeps it at least 1."""
    if not units:
        raise ValueError("units must not be empty")
    size = float(f_size)
    index = 0
    while abs(size) >= 1024 and index < len(units) - 1:
        size /= 1024
        index += 1
    return f"{size:.1f} {units[index]}"


def generate_base64_uid(byte_length: int = 32, urlsafe: bool = True) -> str:
    """A random identifier: ``byte_length`` bytes from ``secrets``, base64-encoded."""
    if byte_length < 1:
        raise ValueError(f"byte_length must be at least 1, got {byte_length}")
    raw = secrets.token_bytes(byte_length)
    encoded = base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)
    return encoded.decode("ascii")


def convert_tuple_to_dict(t: Sequence[Any] | None, key_name: str) -> dict[str, Any]:
    """``((1, 2, 3), 'n')`` → ``{'n_1': 1, 'n_2': 2, 'n_3': 3}``."""
    if t is None:
        return {}
    return {f"{key_name}_{index}": value for index, value in enumerate(t, start=1)}


def get_host_ip(remote_host: str = "8.8.8.8", port: int = 80) -> str:
    """The local address the OS would use to reach ``remote_host`` (an IP literal), or loopback.

    A UDP ``connect`` only consults the routing table: no packet is sent. A host name is not
    resolved (that could block), and any failure gives ``127.0.0.1`` (``::1`` for IPv6).
    """
    try:
        address = ipaddress.ip_address(remote_host)
    except ValueError:
        return "127.0.0.1"
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    loopback = "::1" if address.version == 6 else "127.0.0.1"
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((str(address), port))
            return str(sock.getsockname()[0])
    except (OSError, OverflowError, TypeError):
        return loopback
