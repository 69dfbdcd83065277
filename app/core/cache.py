"""The process's Redis client (sessions, rate limits, caches, pub/sub)."""
from __future__ import annotations

import redis.asyncio as aioredis

from app.config import get_settings

_client: aioredis.Redis | None = None


def redis() -> aioredis.Redis:
    global _client
    if _client is None:
        # A blocking pool makes a burst wait for a free connection instead of failing with a 500.
        pool = aioredis.BlockingConnectionPool.from_url(get_settings().redis_url, decode_responses=True,
                                                        max_connections=600, timeout=10,
                                                        health_check_interval=30)
        _client = aioredis.Redis(connection_pool=pool)
    return _client


async def close_redis() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None
