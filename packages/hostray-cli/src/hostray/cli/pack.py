"""`hostray pack DIR [-o FILE] [-w] [-d]`: a project as one reproducible archive.

`.py` files become sourceless `.pyc` (unless `-d`), compiled with `py_compile` in hash mode so the
bytes do not depend on file times; `-w` adds `wheels/` holding what `pip wheel -r requirements.txt`
builds, so that the unpacked project installs offline:
`pip install --no-index --find-links wheels -r requirements.txt`.
"""

from __future__ import annotations

import os
import py_compile
import subprocess
import sys
import tempfile
from pathlib import Path

from hostray.cli.archive import ArchiveMember, archive_kind, write_archive
from hostray.cli.errors import CliError
from hostray.cli.packlist import PackedFile, collect_files, read_pack_rules

__all__ = ["REQUIREMENTS_FILE", "WHEELS_DIR", "compile_source", "pack_project"]

REQUIREMENTS_FILE = "requirements.txt"
WHEELS_DIR = "wheels"


def compile_source(source: Path, arcname: str, workdir: Path) -> bytes:
    """The sourceless bytecode of `source`; tracebacks name `arcname`, not this machine's path."""
    target = workdir / "compiled.pyc"
    try:
        py_compile.compile(
            str(source),
            cfile=str(target),
            dfile=arcname,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError as exc:
        detail = " ".join(str(exc.exc_value).split())
        raise CliError(
            f"{source}: cannot compile: {detail} (pack with -d to keep sources)"
        ) from None
    return target.read_bytes()


def _build_wheels(project: Path, wheel_dir: Path) -> list[Path]:
    """Run `pip wheel -r requirements.txt` (its progress on the console) into `wheel_dir`."""
    requirements = project / REQUIREMENTS_FILE
    if not requirements.is_file():
        raise CliError(f"{requirements}: not found (needed by -w)")
    command = [sys.executable, "-m", "pip", "wheel", "--wheel-dir", str(wheel_dir)]
    print(f"building wheels: pip wheel -r {requirements}", flush=True)
    done = subprocess.run([*command, "-r", str(requirements)], cwd=project, check=False)
    if done.returncode != 0:
        raise CliError(f"{requirements}: pip wheel failed with exit status {done.returncode}")
    return sorted(wheel_dir.glob("*.whl"))


def _members(files: list[PackedFile], compile_py: bool, workdir: Path) -> list[ArchiveMember]:
    """Archive members for the project's files, `.py` compiled unless told otherwise."""
    members: list[ArchiveMember] = []
    for packed in files:
        if compile_py and packed.arcname.endswith(".py"):
            arcname = packed.arcname + "c"
            data = compile_source(packed.source, packed.arcname, workdir)
            members.append(ArchiveMember(arcname, data, packed.mode))
        else:
            members.append(ArchiveMember(packed.arcname, packed.source, packed.mode))
    names: dict[str, int] = {}
    for member in members:
        names[member.arcname] = names.get(member.arcname, 0) + 1
    clashes = sorted(name for name, count in names.items() if count > 1)
    if clashes:
        raise CliError(
            f"{clashes[0]}: both the file and the compiled .py are in the project "
            "(remove or exclude the .pyc, or pack with -d)"
        )
    return members


def _output_path(project: Path, output: str | None) -> Path:
    """`-o FILE`, or `<project name>.tar.gz` in the current directory."""
    path = Path(output) if output else Path(f"{project.name}.tar.gz")
    try:
        archive_kind(path)
    except ValueError as exc:
        raise CliError(f"-o {output}: {exc}") from None
    return path.absolute()


def pack_project(
    directory: str | os.PathLike[str],
    *,
    output: str | None = None,
    wheels: bool = False,
    compile_py: bool = True,
) -> Path:
    """Pack the project in `directory` and return the archive's path."""
    project = Path(directory).resolve()
    if not project.is_dir():
        raise CliError(f"{directory}: no such directory")
    target = _output_path(project, output)
    rules = read_pack_rules(project)
    skipped = {target, target.with_name(target.name + ".part")}
    if wheels:
        rules.exclude_dirs.append((project / WHEELS_DIR).resolve())
    files = collect_files(project, rules, skipped)
    with tempfile.TemporaryDirectory(prefix="hostray-pack-") as temp:
        workdir = Path(temp)
        members = _members(files, compile_py, workdir)
        if wheels:
            wheel_dir = workdir / WHEELS_DIR
            wheel_dir.mkdir()
            for wheel in _build_wheels(project, wheel_dir):
                members.append(ArchiveMember(f"{project.name}/{WHEELS_DIR}/{wheel.name}", wheel))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_archive(target, members)
        except OSError as exc:
            raise CliError(f"{target}: cannot write: {exc.strerror or exc}") from None
    print(f"packed {len(members)} files into {target}")
    return target
