"""The seed's small utilities."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import hostray.config
from hostray.config import (
    convert_tuple_to_dict,
    generate_base64_uid,
    get_class,
    get_host_ip,
    join_path,
    join_to_abs_path,
    size_bytes_to_string,
    walk_to_file_paths,
)

SEED_UTIL_NAMES = [
    "Localization", "get_Hostray_logger", "HostrayLogger", "datetime_to_str", "str_to_datetime",
    "DATETIME_TYPE", "PY_DT_Converter", "get_class", "join_path", "join_to_abs_path",
    "walk_to_file_paths", "size_bytes_to_string", "generate_base64_uid", "convert_tuple_to_dict",
    "get_host_ip", "DynamicClassEnum", "ConfigBaseElementMeta", "ConfigContainerMeta",
    "ConfigElementMeta", "ConfigScalableContainerMeta", "ConfigScalableElementMeta",
    "ConfigSwitchableElementMeta", "ConfigError", "load_yaml", "DEFAULT_LOGGERS",
    "set_default_loggers_level",
]  # fmt: skip


def test_every_documented_name_is_exported() -> None:
    missing = [n for n in SEED_UTIL_NAMES if n not in hostray.config.__all__]
    assert missing == []
    assert all(hasattr(hostray.config, n) for n in hostray.config.__all__)


def test_get_class_follows_attributes() -> None:
    assert get_class("json", "JSONDecoder") is json.JSONDecoder
    assert get_class("json", "JSONDecoder", "decode") is json.JSONDecoder.decode
    assert get_class("json") is json
    with pytest.raises(AttributeError):
        get_class("json", "Nope")
    with pytest.raises(ImportError):
        get_class("hostray_no_such_module_xyz")


def test_paths_use_forward_slashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert join_path("a", "b", "c.txt") == "a/b/c.txt"
    assert join_path("a\\b", "c") == "a/b/c"
    monkeypatch.chdir(tmp_path)
    assert join_to_abs_path("x", "y") == f"{tmp_path.as_posix()}/x/y"


def test_walk_to_file_paths(tmp_path: Path) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    for name in ("d/b.txt", "d/e/a.txt", "top.txt"):
        (tmp_path / name).write_text("x")
    assert walk_to_file_paths(tmp_path) == [
        (tmp_path / "d" / "b.txt").as_posix(),
        (tmp_path / "d" / "e" / "a.txt").as_posix(),
        (tmp_path / "top.txt").as_posix(),
    ]
    assert walk_to_file_paths(str(tmp_path / "top.txt")) == [(tmp_path / "top.txt").as_posix()]
    with pytest.raises(FileNotFoundError, match="no such file or directory"):
        walk_to_file_paths(tmp_path / "missing")


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0.0 bytes"),
        (1023, "1023.0 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (5 * 1024**3, "5.0 GB"),
        (1024**6, "1024.0 PB"),
    ],
)
def test_size_bytes_to_string(size: int, text: str) -> None:
    assert size_bytes_to_string(size) == text


def test_size_bytes_to_string_custom_units() -> None:
    assert size_bytes_to_string(2048, ["B", "K"]) == "2.0 K"
    assert size_bytes_to_string(2048**2, ["B", "K"]) == "4096.0 K"


def test_generate_base64_uid() -> None:
    uid = generate_base64_uid()
    assert len(base64.urlsafe_b64decode(uid)) == 32
    assert "+" not in uid and "/" not in uid
    assert len({generate_base64_uid() for _ in range(200)}) == 200
    plain = generate_base64_uid(12, urlsafe=False)
    assert len(base64.b64decode(plain, validate=True)) == 12
    with pytest.raises(ValueError, match="at least 1"):
        generate_base64_uid(0)


def test_convert_tuple_to_dict_seed_example() -> None:
    assert convert_tuple_to_dict((1, 2, 3), "n") == {"n_1": 1, "n_2": 2, "n_3": 3}
    assert convert_tuple_to_dict(None, "n") == {}


def test_get_host_ip_on_loopback_and_fallbacks() -> None:
    assert get_host_ip(remote_host="127.0.0.1") == "127.0.0.1"
    assert get_host_ip(remote_host="127.0.0.1", port=8888) == "127.0.0.1"
    # not an IP literal: never resolved (that could block), loopback instead
    assert get_host_ip(remote_host="no-such-host.invalid") == "127.0.0.1"
    assert get_host_ip(remote_host="999.1.1.1") == "127.0.0.1"
    assert get_host_ip(remote_host="") == "127.0.0.1"
    # a port the socket refuses
    assert get_host_ip(remote_host="127.0.0.1", port=70000) == "127.0.0.1"
    assert get_host_ip(remote_host="::1") == "::1"


def test_get_host_ip_sends_nothing() -> None:
    """The UDP connect only picks a route: a listening loopback socket receives no datagram."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.setblocking(False)
        assert get_host_ip("127.0.0.1", server.getsockname()[1]) == "127.0.0.1"
        with pytest.raises(BlockingIOError):
            server.recv(16)
