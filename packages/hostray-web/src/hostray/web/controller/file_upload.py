"""`StreamingFileUploadController`: a request body streamed into a file under `upload_dir`.

The body goes chunk by chunk into a hidden temporary file beside the target, renamed into place
only when the whole body has arrived; an aborted or refused upload removes it and the directories
made for it. The client's file name is a relative path that can never leave `upload_dir`, at most
1024 bytes and 32 parts long. Partial files a killed process left are swept when the server starts.
"""

from __future__ import annotations

import errno
import logging
import os
from typing import Any, ClassVar
from urllib.parse import unquote

from tornado.httputil import HTTPHeaders
from tornado.web import HTTPError

from .streaming import DEFAULT_MAX_BODY_SIZE, StreamingUploadController
from .upload_files import (
    PartialFile,
    make_directories,
    remove_directories,
    safe_relative_path,
    sweep_partial_files,
)

__all__ = ["StreamingFileUploadController", "safe_relative_path"]

logger = logging.getLogger("hostray.web.upload")


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
    _partial: PartialFile | None = None
    # directories made for this upload, removed if it fails (always reassigned, never mutated)
    _created: tuple[str, ...] = ()

    @classmethod
    def on_server_start(cls, params: dict[str, Any]) -> None:
        """Delete the partial files an earlier run left in the route's `upload_dir` (killed
        mid-upload); uploads in progress in other processes are locked and kept."""
        upload_dir = params.get("upload_dir")
        if isinstance(upload_dir, str) and os.path.isdir(upload_dir):
            removed = sweep_partial_files(os.path.realpath(upload_dir))
            if removed:
                logger.warning(
                    "%s: removed %d partial upload(s) left by an earlier run", upload_dir, removed
                )

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
        """Create the missing directories and the locked temporary file beside the target (on a
        worker thread); what was made is removed again if the upload does not complete."""
        target_dir = os.path.dirname(os.path.join(self.upload_dir, self.file_name))
        resolved = os.path.realpath(target_dir)  # a symlink inside upload_dir may point outside
        if os.path.commonpath([resolved, self.upload_dir]) != self.upload_dir:
            raise HTTPError(400, "invalid file name %r: it leads out of the upload directory", raw)
        try:
            self._created = tuple(make_directories(resolved))
            self._partial = PartialFile(resolved)
        except (FileExistsError, NotADirectoryError):
            self._discard()
            raise HTTPError(409, "%r: a file stands where a directory is needed", raw) from None
        except OSError as exc:
            self._discard()
            if exc.errno != errno.ENAMETOOLONG:
                raise
            raise HTTPError(400, "invalid file name %r: the path is too long", raw) from None

    def _on_chunk_received(
        self, headers: HTTPHeaders, chunk: bytes, bytes_size_received: int
    ) -> None:
        """Append the chunk to the temporary file (on a worker thread)."""
        assert self._partial is not None and self._partial.file is not None
        self._partial.file.write(chunk)

    def _on_data_received(self, headers: HTTPHeaders, bytes_size_received: int) -> dict[str, Any]:
        """Close the temporary file and move it into place (on a worker thread)."""
        assert self._partial is not None
        try:
            self._partial.commit(os.path.join(self.upload_dir, self.file_name))
        except IsADirectoryError:
            raise HTTPError(409, "%r is a directory", self.file_name) from None
        self._partial = None
        self._created = ()
        return {"file_name": self.file_name, "size": bytes_size_received}

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Remove what the refused upload made before the client reads the error."""
        self._discard()
        super().write_error(status_code, **kwargs)

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
        """Delete the temporary file, if there is still one, and the directories made for it."""
        if self._partial is not None:
            self._partial.discard()
            self._partial = None
        remove_directories(self._created)
        self._created = ()
