"""Stopping while work still runs is reported once, in hostray's words, and nothing else."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

import pytest

from hostray.web.component import ComponentManager, DefaultComponentTypes


def test_a_pool_call_outliving_shutdown_timeout_leaves_no_unretrieved_future(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = threading.Event()

    async def serve_and_stop() -> None:
        loop = asyncio.get_running_loop()
        running = asyncio.Event()

        def hold() -> bool:
            """The pool's call: says it runs, then blocks until the test ends."""
            loop.call_soon_threadsafe(running.set)
            return release.wait(5)

        manager = ComponentManager()
        enum = DefaultComponentTypes.WorkerPool
        component = enum.import_class()(enum)
        component.init(manager, default=1)
        manager.set_component(component)
        call = asyncio.ensure_future(component.run_method_async(hold))
        await asyncio.wait_for(running.wait(), 60)  # the call is running on the pool's thread
        manager.shutdown_timeout = 0.2
        await component.dispose(manager)
        call.cancel()

    with caplog.at_level(logging.ERROR):
        try:
            asyncio.run(serve_and_stop())  # ends the loop: what is still closing is cancelled
        finally:
            release.set()
        gc.collect()
    messages = [record.getMessage() for record in caplog.records]
    assert any("calls still running at shutdown in worker pool(s) default" in m for m in messages)
    assert not any("never retrieved" in m for m in messages), messages
