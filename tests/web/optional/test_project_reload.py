"""A project with ORM entities on the seed's `get_declarative_base()` loads any number of times in
one process: each load declares its tables on a base of its own, serves and queries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from hostray.config import ConfigError
from hostray.web.config_validator import HostrayWebConfigComponentValidator
from hostray.web.pytest_plugin import RunningServer

from .notes_project import write_notes_project


def post_note(server: RunningServer, text: str) -> dict[str, int]:
    request = urllib.request.Request(server.url(f"/notes?text={text}&tag=t"), data=b"")
    with urllib.request.urlopen(request, timeout=30) as response:
        counts: dict[str, int] = json.loads(response.read())
    return counts


def test_a_project_with_two_entities_loads_five_times_in_one_process(tmp_path: Path) -> None:
    root = write_notes_project(tmp_path / "notes")
    bases = []
    for load in range(1, 6):
        server = RunningServer(root)
        try:
            assert post_note(server, f"n{load}") == {"notes": load, "tags": load}
            bases.append(server.server.project.declarative_bases["default"])
        finally:
            server.stop()
    assert len({id(base) for base in bases}) == 5
    assert all(set(b.metadata.tables) == {"ru_notes", "ru_tags"} for b in bases)


def test_ten_pytest_tests_use_the_hostray_server_fixture(tmp_path: Path) -> None:
    write_notes_project(tmp_path / "notes")
    (tmp_path / "pytest.ini").write_text("[pytest]\nhostray_project = notes\n")
    tests = "\n".join(
        f"def test_{n}(hostray_server):\n"
        "    import json, urllib.request\n"
        "    url = hostray_server.url('/notes?text=x&tag=y')\n"
        "    request = urllib.request.Request(url, data=b'')\n"
        "    with urllib.request.urlopen(request, timeout=30) as response:\n"
        f"        assert json.loads(response.read())['notes'] == {n + 1}\n"
        for n in range(10)
    )
    (tmp_path / "test_notes.py").write_text(tests)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "10 passed" in result.stdout


def test_a_load_registers_its_validators_into_its_own_copy(tmp_path: Path) -> None:
    validator = """\
        from hostray.web.config_validator import (
            ConfigContainerMeta, ConfigElementMeta, HostrayWebConfigComponentValidator,
        )
        HostrayWebConfigComponentValidator.set_cls_parameters(
            ConfigContainerMeta("notes_store", False, ConfigElementMeta("limit", int, True))
        )
        """
    root = write_notes_project(tmp_path / "notes")
    init = (root / "component" / "__init__.py").read_text()
    (root / "component" / "__init__.py").write_text(init + "\n" + validator.replace("    ", ""))
    config = (root / "server_config.yaml").read_text()
    (root / "server_config.yaml").write_text(config.replace("notes_store:", "notes_store: {}"))
    try:
        RunningServer(root).stop()
    except ConfigError as exc:
        assert "component.notes_store.limit: missing required key" in str(exc)
    else:
        raise AssertionError("the project's own validator was not applied")
    assert "notes_store" not in HostrayWebConfigComponentValidator.cls_parameters
