"""Reproducible .tar.gz and .zip archives: the same members give byte-identical files.

Members are written sorted, every directory gets an entry, times and owners are fixed
(`SOURCE_DATE_EPOCH` when set, else 1980-01-01, gzip's header time included), directories are
0755 and files keep the permission bits they are given.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["ArchiveMember", "archive_kind", "fixed_timestamp", "write_archive"]

_DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
_FILE_MODE = 0o644
_DIR_MODE = 0o755


@dataclass(frozen=True)
class ArchiveMember:
    """One file of the archive: its posix path there, its content (bytes, or a file to copy) and
    its permission bits."""

    arcname: str
    content: bytes | Path
    mode: int = _FILE_MODE

    def size(self) -> int:
        """Length of the content in bytes."""
        if isinstance(self.content, bytes):
            return len(self.content)
        return self.content.stat().st_size

    def open(self) -> io.BufferedIOBase:
        """A binary stream of the content."""
        if isinstance(self.content, bytes):
            return io.BytesIO(self.content)
        return self.content.open("rb")


def fixed_timestamp() -> int:
    """The time every member carries: `SOURCE_DATE_EPOCH` if set, else 1980-01-01 UTC."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    return max(int(value), _DEFAULT_EPOCH) if value.isdigit() else _DEFAULT_EPOCH


def archive_kind(path: Path) -> str:
    """`zip` or `tar.gz` by the output name; other suffixes are refused with a ValueError."""
    name = path.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    raise ValueError(f"{path.name}: unknown archive type (use a name ending in .tar.gz or .zip)")


def _directories(members: Iterable[ArchiveMember]) -> list[str]:
    """Every parent directory of the members, as posix paths."""
    found: set[str] = set()
    for member in members:
        for parent in PurePosixPath(member.arcname).parents:
            if str(parent) != ".":
                found.add(str(parent))
    return sorted(found)


def _write_tar_gz(stream: io.BufferedWriter, members: list[ArchiveMember], mtime: int) -> None:
    """A gzip-compressed POSIX tar with fixed gzip and tar headers."""
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=mtime) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        entries: list[tuple[str, ArchiveMember | None]] = [(d, None) for d in _directories(members)]
        entries += [(m.arcname, m) for m in members]
        for name, member in sorted(entries, key=lambda e: e[0]):
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if member is None:
                info.type = tarfile.DIRTYPE
                info.mode = _DIR_MODE
                tar.addfile(info)
            else:
                info.size = member.size()
                info.mode = member.mode & 0o777
                with member.open() as content:
                    tar.addfile(info, content)


def _write_zip(stream: io.BufferedWriter, members: list[ArchiveMember], mtime: int) -> None:
    """A deflated zip with fixed dates and unix modes."""
    date_time = time.gmtime(mtime)[:6]
    with zipfile.ZipFile(stream, mode="w") as archive:
        entries: list[tuple[str, ArchiveMember | None]] = [
            (d + "/", None) for d in _directories(members)
        ]
        entries += [(m.arcname, m) for m in members]
        for name, member in sorted(entries, key=lambda e: e[0]):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3  # unix, so that the modes below are honoured
            if member is None:
                info.external_attr = (0o040000 | _DIR_MODE) << 16 | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = (0o100000 | (member.mode & 0o777)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = member.size()  # lets zipfile pick zip64 for large files
                with member.open() as content, archive.open(info, "w") as target:
                    shutil.copyfileobj(content, target)


def write_archive(path: Path, members: list[ArchiveMember]) -> None:
    """Write `members` to `path` (.tar.gz or .zip) atomically; same members → same bytes."""
    kind = archive_kind(path)
    names = [m.arcname for m in members]
    if len(set(names)) != len(names):
        raise ValueError("duplicate archive paths")
    ordered = sorted(members, key=lambda m: m.arcname)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as stream:
            if kind == "zip":
                _write_zip(stream, ordered, fixed_timestamp())
            else:
                _write_tar_gz(stream, ordered, fixed_timestamp())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
