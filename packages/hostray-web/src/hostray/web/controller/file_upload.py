"""`StreamingFileUploadController`: a request body streamed into a file under `upload_dir`.

The body goes chunk by chunk into a hidden temporary file beside the target, renamed into place
only when the whole body has arrived; an aborted or refused upload removes it. The client's file
name is a relative path that can never leave `upload_dir`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from typing import IO, Any, ClassVar
from urllib.parse import unquote

from tornado.httputil import HTTPHeaders
from tornado.web import HTTPError

from .streaming import DEFAULT_MAX_BODY_SIZE, StreamingUploadController

__all__ = ["StreamingFileUploadController", "safe_relative_path"]

_MAX_NAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_relative_path(name: str) -> str:
    """`name` as a relative path with no way out of its directory; ValueError if it has none.

    Refused: control characters (NUL included), absolute paths (`/x`, `\\x`, `C:x`), `..` parts,
    empty names and parts longer than 255 bytes. `\\` counts as a separator; `.` and empty parts
    are dropped.
    """
    if _CONTROL.search(name):
        raise ValueError("the file name contains a control character")
    name = name.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError("the file name must be relative")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts:
        raise ValueError("the file name is empty")
    if ".." in parts:
        raise ValueError("the file name must not contain '..'")
    if any(len(part.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES for part in parts):
        raise ValueError(f"a part of the file name is longer than {_MAX_NAME_BYTES} bytes")
    return "/".join(parts)


class StreamingFileUploadController(StreamingUploadController):
    """Saves a POST/PUT body as `upload_dir/<file name>` without holding it in memory.

    The file name comes from the `filename` header (percent-encoded UTF-8 allowed) or the
    `filename` query argument; subdirectories are created. The answer is JSON
    `{"file_name": ..., "size": ...}`; a file of the same name is replaced atomically. A
    `multipart/form-data` body (an HTML form, `curl -F`) is refused with 415 before any of it is
    read: it would be saved with its MIME boundaries.
    """

    path_params: ClassVar[frozenset[str]] = frozenset({"upload_dir"})
    """The params that are project paths (a relative `upload_dir` is under the project)."""

    upload_dir: str
    file_name: str = ""
    _file: IO[bytes] | None = None
    _temp_path: str | None = None

    def initialize(  # type: ignore[override]
        self, upload_dir: str, max_body_size: int = DEFAULT_MAX_BODY_SIZE
    ) -> None:
        """Keep the (absolute) upload directory and the body size limit."""
        super().initialize(max_body_size=max_body_size)
        self.upload_dir = os.path.realpath(upload_dir)

    async def prepare(self) -> None:
        """Refuse a multipart form, check the size and the file name, open the temporary file."""
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower().startswith("multipart/"):
            raise HTTPError(
                415,
                "multipart form uploads are not accepted: send the file itself as the body "
                "(curl --data-binary @FILE -H 'filename: NAME')",
            )
        await super().prepare()
        raw = self._requested_name()
        try:
            self.file_name = safe_relative_path(raw)
        except ValueError as exc:
            raise HTTPError(400, "invalid file name %r: %s", raw, exc) from None
        await self._call(self._open_temp_file, raw)

    def _requested_name(self) -> str:
        """The name the client sent, decoded but untouched (Tornado's getters drop characters)."""
        header = self.request.headers.get("filename")
        query = self.request.query_arguments.get("filename")
        if not header and not query:
            raise HTTPError(400, "missing file name: send a 'filename' header or query argument")
        try:
            if header:
                return unquote(header, errors="strict")
            return query[-1].decode("utf-8")  # type: ignore[index]
        except UnicodeDecodeError:
            raise HTTPError(400, "invalid file name: not UTF-8") from None

    def _open_temp_file(self, raw: str) -> None:
        """Create the hidden temporary file beside the target (on a worker thread)."""
        target_dir = os.path.dirname(os.path.join(self.upload_dir, self.file_name))
        resolved = os.path.realpath(target_dir)  # a symlink inside upload_dir may point outside
        if os.path.commonpath([resolved, self.upload_dir]) != self.upload_dir:
            raise HTTPError(400, "invalid file name %r: it leads out of the upload directory", raw)
        try:
            os.makedirs(resolved, exist_ok=True)
            fd, self._temp_path = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=resolved)
        except (FileExistsError, NotADirectoryError):
            raise HTTPError(409, "%r: a file stands where a directory is needed", raw) from None
        self._file = os.fdopen(fd, "wb")

    def _on_chunk_received(
        self, headers: HTTPHeaders, chunk: bytes, bytes_size_received: int
    ) -> None:
        """Append the chunk to the temporary file (on a worker thread)."""
        assert self._file is not None
        self._file.write(chunk)

    def _on_data_received(self, headers: HTTPHeaders, bytes_size_received: int) -> dict[str, Any]:
        """Close the temporary file and move it into place (on a worker thread)."""
        assert self._file is not None and self._temp_path is not None
        self._file.close()
        self._file = None
        try:
            os.replace(self._temp_path, os.path.join(self.upload_dir, self.file_name))
        except IsADirectoryError:
            raise HTTPError(409, "%r is a directory", self.file_name) from None
        self._temp_path = None
        return {"file_name": self.file_name, "size": bytes_size_received}

    def on_finish(self) -> None:
        """The response is sent: an upload that did not complete leaves nothing behind."""
        self._discard()
        super().on_finish()

    def on_connection_close(self) -> None:
        """The client went away before the end of the body: remove the partial file."""
        if not self.body_complete:
            self._discard()
        super().on_connection_close()

    def _discard(self) -> None:
        """Close and delete the temporary file, if there is still one."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._temp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._temp_path)
            self._temp_path = None
