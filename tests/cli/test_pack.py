"""`hostray pack`: what goes into the archive, under which paths, compiled or not, reproducibly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Result


def _project(root: Path, name: str = "proj") -> Path:
    """A small project: code in a package, data files, and things pack must leave out."""
    project = root / name
    (project / "lib").mkdir(parents=True)
    (project / "lib" / "__init__.py").write_text("", encoding="utf-8")
    (project / "lib" / "calc.py").write_text(
        "def answer():\n    return 42\n\ndef fail():\n    raise ValueError('boom')\n",
        encoding="utf-8",
    )
    (project / "server_config.yaml").write_text("name: x\nport: 8888\n", encoding="utf-8")
    (project / "run.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    (project / "run.sh").chmod(0o775)
    (project / "lib" / "__pycache__").mkdir()
    (project / "lib" / "__pycache__" / "calc.cpython-311.pyc").write_bytes(b"stale")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (project / "env" / "lib").mkdir(parents=True)
    (project / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (project / "env" / "lib" / "site.py").write_text("x = 1\n", encoding="utf-8")
    return project


def _names(archive: Path) -> list[str]:
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            return [n for n in zf.namelist() if not n.endswith("/")]
    with tarfile.open(archive) as tf:
        return [m.name for m in tf.getmembers() if m.isfile()]


def test_default_archive_compiles_and_leaves_out_caches_vcs_and_venvs(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = cli("pack", "proj")
    assert result.code == 0, result.err
    archive = tmp_path / "proj.tar.gz"
    assert sorted(_names(archive)) == [
        "proj/lib/__init__.pyc",
        "proj/lib/calc.pyc",
        "proj/run.sh",
        "proj/server_config.yaml",
    ]
    assert str(archive) in result.out
    assert project.is_dir()


def test_members_are_sorted_with_fixed_owner_time_and_kept_modes(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path)
    (project / "server_config.yaml").chmod(0o600)  # a config holding passwords stays private
    (project / "lib" / "calc.py").chmod(0o640)
    archive = tmp_path / "out.tar.gz"
    assert cli("pack", str(tmp_path / "proj"), "-o", str(archive)).code == 0
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert "proj/lib" in names  # directories have entries of their own
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
    assert len({m.mtime for m in members}) == 1
    modes = {m.name: m.mode for m in members}
    assert modes["proj/run.sh"] == 0o775
    assert modes["proj/server_config.yaml"] == 0o600
    assert modes["proj/lib/calc.pyc"] == 0o640  # the compiled file keeps its source's mode
    assert modes["proj/lib"] == 0o755


def test_sourceless_pyc_imports_and_names_archive_path_in_tracebacks(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    _project(tmp_path)
    archive = tmp_path / "out.tar.gz"
    assert cli("pack", str(tmp_path / "proj"), "-o", str(archive)).code == 0
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tf:
        tf.extractall(unpacked, filter="data")
    script = (
        "import traceback\n"
        "from lib.calc import answer, fail\n"
        "print(answer())\n"
        "try:\n    fail()\nexcept ValueError:\n    traceback.print_exc()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=unpacked / "proj",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"
    assert 'File "proj/lib/calc.py"' in done.stderr
    assert str(tmp_path) not in done.stderr


def test_no_compile_keeps_sources_and_zip_when_asked(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    _project(tmp_path)
    archive = tmp_path / "out.zip"
    result = cli("pack", str(tmp_path / "proj"), "-d", "-o", str(archive))
    assert result.code == 0, result.err
    assert zipfile.is_zipfile(archive)
    assert sorted(_names(archive)) == [
        "proj/lib/__init__.py",
        "proj/lib/calc.py",
        "proj/run.sh",
        "proj/server_config.yaml",
    ]
    with zipfile.ZipFile(archive) as zf:
        source = zf.read("proj/lib/calc.py")
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in zf.infolist()}
        dates = {i.date_time for i in zf.infolist()}
    assert source == (tmp_path / "proj/lib/calc.py").read_bytes()
    assert modes["proj/run.sh"] == 0o775
    assert modes["proj/lib/calc.py"] == 0o644
    assert len(dates) == 1


@pytest.mark.parametrize("output", ["same.tar.gz", "same.zip"])
@pytest.mark.parametrize("compile_flag", [[], ["-d"]])
def test_same_inputs_give_byte_identical_archives(
    cli: Callable[..., Result], tmp_path: Path, output: str, compile_flag: list[str]
) -> None:
    first_root, second_root = tmp_path / "a", tmp_path / "b"
    first = _project(first_root)
    second = _project(second_root)
    # Same content and modes, different history: other times, creation order.
    os.utime(second / "lib" / "calc.py", (1_000_000_000, 1_000_000_000))
    (first_root / "out").mkdir()
    (second_root / "out").mkdir()
    assert cli("pack", str(first), "-o", str(first_root / "out" / output), *compile_flag).code == 0
    assert (
        cli("pack", str(second), "-o", str(second_root / "out" / output), *compile_flag).code == 0
    )
    again = first_root / "out" / ("again-" + output)
    assert cli("pack", str(first), "-o", str(again), *compile_flag).code == 0
    data = (first_root / "out" / output).read_bytes()
    assert data == (second_root / "out" / output).read_bytes()
    assert data == again.read_bytes()


def test_pack_yaml_include_and_exclude(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "logs").mkdir()
    (project / "logs" / "today.log").write_text("x", encoding="utf-8")
    (project / "debug.log").write_text("x", encoding="utf-8")
    (project / "secret.txt").write_text("x", encoding="utf-8")
    (project / "tmp" / "deep").mkdir(parents=True)
    (project / "tmp" / "deep" / "a.txt").write_text("x", encoding="utf-8")
    shared = tmp_path / "shared"
    (shared / "assets").mkdir(parents=True)
    (shared / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (shared / "assets" / "trace.log").write_text("x", encoding="utf-8")
    (shared / "LICENSE").write_text("MIT", encoding="utf-8")
    (project / "pack.yaml").write_text(
        "include:\n"
        f"- {shared / 'LICENSE'}\n"
        "- ../shared/assets/\n"
        "exclude:\n"
        "- '.log'\n"
        "- tmp/\n"
        "- secret.txt\n",
        encoding="utf-8",
    )
    archive = tmp_path / "out.tar.gz"
    result = cli("pack", str(project), "-o", str(archive), "-d")
    assert result.code == 0, result.err
    assert sorted(_names(archive)) == [
        "proj/LICENSE",
        "proj/assets/logo.svg",
        "proj/lib/__init__.py",
        "proj/lib/calc.py",
        "proj/pack.yaml",
        "proj/run.sh",
        "proj/server_config.yaml",
    ]


def test_output_inside_the_project_is_not_packed_into_itself(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path)
    for _ in range(2):
        result = cli("pack", str(project), "-o", str(project / "proj.tar.gz"))
        assert result.code == 0, result.err
    assert "proj/proj.tar.gz" not in _names(project / "proj.tar.gz")


def test_arc_paths_use_the_folder_name_whatever_the_spelling(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project / "lib")
    result = cli("pack", "..", "-o", str(tmp_path / "dots.tar.gz"))
    assert result.code == 0, result.err
    assert {n.split("/")[0] for n in _names(tmp_path / "dots.tar.gz")} == {"proj"}
    monkeypatch.chdir(project)
    assert cli("pack", ".").code == 0
    assert (project / "proj.tar.gz").is_file()


@pytest.mark.parametrize(
    ("pack_yaml", "message"),
    [
        ("include: [missing.txt]\n", "pack.yaml: include: missing.txt: no such file or directory"),
        (
            "exlude: ['.log']\n",
            "pack.yaml: unknown key 'exlude' (expected include, exclude, default_exclude)",
        ),
        ("default_exclude: '*.db'\n", "pack.yaml: default_exclude: expected a list of paths"),
        ("include: some_file.txt\n", "pack.yaml: include: expected a list of paths, got str"),
        ("exclude:\n- [a]\n", "pack.yaml: exclude[0]: expected a path, got ['a']"),
        ("include: [a\n", "pack.yaml:2: invalid YAML"),
        ("- a\n", "pack.yaml: expected a mapping with include/exclude, got list"),
    ],
)
def test_bad_pack_yaml_is_one_line_naming_the_key(
    cli: Callable[..., Result], tmp_path: Path, pack_yaml: str, message: str
) -> None:
    project = _project(tmp_path)
    (project / "pack.yaml").write_text(pack_yaml, encoding="utf-8")
    result = cli("pack", str(project), "-o", str(tmp_path / "x.tar.gz"))
    assert result.code == 2
    assert result.err.count("\n") == 1, result.err
    assert message in result.err
    assert not (tmp_path / "x.tar.gz").exists()


def test_syntax_error_names_the_file_and_suggests_d(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path)
    (project / "lib" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    result = cli("pack", str(project), "-o", str(tmp_path / "x.tar.gz"))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert f"{project / 'lib' / 'broken.py'}: cannot compile" in result.err
    assert "-d" in result.err
    assert cli("pack", str(project), "-d", "-o", str(tmp_path / "x.tar.gz")).code == 0


def test_unknown_archive_type_and_missing_directory(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path)
    result = cli("pack", str(project), "-o", str(tmp_path / "x.rar"))
    assert result.code == 2
    assert "x.rar: unknown archive type" in result.err
    result = cli("pack", str(tmp_path / "nowhere"))
    assert result.code == 2
    assert f"{tmp_path / 'nowhere'}: no such directory" in result.err


def test_wheels_need_requirements_txt(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = cli("pack", str(project), "-w", "-o", str(tmp_path / "x.tar.gz"))
    assert result.code == 2
    assert f"{project / 'requirements.txt'}: not found (needed by -w)" in result.err


def test_stale_pyc_beside_a_source_is_reported(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path)
    shutil.copy(project / "lib" / "__init__.py", project / "lib" / "calc.pyc")
    result = cli("pack", str(project), "-o", str(tmp_path / "x.tar.gz"))
    assert result.code == 2
    assert "proj/lib/calc.pyc" in result.err
