"""One way to hide secrets: `is_secret_key`, `mask_url`, `mask_secrets`, and problems that never
echo a secret value."""

from __future__ import annotations

import pytest

from hostray.config import (
    SECRET_MASK,
    ConfigContainerMeta,
    ConfigElementMeta,
    ConfigError,
    is_secret_key,
    mask_secrets,
    mask_url,
)

M = SECRET_MASK


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "PASSWORD",
        "db_password",
        "dbPassword",
        "dbpassword",
        "pass",
        "db_pass",
        "pwd",
        "passwd",
        "db_passwd",
        "token",
        "access_token",
        "accessToken",
        "authtoken",
        "secret",
        "client_secret",
        "Secret_Key",
        "key",
        "api_key",
        "apikey",
        "apiKey",
        "x-api-key",
        "auth",
        "basic_auth",
        "credential",
        "aws_credentials",
        "private_key",
        "passphrase",
    ],
)
def test_secret_looking_names(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name",
    ["host", "user", "port", "key_prefix", "sort_keys", "monkey", "bypass", "auth_enabled", "p1"],
)
def test_plain_names(name: str) -> None:
    assert not is_secret_key(name)
    assert not is_secret_key(3) and not is_secret_key("")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://root:hunter2@127.0.0.1:3306/test", f"mysql://root:{M}@127.0.0.1:3306/test"),
        ("redis://:pw@127.0.0.1:6379/0?password=s3", f"redis://:{M}@127.0.0.1:6379/0?password={M}"),
        (
            "http://127.0.0.1:9/api?api_key=K1&access_token=T2&plain=1&Password=x",
            f"http://127.0.0.1:9/api?api_key={M}&access_token={M}&plain=1&Password={M}",
        ),
        ("https://h/cb#id_token=abc&state=1", f"https://h/cb#id_token={M}&state=1"),
        ("mysql://root@[::1]:3306/db?charset=utf8", "mysql://root@[::1]:3306/db?charset=utf8"),
        ("http://127.0.0.1/a?b=1", "http://127.0.0.1/a?b=1"),
        ("not a url", "not a url"),
        ("http://[::1/", "http://[::1/"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_mask_secrets_masks_keys_at_any_depth_and_urls_inside_text() -> None:
    value = {
        "host": "127.0.0.1",
        "password": "hunter2",
        "empty_password": None,
        "pools": [{"name": "a", "db_passwd": "p4ss"}, ("x", {"apiKey": 3})],
        "note": "connect to redis://:pw@127.0.0.1:6379/0?token=t0k now",
        "nested": {"deeper": {"secret": {"whole": "block"}, "port": 3306}},
    }
    assert mask_secrets(value) == {
        "host": "127.0.0.1",
        "password": M,
        "empty_password": None,
        "pools": [{"name": "a", "db_passwd": M}, ["x", {"apiKey": M}]],
        "note": f"connect to redis://:{M}@127.0.0.1:6379/0?token={M} now",
        "nested": {"deeper": {"secret": M, "port": 3306}},
    }
    assert value["password"] == "hunter2"  # a copy: the config itself is untouched


def _db_validator() -> type:
    return ConfigContainerMeta(
        "db",
        False,
        ConfigElementMeta("user", str, False),
        ConfigElementMeta("password", str, False),
        ConfigElementMeta("url", str, False, choices=["sqlite://"]),
        ConfigElementMeta("mode", str, False, choices=["a", "b"]),
    )


def test_problems_never_show_the_value_of_a_secret_looking_key() -> None:
    validator = _db_validator()
    with pytest.raises(ConfigError) as caught:
        validator(
            {
                "user": 5,
                "password": 987654321,
                "url": "mysql://root:hunter2@127.0.0.1/x?api_key=K1",
                "mode": "c",
            }
        )
    text = str(caught.value)
    assert "987654321" not in text and "hunter2" not in text and "K1" not in text
    assert "password: expected str, got int (value not shown)" in text
    assert "user: expected str, got 5 (int)" in text
    assert f"got 'mysql://root:{M}@127.0.0.1/x?api_key={M}'" in text
    assert "mode: expected one of 'a', 'b', got 'c'" in text


def test_a_url_key_in_a_problem_path_is_masked() -> None:
    root = ConfigContainerMeta(
        "root",
        False,
        ConfigElementMeta("port", int, False),
    )
    with pytest.raises(ConfigError) as caught:
        root({"port": 1, "http://u:pw1@127.0.0.1/api?token=t0k": {}})
    text = str(caught.value)
    assert "pw1" not in text and "t0k" not in text
    assert f"http://u:{M}@127.0.0.1/api?token={M}: unknown key" in text
    assert mask_secrets("see http://h/?key=k1, then (http://u:p@h).") == (
        f"see http://h/?key={M}, then (http://u:{M}@h)."
    )
