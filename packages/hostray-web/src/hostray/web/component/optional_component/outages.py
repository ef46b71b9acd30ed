"""Log an outage of a backend once, when it begins, and once more when it ends.

Every request during a database, Redis or upstream outage fails the same way; logging each one
buries the cause, logging none (a bare 503 in the access log) hides it. `OutageLog` logs the
first failure of each backend at ERROR and its recovery at WARNING, thread-safe.
"""

from __future__ import annotations

import logging
import threading

from .. import ComponentManager, DefaultComponentTypes

__all__ = ["OutageLog", "show_logger"]


def show_logger(component_manager: ComponentManager, name: str) -> None:
    """Print the records of logger `name` like the server's own (level and time on stdout, and
    the log `dir` when set), in every mode: what it logs is what an operator must see."""
    loggers = component_manager.get_component(DefaultComponentTypes.Logger)
    if loggers is not None:
        loggers.get_logger(name, echo=True)


class OutageLog:
    """Which backends (a db_id, a service, a Redis URL) are down, logged once per outage."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self._logger = logger
        self._what = what
        self._down: set[str] = set()
        self._lock = threading.Lock()

    def failed(self, name: str, reason: str) -> None:
        """Record a failure of `name`; the first one of an outage is logged at ERROR."""
        with self._lock:
            if name in self._down:
                return
            self._down.add(name)
        self._logger.error("%s %s: %s (logged once until it works again)", self._what, name, reason)

    def recovered(self, name: str) -> None:
        """Record a success of `name`; the end of an outage is logged at WARNING."""
        if name not in self._down:  # fast path: no lock while everything works
            return
        with self._lock:
            if name not in self._down:
                return
            self._down.discard(name)
        self._logger.warning("%s %s: works again", self._what, name)

    def is_down(self, name: str) -> bool:
        """True between a logged failure of `name` and its recovery."""
        return name in self._down
