"""Hide secrets before configuration is shown: one mask, one notion of a secret-looking name.

Everything that prints configuration (`/components_info`, error messages, logs) goes through
`mask_secrets` or `mask_url`, so a password never leaves the server and every place hides it alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["SECRET_MASK", "is_secret_key", "mask_secrets", "mask_url"]

SECRET_MASK = "***"
"""What a secret value is replaced with."""

_SECRET_WORDS = frozenset(
    {
        "accesstoken",
        "apikey",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "key",
        "pass",
        "passphrase",
        "passwd",
        "password",
        "passwords",
        "pwd",
        "secret",
        "secrets",
        "signature",
        "token",
        "tokens",
    }
)
# Words that mark a secret even glued to a prefix without a separator (`dbpassword`, `authtoken`).
_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def is_secret_key(name: object) -> bool:
    """Does a key or parameter `name` look like it holds a secret (`password`, `db_passwd`,
    `apiKey`, `access_token`, `Secret_Key`, …)? Case-insensitive; the last word decides."""
    if not isinstance(name, str) or not name:
        return False
    words = [w for w in _SEPARATORS.split(_CAMEL.sub("_", name).lower()) if w]
    if not words:
        return False
    return words[-1] in _SECRET_WORDS or "".join(words).endswith(_SECRET_SUFFIXES)


def mask_url(url: str) -> str:
    """`url` with its userinfo password and the values of secret-looking query (and fragment)
    parameters replaced by `SECRET_MASK`; anything that is not a URL comes back unchanged."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # an invalid port or bracket: not a URL we can take apart
        return url
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{SECRET_MASK}@{hostport}"
    return urlunsplit(
        parts._replace(
            netloc=netloc, query=_mask_pairs(parts.query), fragment=_mask_pairs(parts.fragment)
        )
    )


def mask_secrets(value: Any) -> Any:
    """A copy of `value` (mappings, lists, tuples, sets, strings) with the value of every
    secret-looking key and every secret inside a URL replaced by `SECRET_MASK`; None stays None."""
    if isinstance(value, Mapping):
        return {
            key: SECRET_MASK if is_secret_key(key) and item is not None else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str) and "://" in value:
        return _URL.sub(_mask_found_url, value)
    return value


def _mask_found_url(found: re.Match[str]) -> str:
    """A URL found in text, masked; punctuation that ends the sentence stays outside it."""
    text = found.group(0)
    url = text.rstrip(".,;:!?)]}")
    return mask_url(url) + text[len(url) :]


def _mask_pairs(text: str) -> str:
    """`name=value&…` with the values of secret-looking names masked, the rest kept as it was."""
    if "=" not in text:
        return text
    pieces = []
    for piece in text.split("&"):
        name, equals, _ = piece.partition("=")
        pieces.append(
            f"{name}={SECRET_MASK}" if equals and is_secret_key(unquote_plus(name)) else piece
        )
    return "&".join(pieces)
