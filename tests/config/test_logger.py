"""HostrayLogger: echo, rotating log files, one set of handlers, thread safety, colour on a tty."""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import hostray.config.logger as logger_module
from hostray.config import (
    DEFAULT_LOGGERS,
    HostrayLogger,
    get_Hostray_logger,
    set_default_loggers_level,
)


@pytest.fixture
def fresh_names() -> Iterator[list[str]]:
    """Logger names used by a test; their hostray handlers are removed afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        logger = logging.getLogger(name)
        if isinstance(logger, HostrayLogger):
            logger.set_echo(False)
            logger.close()


def test_seed_example_logs_to_working_directory_and_stdout(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_names: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    fresh_names.append("test")
    logger = get_Hostray_logger("test", log_to_resource=True)  # log to current working directory
    logger.info("hello")
    assert isinstance(logger, HostrayLogger)
    assert logger.log_file == str(tmp_path / "test.log")
    for handler in logger.handlers:
        handler.flush()
    content = (tmp_path / "test.log").read_text(encoding="utf-8")
    assert content.startswith("test - INFO - ")
    assert content.endswith(" hello\n")
    out = capsys.readouterr().out
    assert out.endswith(" INFO     test - hello\n")
    assert "\x1b[" not in out  # not a tty: no colour


def test_one_set_of_handlers_however_often_requested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fresh_names: list[str]
) -> None:
    fresh_names.append("hostray.test.once")
    for _ in range(3):
        logger = get_Hostray_logger("hostray.test.once", log_to_resource=True, log_dir=tmp_path)
    assert len(logger.handlers) == 2
    assert logger.echo is True
    logger.warning("once")
    assert capsys.readouterr().out.count(" once\n") == 1
    assert (tmp_path / "hostray.test.once.log").read_text().count(" once\n") == 1
    # switching off echo and file output removes exactly those handlers
    get_Hostray_logger("hostray.test.once", echo=False)
    assert logger.handlers == []
    assert logger.echo is False
    logger.warning("silent")
    assert capsys.readouterr().out == ""


def test_sub_dir_mode_and_directory_change(tmp_path: Path, fresh_names: list[str]) -> None:
    fresh_names.append("hostray.test.dirs")
    log_file = tmp_path / "logs" / "web" / "hostray.test.dirs.log"
    log_file.parent.mkdir(parents=True)
    log_file.write_text("old line\n")
    logger = get_Hostray_logger(
        "hostray.test.dirs",
        log_to_resource=True,
        log_dir=tmp_path / "logs",
        sub_dir="web",
        mode="w",
        echo=False,
    )
    logger.error("new line")
    assert log_file.read_text().endswith("new line\n")
    assert "old line" not in log_file.read_text()
    get_Hostray_logger(
        "hostray.test.dirs", log_to_resource=True, log_dir=tmp_path / "other", echo=False
    ).error("moved")
    assert "moved" not in log_file.read_text()
    assert "moved" in (tmp_path / "other" / "hostray.test.dirs.log").read_text()
    assert len(logger.handlers) == 1


def test_log_files_rotate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_names: list[str]
) -> None:
    monkeypatch.setattr(logger_module, "LOG_MAX_BYTES", 300)
    monkeypatch.setattr(logger_module, "LOG_BACKUP_COUNT", 2)
    fresh_names.append("hostray.test.rotate")
    logger = get_Hostray_logger(
        "hostray.test.rotate", log_to_resource=True, log_dir=tmp_path, echo=False
    )
    for index in range(40):
        logger.info("line %03d %s", index, "x" * 40)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [
        "hostray.test.rotate.log",
        "hostray.test.rotate.log.1",
        "hostray.test.rotate.log.2",
    ]
    assert all(p.stat().st_size <= 300 for p in tmp_path.iterdir())
    assert "line 039" in (tmp_path / "hostray.test.rotate.log").read_text()


def test_concurrent_requests_and_writes(tmp_path: Path, fresh_names: list[str]) -> None:
    name = "hostray.test.threads"
    fresh_names.append(name)
    start = threading.Barrier(8)

    def work(worker: int) -> None:
        start.wait(timeout=10)
        for index in range(50):
            get_Hostray_logger(name, log_to_resource=True, log_dir=tmp_path, echo=False).info(
                "w%d-%d", worker, index
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    logger = logging.getLogger(name)
    assert len(logger.handlers) == 1
    lines = (tmp_path / f"{name}.log").read_text().splitlines()
    assert len(lines) == 400
    assert {line.rsplit(" ", 1)[1] for line in lines} == {
        f"w{w}-{i}" for w in range(8) for i in range(50)
    }


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_tty(monkeypatch: pytest.MonkeyPatch, fresh_names: list[str]) -> None:
    fresh_names.append("hostray.test.colour")
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    logger = get_Hostray_logger("hostray.test.colour")
    logger.error("red")
    assert terminal.getvalue().startswith("\x1b[31m")
    assert terminal.getvalue().endswith("red\x1b[0m\n")
    monkeypatch.setenv("NO_COLOR", "1")
    logger.error("plain")
    assert terminal.getvalue().splitlines()[-1].endswith("hostray.test.colour - plain")
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", piped)
    monkeypatch.delenv("NO_COLOR")
    logger.error("piped")
    assert "\x1b[" not in piped.getvalue()


def test_existing_logger_becomes_a_hostray_logger_in_place(fresh_names: list[str]) -> None:
    name = "hostray.test.existing"
    fresh_names.append(name)
    plain = logging.getLogger(name)
    plain.setLevel(logging.WARNING)
    logger = get_Hostray_logger(name, echo=False)
    assert logger is plain
    assert isinstance(plain, HostrayLogger)
    assert plain.level == logging.WARNING  # a level set elsewhere is kept
    with pytest.raises(ValueError, match="root logger"):
        get_Hostray_logger("")


def test_set_default_loggers_level() -> None:
    assert DEFAULT_LOGGERS == (
        "tornado.access",
        "tornado.application",
        "tornado.general",
        "sqlalchemy",
    )
    before = {name: logging.getLogger(name).level for name in DEFAULT_LOGGERS}
    try:
        set_default_loggers_level("error")
        assert all(logging.getLogger(n).level == logging.ERROR for n in DEFAULT_LOGGERS)
        set_default_loggers_level(logging.DEBUG)
        assert all(logging.getLogger(n).level == logging.DEBUG for n in DEFAULT_LOGGERS)
        with pytest.raises(ValueError, match="unknown logging level 'LOUD'"):
            set_default_loggers_level("LOUD")
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def test_positional_arguments_in_0_7_5_order(tmp_path: Path, fresh_names: list[str]) -> None:
    # 0.7.5: get_Hostray_logger(name, log_dir, mode, encoding, log_to_resource)
    fresh_names.append("hostray.test.positional")
    logs = tmp_path / "logs"
    logger = get_Hostray_logger("hostray.test.positional", str(logs), "w", "utf-8", True)
    logger.error("written")
    assert "written" in (logs / "hostray.test.positional.log").read_text()
    get_Hostray_logger("hostray.test.positional", str(logs))  # log_to_resource False: file closed
    logger.error("not written")
    assert "not written" not in (logs / "hostray.test.positional.log").read_text()


def test_a_bool_where_0_7_5_had_log_dir_is_refused(fresh_names: list[str]) -> None:
    fresh_names.append("hostray.test.positional.bool")
    with pytest.raises(TypeError, match=r"log_to_resource=\.\.\. by keyword"):
        get_Hostray_logger("hostray.test.positional.bool", True)  # type: ignore[arg-type]


def test_the_console_fallback_stamps_what_no_echo_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from hostray.config import get_Hostray_logger, install_console_fallback

    handler = install_console_fallback()
    try:
        assert install_console_fallback() is handler  # once per process
        quiet = get_Hostray_logger("hostray.test.fallback.quiet", echo=False)
        loud = get_Hostray_logger("hostray.test.fallback.loud", echo=True)
        quiet.error("bare before")
        loud.error("echoed once")
        quiet.info("below the fallback's level")
        captured = capsys.readouterr()
    finally:
        logging.getLogger().removeHandler(handler)
    (line,) = captured.err.splitlines()
    assert line.endswith("ERROR    hostray.test.fallback.quiet - bare before")
    assert line[:4].isdigit()  # the time comes first
    assert captured.out.count("echoed once") == 1
    assert "echoed once" not in captured.err
