"""The `task_queue` config block: its validator (the single source of keys and defaults) and the
frozen `TaskQueueSettings` that `TaskQueueComponent.init` builds from the validated block.

    task_queue:
        backend: celery                  # thread (default) | celery
        broker: redis://127.0.0.1:6379/0 # or amqp://guest:guest@127.0.0.1:5672//
        result_backend: redis://127.0.0.1:6379/1   # default: the broker (Redis) or rpc:// (AMQP)
        queue: hostray                   # the Celery queue the tasks go to
        visibility_timeout: 3600         # Redis brokers: seconds before an unacked task is re-sent
        key_prefix: ""                   # Redis: prefix of every key (several projects on one db)

Only hostray.config is imported here, so the validators load without Celery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hostray.config import ConfigContainerMeta, ConfigElementMeta

__all__ = [
    "BACKENDS",
    "DEFAULT_BROKER",
    "DEFAULT_QUEUE",
    "DEFAULT_VISIBILITY_TIMEOUT",
    "DEFAULT_WORKER_COUNT",
    "TaskQueueSettings",
    "TaskQueueValidator",
]

BACKENDS = ("thread", "celery")
DEFAULT_WORKER_COUNT = 1
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "hostray"
DEFAULT_VISIBILITY_TIMEOUT = 3600.0
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps")
RESULT_SCHEMES = ("redis", "rediss", "rpc")


def _url(schemes: tuple[str, ...], label: str) -> Callable[[Any], str]:
    """A parameter type accepting a URL string of one of `schemes`; `label` names it in problems."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(label)
        scheme, sep, _ = value.partition("://")
        if not sep or scheme not in schemes:
            raise ValueError(label)
        return value

    check.__name__ = label
    return check


def _positive(kind: type, label: str) -> Callable[[Any], Any]:
    """A parameter type accepting a `kind` number > 0 (an int for int)."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(label)
        if (kind is int and not isinstance(value, int)) or value <= 0:
            raise ValueError(label)
        return kind(value)

    check.__name__ = label
    return check


_broker = _url(BROKER_SCHEMES, "a redis:// or amqp:// URL")
_result_backend = _url(RESULT_SCHEMES, "a redis:// or rpc:// URL")
_workers = _positive(int, "an int >= 1")
_seconds = _positive(float, "a number of seconds > 0")

TaskQueueValidator = ConfigContainerMeta(
    "task_queue",
    False,
    ConfigElementMeta("backend", str, False, default="thread", choices=BACKENDS),
    ConfigElementMeta("worker_count", _workers, False, default=DEFAULT_WORKER_COUNT),
    ConfigElementMeta("broker", _broker, False, default=DEFAULT_BROKER),
    ConfigElementMeta("result_backend", _result_backend, False),
    ConfigElementMeta("queue", str, False, default=DEFAULT_QUEUE),
    ConfigElementMeta("visibility_timeout", _seconds, False, default=DEFAULT_VISIBILITY_TIMEOUT),
    ConfigElementMeta("key_prefix", str, False, default=""),
)
"""`task_queue`: `backend: thread` runs tasks on `worker_count` threads of this process;
`backend: celery` sends them to `hostray worker` processes through `broker`."""


@dataclass(frozen=True)
class TaskQueueSettings:
    """The validated `task_queue` block; `result_url` is `result_backend` or its default."""

    backend: str = "thread"
    worker_count: int = DEFAULT_WORKER_COUNT
    broker: str = DEFAULT_BROKER
    result_backend: str | None = None
    queue: str = DEFAULT_QUEUE
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    key_prefix: str = ""

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> TaskQueueSettings:
        """Settings from a `task_queue` block, validated (a `ConfigError` names each bad key)."""
        validated = TaskQueueValidator(dict(block), "component.task_queue").parameter
        return cls(
            backend=validated["backend"],
            worker_count=validated["worker_count"],
            broker=validated["broker"],
            result_backend=validated.get("result_backend"),
            queue=validated["queue"],
            visibility_timeout=validated["visibility_timeout"],
            key_prefix=validated["key_prefix"],
        )

    @property
    def result_url(self) -> str:
        """Where results go: `result_backend`, else the Redis broker itself, else `rpc://`."""
        if self.result_backend:
            return self.result_backend
        return self.broker if self.broker.startswith(("redis", "rediss")) else "rpc://"

    @property
    def redis_broker(self) -> bool:
        """Whether the broker is Redis (where `visibility_timeout` applies)."""
        return self.broker.startswith(("redis://", "rediss://"))
