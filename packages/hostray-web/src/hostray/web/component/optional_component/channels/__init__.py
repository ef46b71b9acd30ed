"""The `channels` component: named publish/subscribe channels, in this process or over Redis.

`component.py` is `ChannelsComponent`; `backend.py` the `ChannelBackend` protocol, the message
type and the in-process backend; `redis_backend.py` the Redis pub/sub backend. Nothing is
imported here, so naming the package does not import redis.
"""
