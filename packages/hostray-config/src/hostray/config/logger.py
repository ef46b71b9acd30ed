"""hostray's loggers: one set of handlers per logger (stdout echo, rotating file), however often
the logger is requested; configuration is serialised by a lock, colour is used only on a tty.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from typing import TYPE_CHECKING, Any, TextIO

from .log_format import JsonFormatter, current_log_format

__all__ = [
    "DEFAULT_LOGGERS",
    "LOG_BACKUP_COUNT",
    "LOG_MAX_BYTES",
    "HostrayLogger",
    "apply_log_format",
    "get_Hostray_logger",
    "install_console_fallback",
    "set_default_loggers_level",
]

DEFAULT_LOGGERS: tuple[str, ...] = (
    "tornado.access",
    "tornado.application",
    "tornado.general",
    "sqlalchemy",
)
"""The third-party loggers a hostray server manages (level, echo, log files)."""

LOG_MAX_BYTES = 10 * 1024 * 1024
"""A log file rotates when it reaches this size ..."""
LOG_BACKUP_COUNT = 5
"""... keeping this many old files (``name.log.1`` … ``name.log.5``)."""

CONSOLE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s - %(message)s"
FILE_FORMAT = "%(name)s - %(levelname)s - %(asctime)s %(message)s"

_COLOURS = {
    logging.DEBUG: "\x1b[2m",
    logging.WARNING: "\x1b[33m",
    logging.ERROR: "\x1b[31m",
    logging.CRITICAL: "\x1b[1;31m",
}
_RESET = "\x1b[0m"
_LOCK = threading.RLock()

if TYPE_CHECKING:
    _StreamHandler = logging.StreamHandler[TextIO]
else:  # not subscriptable at runtime before Python 3.11
    _StreamHandler = logging.StreamHandler


class _StdoutHandler(_StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (so redirections are honoured)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """The stream is always the current ``sys.stdout``."""

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record and mark it, so that the console fallback does not print it again."""
        record.hostray_echoed = True
        super().emit(record)


