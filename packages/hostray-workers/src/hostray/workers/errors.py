"""The one error a caller of hostray.workers tells apart: using a pool or worker after dispose()."""

from __future__ import annotations

__all__ = ["PoolClosedError"]


class PoolClosedError(RuntimeError):
    """A call reached a pool or worker whose `dispose()` has begun; the call did not run."""
