"""Prometheus collectors that read the server's components at scrape time.

Nothing here runs on the request path: every value is read from the component that owns it
(worker pools, task_queue, orm_db pools, memory_cache sessions and lookups, the HTTP server's
in-flight requests and the application's open websockets) when `/metrics` is scraped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ... import ComponentManager, DefaultComponentTypes, OptionalComponentTypes

__all__ = ["ComponentsCollector", "ServerCollector"]


def _gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


class ServerCollector(Collector):
    """`hostray_http_requests_in_flight` and `hostray_websocket_connections` of one process.

    Under `--processes N` each process reports its own values with a `pid` label.
    """

    def __init__(self, in_flight: Callable[[], int], websockets: Callable[[], int]) -> None:
        self.in_flight = in_flight
        self.websockets = websockets
        self.pid_label = False

    def collect(self) -> Iterator[Metric]:
        """The two gauges, read now."""
        labels = ["pid"] if self.pid_label else []
        values = [str(os.getpid())] if self.pid_label else []
        in_flight = _gauge("hostray_http_requests_in_flight", "Requests being served.", labels)
        in_flight.add_metric(values, self.in_flight())
        yield in_flight
        sockets = _gauge("hostray_websocket_connections", "Open websocket connections.", labels)
        sockets.add_metric(values, self.websockets())
        yield sockets


class ComponentsCollector(Collector):
    """The state of the worker pools, task_queue, orm_db and memory_cache components."""

    def __init__(self, manager: ComponentManager, pid_label: bool = False) -> None:
        self._manager = manager
        self._pid = [str(os.getpid())] if pid_label else []
        self._pid_key = ["pid"] if pid_label else []

    def collect(self) -> Iterator[Metric]:
        """Every family whose component is loaded."""
        manager = self._manager
        pools = manager.get_component(DefaultComponentTypes.WorkerPool)
        if pools is not None:
            yield from self._worker_pools(pools.pools)
        queue = manager.get_component(DefaultComponentTypes.TaskQueue)
        if queue is not None:
            yield from self._task_queue(queue.metrics_state())
        orm = manager.get_component(OptionalComponentTypes.OrmDB)
        if orm is not None:
            yield from self._orm_db(orm.pool_state())
        cache = manager.get_component(OptionalComponentTypes.MemoryCache)
        if cache is not None:
            sessions = _gauge(
                "hostray_memory_cache_sessions", "Sessions held (memory backend).", self._pid_key
            )
            count = cache.session_count()
            if count is not None:
                sessions.add_metric(self._pid, count)
            yield sessions
            yield from self._memory_cache_lookups(*cache.lookup_counts())
            saves = cache.save_state()
            if saves is not None:
                yield from self._memory_cache_saves(*saves)

    def _worker_pools(self, pools: dict[str, Any]) -> Iterator[Metric]:
        keys = ["pool", *self._pid_key]
        workers = _gauge("hostray_worker_pool_workers", "Worker threads made.", keys)
        limit = _gauge("hostray_worker_pool_worker_limit", "Worker threads allowed.", keys)
        busy = _gauge("hostray_worker_pool_busy", "Workers running a call.", keys)
        queued = _gauge("hostray_worker_pool_queued", "Calls waiting for a worker.", keys)
        for pool_id, pool in pools.items():
            values = [pool_id, *self._pid]
            info = pool.info()
            made = pool.workers
            workers.add_metric(values, len(made))
            limit.add_metric(values, pool.worker_limit)
            busy.add_metric(values, sum(1 for w in made if w.pending_count))
            queued.add_metric(values, info["queued"])
        yield from (workers, limit, busy, queued)

    def _task_queue(self, state: dict[str, int]) -> Iterator[Metric]:
        for name, meaning in (
            ("queued", "Tasks waiting for a queue worker."),
            ("running", "Tasks running."),
            ("done", "Tasks finished since start, failed ones included."),
            ("failed", "Tasks that raised since start."),
        ):
            family = _gauge(f"hostray_task_queue_{name}", meaning, self._pid_key)
            family.add_metric(self._pid, state[name])
            yield family

    def _orm_db(
        self, state: dict[str, tuple[int | None, int | None, int, int]]
    ) -> Iterator[Metric]:
        keys = ["db_id", *self._pid_key]
        checked_out = _gauge("hostray_orm_db_connections_checked_out", "Connections in use.", keys)
        size = _gauge("hostray_orm_db_pool_size", "Connections the engine pool keeps.", keys)
        reconnects = CounterMetricFamily(
            "hostray_orm_db_reconnects", "Resets that closed the pooled connections.", labels=keys
        )
        unavailable = CounterMetricFamily(
            "hostray_orm_db_unavailable_errors",
            "Calls that failed because the database was unreachable.",
            labels=keys,
        )
        for db_id, (in_use, pool_size, resets, failures) in state.items():
            values = [db_id, *self._pid]
            if in_use is not None:
                checked_out.add_metric(values, in_use)
            if pool_size is not None:
                size.add_metric(values, pool_size)
            reconnects.add_metric(values, resets)
            unavailable.add_metric(values, failures)
        yield from (checked_out, size, reconnects, unavailable)

    def _memory_cache_lookups(self, hits: int, misses: int) -> Iterator[Metric]:
        for name, value, meaning in (
            ("hits", hits, "Session lookups that found a live session."),
            ("misses", misses, "Session lookups that found none (no id, unknown or expired)."),
        ):
            family = CounterMetricFamily(
                f"hostray_memory_cache_{name}", meaning, labels=self._pid_key
            )
            family.add_metric(self._pid, value)
            yield family

    def _memory_cache_saves(self, saves: int, seconds: float) -> Iterator[Metric]:
        written = CounterMetricFamily(
            "hostray_memory_cache_saves", "Writes of save_file.", labels=self._pid_key
        )
        written.add_metric(self._pid, saves)
        took = CounterMetricFamily(
            "hostray_memory_cache_save_seconds",
            "Seconds the writes of save_file took.",
            labels=self._pid_key,
        )
        took.add_metric(self._pid, seconds)
        yield from (written, took)
