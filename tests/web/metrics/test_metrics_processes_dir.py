"""The directory `--processes` children share their metric files in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hostray.web.component.optional_component.metrics.processes import (
    MULTIPROC_ENV,
    multiprocess_metrics,
)
from hostray.web.project import project_from_config

WITH_METRICS = {"name": "m", "component": {"metrics": {}}}


def test_an_operators_directory_is_emptied_of_an_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "counter_1234.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    with multiprocess_metrics(project_from_config(WITH_METRICS, str(tmp_path))) as directory:
        assert directory == str(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    assert os.environ[MULTIPROC_ENV] == str(tmp_path)


def test_a_fresh_directory_is_made_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    with multiprocess_metrics(project_from_config(WITH_METRICS, str(tmp_path))) as directory:
        assert directory is not None and os.environ[MULTIPROC_ENV] == directory
        assert Path(directory).is_dir()
    assert not Path(directory).exists()
    assert MULTIPROC_ENV not in os.environ


def test_nothing_without_the_component(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    with multiprocess_metrics(project_from_config({"name": "m"}, str(tmp_path))) as directory:
        assert directory is None
        assert MULTIPROC_ENV not in os.environ
