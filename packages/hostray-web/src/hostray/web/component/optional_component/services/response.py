"""What `ServicesComponent.invoke` returns: the parts of a response a caller reads, in memory.

Named like `requests.Response` (the seed's return type) so that code written for 0.7.5 keeps
working: `status_code`, `headers`, `cookies`, `content`, `text`, `json()`.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from multidict import CIMultiDict

__all__ = ["ServiceResponse"]


@dataclass
class ServiceResponse:
    """A finished response; `content` is empty when the body went to a `streaming_callback`."""

    status_code: int
    url: str
    reason: str = ""
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    cookies: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def ok(self) -> bool:
        """True for a status below 400."""
        return self.status_code < 400

    @property
    def encoding(self) -> str:
        """The charset of `Content-Type`, UTF-8 when absent or unknown."""
        message = Message()
        message["content-type"] = self.headers.get("Content-Type", "")
        charset = message.get_param("charset")
        if isinstance(charset, str):
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
        return "utf-8"

    @property
    def text(self) -> str:
        """`content` decoded with `encoding` (undecodable bytes replaced)."""
        return self.content.decode(self.encoding, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """`content` parsed as JSON; raises `ValueError` when it is not JSON."""
        return json.loads(self.content.decode(self.encoding), **kwargs)
