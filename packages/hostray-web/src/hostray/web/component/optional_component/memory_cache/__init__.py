"""The `memory_cache` component: server-side sessions, in this process or in Redis.

`component.py` is `MemoryCacheComponent`; `session_store.py` the `SessionStore` protocol that
`memory_store.py` and `redis_store.py` implement; `session_data.py` what a session may hold and
its encoding; `session_file.py` the memory store's save file. Nothing is imported here, so
naming the package does not import redis.
"""
