"""Thread workers, worker pools with async access, and enum-keyed callbacks (stdlib only)."""

from importlib.metadata import version as _version

from hostray.workers.callbacks import Callbacks
from hostray.workers.errors import PoolClosedError
from hostray.workers.loop_worker import FunctionLoopWorker
from hostray.workers.pool import AsyncWorkerPool, WorkerPool
from hostray.workers.worker import FunctionQueueWorker, Worker

__version__: str = _version("hostray-workers")

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