class _StderrHandler(_StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time; skips records an echo handler printed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.addFilter(lambda record: not getattr(record, "hostray_echoed", False))

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """The stream is always the current ``sys.stderr``."""


class _ConsoleFormatter(logging.Formatter):
    """Colours the level name when stdout is a terminal (and NO_COLOR is not set)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        colour = _COLOURS.get(record.levelno)
        if colour and _stdout_is_tty() and "NO_COLOR" not in os.environ:
            return f"{colour}{text}{_RESET}"
        return text


def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class HostrayLogger(logging.Logger):
    """A ``logging.Logger`` whose hostray handlers (echo, file) are set, not stacked."""

    _hostray_echo: logging.Handler | None = None
    _hostray_file: RotatingFileHandler | None = None

    def set_echo(self, echo: bool) -> None:
        """Print records to stdout, or stop doing so."""
        with _LOCK:
            if echo and self._hostray_echo is None:
                handler = _StdoutHandler()
                handler.setFormatter(_console_formatter())
                self.addHandler(handler)
                self._hostray_echo = handler
            elif not echo and self._hostray_echo is not None:
                self.removeHandler(self._hostray_echo)
                self._hostray_echo = None

    @property
    def echo(self) -> bool:
        """Whether records are printed to stdout (`set_echo`)."""
        return self._hostray_echo is not None

    @property
    def log_file(self) -> str | None:
        """The file this logger writes to, if any."""
        handler = self._hostray_file
        return None if handler is None else handler.baseFilename

    def set_output_directory(
        self,
        log_dir: str | os.PathLike[str] | None = None,
        sub_dir: str = "",
        mode: str = "a",
        encoding: str = "utf-8",
    ) -> None:
        """Write to ``<log_dir>/<sub_dir>/<name>.log`` (the working directory by default),
        rotating at LOG_MAX_BYTES; ``mode='w'`` starts the file afresh."""
        directory = os.path.abspath(os.path.join(log_dir or os.getcwd(), sub_dir))
        path = os.path.join(directory, f"{self.name}.log")
        with _LOCK:
            if self._hostray_file is not None:
                if self._hostray_file.baseFilename == path:
                    return
                self.close()
            os.makedirs(directory, exist_ok=True)
            if mode == "w":
                with open(path, "w", encoding=encoding):
                    pass
            handler = RotatingFileHandler(
                path,
                mode="a",
                maxBytes=LOG_MAX_BYTES,
                backupCount=LOG_BACKUP_COUNT,
                encoding=encoding,
            )
            handler.setFormatter(_file_formatter())
            self.addHandler(handler)
            self._hostray_file = handler

    def close(self) -> None:
        """Stop writing to the log file and close it."""
        with _LOCK:
            handler = self._hostray_file
            if handler is not None:
                self.removeHandler(handler)
                handler.close()
                self._hostray_file = None


def _console_formatter() -> logging.Formatter:
    """The stdout echo's formatter in the current log format."""
    return JsonFormatter() if current_log_format() == "json" else _ConsoleFormatter(CONSOLE_FORMAT)


def _file_formatter() -> logging.Formatter:
    """A log file's formatter in the current log format."""
    return JsonFormatter() if current_log_format() == "json" else logging.Formatter(FILE_FORMAT)


_LAST_RESORT = logging.lastResort


def apply_log_format() -> None:
    """Give every HostrayLogger's echo and file handlers the current format's formatter; with
    `json`, records of loggers without handlers (stdlib's last resort) are JSON on stderr too."""
    with _LOCK:
        for logger in list(logging.Logger.manager.loggerDict.values()):
            if not isinstance(logger, HostrayLogger):
                continue
            if logger._hostray_echo is not None:
                logger._hostray_echo.setFormatter(_console_formatter())
            if logger._hostray_file is not None:
                logger._hostray_file.setFormatter(_file_formatter())
        if _fallback is not None:
            _fallback.setFormatter(_console_formatter())
        if current_log_format() == "json":
            last_resort = logging.StreamHandler(sys.stderr)
            last_resort.setLevel(logging.WARNING)
            last_resort.setFormatter(JsonFormatter())
            logging.lastResort = last_resort
        else:
            logging.lastResort = _LAST_RESORT


def get_Hostray_logger(  # noqa: PLR0913 -- the seed's documented signature, 0.7.5's positional order
    name: str,
    log_dir: str | os.PathLike[str] | None = None,
    mode: str = "a",
    encoding: str = "utf-8",
    log_to_resource: bool = False,
    *,
    sub_dir: str = "",
    echo: bool = True,
) -> HostrayLogger:
    """The logger ``name`` set up as asked: echo to stdout, and a log file when
    ``log_to_resource`` (under ``log_dir``/``sub_dir``, the working directory by default).

    The positional order is 0.7.5's: ``(name, log_dir, mode, encoding, log_to_resource)``."""
    if isinstance(log_dir, bool):
        raise TypeError(
            f"get_Hostray_logger({name!r}, {log_dir!r}, ...): the second argument is log_dir "
            "(0.7.5's order); pass log_to_resource=... by keyword"
        )
    if not isinstance(name, str) or not name or name == "root":
        raise ValueError(f"a logger needs a name other than the root logger's, got {name!r}")
    logger: Any = logging.getLogger(name)
    with _LOCK:
        if not isinstance(logger, HostrayLogger):
            # Loggers made elsewhere (tornado's, sqlalchemy's) become HostrayLoggers in place,
            # so every holder of the object sees the same handlers.
            logger.__class__ = HostrayLogger
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        logger.set_echo(echo)
        if log_to_resource:
            logger.set_output_directory(log_dir, sub_dir=sub_dir, mode=mode, encoding=encoding)
        else:
            logger.close()
    result: HostrayLogger = logger
    return result


_fallback: logging.Handler | None = None


def install_console_fallback(level: int = logging.WARNING) -> logging.Handler:
    """Give the root logger (once per process) a stderr handler in hostray's console format for
    records at `level` and above that no hostray echo printed.

    Without it such records (Tornado's "Uncaught exception" when its loggers do not echo, anything
    logged after the logger component is disposed) reach Python's last-resort handler and come
    out bare, without time or level. For applications (the `hostray` command), not libraries.
    """
    global _fallback
    with _LOCK:
        if _fallback is None:
            handler = _StderrHandler()
            handler.setFormatter(_console_formatter())
            handler.setLevel(level)
            logging.getLogger().addHandler(handler)
            _fallback = handler
        return _fallback


def set_default_loggers_level(level: int | str, names: Iterable[str] = DEFAULT_LOGGERS) -> None:
    """Set the level of the default loggers (hostray-web: ``debug: false`` → ERROR)."""
    resolved = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(resolved, int):
        raise ValueError(f"unknown logging level {level!r}")
    for name in names:
        logging.getLogger(name).setLevel(resolved)
