"""`hostray pack` keeps secrets and live data out and links inside; `create --force` never writes
through a link out of the project (issue 13, item 10)."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import Result

CONFIG = """\
name: x
port: 8888
component:
    memory_cache:
        sess_lifetime: 600
        save_file: state/sessions.json
    orm_db:
        db_0:
            module: sqlite
            file_name: store.sqlite3
controller:
    /upload:
        enum: upload
        params:
            upload_dir: incoming
"""


def _project(root: Path) -> Path:
    project = root / "proj"
    (project / "lib").mkdir(parents=True)
    (project / "lib" / "app.py").write_text("x = 1\n", encoding="utf-8")
    (project / "server_config.yaml").write_text(CONFIG, encoding="utf-8")
    return project


def _members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive) as tf:
        return {m.name: m for m in tf.getmembers() if m.isfile()}


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_secrets_and_live_data_are_left_out_by_default(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path)
    for name in (
        ".env",
        ".env.production",
        "certs/server.key",
        "certs/server.pem",
        "data.db",
        "data.db-wal",
        "data.db-shm",
        "logs/app.log",
        "logs/app.log.1",
        "state/sessions.json",
        "state/sessions.json.123.tmp",
        "store.sqlite3-wal",
        "incoming/report.pdf",
        "incoming/.upload-x.part",
    ):
        _write(project / name, "secret")
    _write(project / "state" / "README.md", "kept")
    archive = tmp_path / "out.tar.gz"
    result = cli("pack", str(project), "-o", str(archive))
    assert result.code == 0, result.err
    assert sorted(_members(archive)) == [
        "proj/lib/app.pyc",
        "proj/server_config.yaml",
        "proj/state/README.md",
    ]


def test_pack_yaml_overrides_the_defaults(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path)
    _write(project / ".env")
    _write(project / "seed.db")
    _write(project / "logs" / "app.log.1")
    _write(project / "state" / "sessions.json")
    _write(project / "incoming" / "sample.txt")
    (project / "pack.yaml").write_text(
        "include:\n- .env\n- state/sessions.json\n- incoming/\ndefault_exclude:\n- '*.log.*'\n",
        encoding="utf-8",
    )
    archive = tmp_path / "out.tar.gz"
    result = cli("pack", str(project), "-o", str(archive), "-d")
    assert result.code == 0, result.err
    assert sorted(_members(archive)) == [
        "proj/.env",
        "proj/incoming/sample.txt",
        "proj/lib/app.py",
        "proj/pack.yaml",
        "proj/seed.db",
        "proj/server_config.yaml",
        "proj/state/sessions.json",
    ]


def test_modes_are_kept_through_tar_x(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path)
    private = _write(project / "private.txt")
    private.chmod(0o600)
    archive = tmp_path / "out.tar.gz"
    assert cli("pack", str(project), "-o", str(archive)).code == 0
    assert _members(archive)["proj/private.txt"].mode == 0o600
    out = tmp_path / "unpacked"
    with tarfile.open(archive) as tf:
        tf.extractall(out, filter="tar")
    assert (out / "proj" / "private.txt").stat().st_mode & 0o777 == 0o600


def test_a_link_out_of_the_project_is_an_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    _write(elsewhere / "internal.txt", "not for the archive")
    (project / "frontend").mkdir()
    (project / "frontend" / "linkdir").symlink_to(elsewhere, target_is_directory=True)
    archive = tmp_path / "out.tar.gz"
    result = cli("pack", str(project), "-o", str(archive))
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert f"{project / 'frontend' / 'linkdir'}: symbolic link to {elsewhere}" in lines[0]
    assert "include" in lines[0]
    assert not archive.exists()

    (project / "frontend" / "linkdir").unlink()
    (project / "passwd").symlink_to(elsewhere / "internal.txt")
    result = cli("pack", str(project), "-o", str(archive))
    assert result.code == 2
    assert f"{project / 'passwd'}: symbolic link to" in result.err


def test_a_link_named_in_include_is_packed_where_it_stands(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    _write(elsewhere / "index.html", "<p>shared</p>")
    (project / "frontend").mkdir()
    (project / "frontend" / "linkdir").symlink_to(elsewhere, target_is_directory=True)
    (project / "lib" / "alias.py").symlink_to(project / "lib" / "app.py")  # inside: fine
    (project / "pack.yaml").write_text("include:\n- frontend/linkdir/\n", encoding="utf-8")
    archive = tmp_path / "out.tar.gz"
    result = cli("pack", str(project), "-o", str(archive), "-d")
    assert result.code == 0, result.err
    assert sorted(_members(archive)) == [
        "proj/frontend/linkdir/index.html",
        "proj/lib/alias.py",
        "proj/lib/app.py",
        "proj/pack.yaml",
        "proj/server_config.yaml",
    ]


def test_create_force_does_not_write_through_links_out_of_the_project(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    outside = _write(tmp_path / "precious.yaml", "do not overwrite")
    (project / "server_config.yaml").symlink_to(outside)
    result = cli("create", str(project), "--force")
    assert result.code == 2
    assert f"{project / 'server_config.yaml'}: a symbolic link leads it to {outside}" in result.err
    assert outside.read_text(encoding="utf-8") == "do not overwrite"
    assert sorted(p.name for p in project.iterdir()) == ["server_config.yaml"]  # nothing written

    (project / "server_config.yaml").unlink()
    other = tmp_path / "other"
    other.mkdir()
    (project / "controller").symlink_to(other, target_is_directory=True)
    result = cli("create", str(project), "--force")
    assert result.code == 2
    assert "controller" in result.err
    assert list(other.iterdir()) == []
