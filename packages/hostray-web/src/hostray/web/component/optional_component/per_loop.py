"""One client object per asyncio event loop, created on first use and closed together.

aiohttp sessions and redis.asyncio clients belong to the loop they were made on; a component
serving requests on one loop and `invoke()` calls on another needs one of each, no more.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["PerLoop"]

T = TypeVar("T")

CLOSE_TIMEOUT = 10.0
logger = logging.getLogger("hostray.web.component")


class PerLoop(Generic[T]):
    """Lazily made `T` for the running loop; `close_all` closes every one still closable."""

    def __init__(self, factory: Callable[[], T], closer: Callable[[T], Awaitable[None]]) -> None:
        self._factory = factory
        self._closer = closer
        self._items: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self) -> T:
        """The object of the running loop, made now if this loop has none yet."""
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None:
            with self._lock:
                item = self._items.get(loop)
                if item is None:
                    item = self._items[loop] = self._factory()
        return item

    def __len__(self) -> int:
        return len(self._items)

    async def close_all(self) -> None:
        """Close the objects of this loop and of other loops still running (a loop already
        closed took its connections with it)."""
        with self._lock:
            items = list(self._items.items())
            self._items.clear()
        current = asyncio.get_running_loop()
        for loop, item in items:
            if loop is current:
                await self._closer(item)
            elif loop.is_running() and not loop.is_closed():
                future = asyncio.run_coroutine_threadsafe(_call(self._closer, item), loop)
                try:
                    await asyncio.wait_for(asyncio.wrap_future(future), CLOSE_TIMEOUT)
                except TimeoutError:
                    logger.warning("%r not closed: its event loop did not answer in time", item)


async def _call(closer: Callable[[T], Awaitable[None]], item: T) -> None:
    await closer(item)
