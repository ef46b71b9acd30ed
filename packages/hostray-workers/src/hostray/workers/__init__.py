"""Thread workers, worker pools with async access, and enum-keyed callbacks (stdlib only)."""

from hostray.workers.callbacks import Callbacks
from hostray.workers.errors import PoolClosedError
from hostray.workers.loop_worker import FunctionLoopWorker
from hostray.workers.pool import AsyncWorkerPool, WorkerPool
from hostray.workers.worker import FunctionQueueWorker, Worker

__all__ = [
    "AsyncWorkerPool",
    "Callbacks",
    "FunctionLoopWorker",
    "FunctionQueueWorker",
    "PoolClosedError",
    "Worker",
    "WorkerPool",
    "__version__",
]


def __getattr__(name: str) -> str:
    """`__version__` from the installed metadata, read on first use (keeps start-up lean)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("hostray-workers")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
