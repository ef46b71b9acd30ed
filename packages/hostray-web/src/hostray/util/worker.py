"""The seed's `hostray.util.worker`: thread workers and pools from `hostray.workers`."""

from hostray.workers import (
    AsyncWorkerPool,
    Callbacks,
    FunctionLoopWorker,
    FunctionQueueWorker,
    PoolClosedError,
    Worker,
    WorkerPool,
)

__all__ = [
    "AsyncWorkerPool",
    "Callbacks",
    "FunctionLoopWorker",
    "FunctionQueueWorker",
    "PoolClosedError",
    "Worker",
    "WorkerPool",
]
