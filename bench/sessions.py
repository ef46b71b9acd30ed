"""memory_cache sessions against what they replace, side by side in one run.

- `MemoryCacheComponent.get(session_id)` of an existing in-memory session, against a plain dict
  lookup plus an expiry check in a function with the same result, `(data, session_id)`: the
  least any session store's get does. Target ≥ 0.5×.
- The Redis backend's `get_async(session_id, renew_lifetime=True)` (one GETEX round trip and a
  JSON decode), against bare redis.asyncio GET + PEXPIRE sent as one pipelined round trip with the
  same decode, on the same server (`HOSTRAY_TEST_REDIS_URL`, default loopback). Target ≥ 0.8×.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from typing import Any

import redis.asyncio as aioredis

from bench._harness import Row
from hostray.web.component import ComponentManager, OptionalComponentTypes
from hostray.web.component.optional_component import MemoryCacheComponent

MEMORY_CALLS = 200_000
REDIS_CALLS = 5_000
RUNS = 5
LIFETIME = 600
REDIS_URL = os.environ.get("HOSTRAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _component(**config: Any) -> MemoryCacheComponent:
    cache = MemoryCacheComponent(OptionalComponentTypes.MemoryCache)
    cache.init(ComponentManager(), sess_lifetime=LIFETIME, **config)
    return cache


def _memory_rates() -> tuple[float, float]:
    cache = _component()
    session, sid = cache.get()
    session["user"] = "ada"
    plain = {sid: ({"user": "ada"}, time.time() + LIFETIME)}

    def ours() -> None:
        get = cache.get
        for _ in range(MEMORY_CALLS):
            get(sid)

    def plain_get(session_id: str) -> tuple[dict[str, str], str] | None:
        entry = plain.get(session_id)
        if entry is not None and entry[1] >= time.time():
            return entry[0], session_id
        return None

    def baseline() -> None:
        get = plain_get
        for _ in range(MEMORY_CALLS):
            get(sid)

    mine: list[float] = []
    base: list[float] = []
    try:
        for _ in range(RUNS):
            for work, into in ((ours, mine), (baseline, base)):
                started = time.perf_counter()
                work()
                into.append(MEMORY_CALLS / (time.perf_counter() - started))
    finally:
        asyncio.run(cache.dispose(ComponentManager()))
    return statistics.median(mine), statistics.median(base)


async def _redis_rates() -> tuple[float, float]:
    prefix = f"hostray-bench:{uuid.uuid4().hex}:"
    cache = _component(backend="redis", url=REDIS_URL, key_prefix=prefix)
    bare = aioredis.Redis.from_url(REDIS_URL)
    try:
        session, sid = await cache.get_async()
        session["user"] = "ada"
        await cache.save_session_async(sid, session)
        key = prefix + sid
        lifetime_ms = LIFETIME * 1000

        async def ours() -> None:
            for _ in range(REDIS_CALLS):
                await cache.get_async(sid, renew_lifetime=True)

        async def baseline() -> None:
            for _ in range(REDIS_CALLS):
                pipe = bare.pipeline(transaction=False)
                pipe.get(key)
                pipe.pexpire(key, lifetime_ms)
                raw, _ = await pipe.execute()
                json.loads(raw)

        await ours()  # connect and warm up both clients
        await baseline()
        mine: list[float] = []
        base: list[float] = []
        for _ in range(RUNS):
            for work, into in ((ours, mine), (baseline, base)):
                started = time.perf_counter()
                await work()
                into.append(REDIS_CALLS / (time.perf_counter() - started))
        await cache.clear_session_async(sid)
        return statistics.median(mine), statistics.median(base)
    finally:
        await bare.aclose()
        await cache.dispose(ComponentManager())


def run() -> list[Row]:
    memory, plain = _memory_rates()
    redis_ours, redis_bare = asyncio.run(_redis_rates())
    return [
        Row.compare("memory_cache.get, existing session", memory, plain, "get/s", 0.5),
        Row.compare("memory_cache (redis) get_async + renew", redis_ours, redis_bare, "get/s", 0.8),
    ]
