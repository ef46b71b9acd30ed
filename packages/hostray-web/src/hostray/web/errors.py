"""hostray-web's errors: one tree under `HostrayWebError`, each also the builtin callers expect.

```
HostrayWebError
├── ProjectError(ConfigError → ValueError)      a project's reserved modules, enums or components
├── ComponentClosedError(RuntimeError)           a call reached a component after its dispose()
│   └── TaskQueueClosedError                     task_queue refuses new tasks while it shuts down
├── TaskDroppedError(RuntimeError)               a queued task never ran: shutdown_timeout ran out
├── ServiceError                                 services: everything `invoke` raises itself
│   ├── UnknownServiceError(LookupError)
│   ├── MethodNotEnabledError(ValueError)
│   ├── ServiceArgumentError(ValueError)
│   └── ServiceConnectionError(ConnectionError)  refused, reset, unresolvable → 502
│       └── ServiceTimeoutError(TimeoutError)    no answer within `timeout` → 504
├── SessionValueError(TypeError)                 a value a session cannot keep
└── SessionStoreUnavailableError(RuntimeError)   Redis unreachable → 503
```

The `Service*` and `Session*` classes live in `hostray.web.component.optional_component.errors`
(importable without aiohttp or redis) and `TaskDroppedError` is also importable from
`hostray.web.component.task_queue`; `ConfigError` (hostray.config) covers the config file's shape.
"""

from __future__ import annotations

from hostray.config import ConfigError

__all__ = [
    "ComponentClosedError",
    "HostrayWebError",
    "ProjectError",
    "TaskDroppedError",
    "TaskQueueClosedError",
]


class HostrayWebError(Exception):
    """Base of every error hostray-web raises itself; catch it to catch them all."""


class ProjectError(HostrayWebError, ConfigError):
    """A project's reserved modules, enums or components are wrong; one line per problem."""


class ComponentClosedError(HostrayWebError, RuntimeError):
    """A call reached a component whose `dispose()` has begun; the call did not run."""


class TaskQueueClosedError(ComponentClosedError):
    """`task_queue` is shutting down and queues nothing more; the function was not queued."""


class TaskDroppedError(HostrayWebError, RuntimeError):
    """Given to `on_exception` of a task that was still queued when shutdown_timeout ran out."""
