"""The platform process's exchange client: one per process, journaled to the monitor.

Domains call `await exchange.runtime.client()` and pass it to an adapter function.
"""
from __future__ import annotations

import asyncio

from app.config import get_settings
from app.core.cache import redis
from exchange import journal
from exchange.client import ExchangeClient
from exchange.keys import Keyring
from exchange.transport import Transport

_client: ExchangeClient | None = None
_lock = asyncio.Lock()


async def client() -> ExchangeClient:
    global _client
    async with _lock:
        if _client is None:
            s = get_settings()
            transport = await Transport.connect(s.amqp_url, prefix=s.exchange_prefix)
            _client = await ExchangeClient(Keyring.load(s.exchange_keyring), transport, redis(),
                                           recorder=journal.record).start()
    return _client


async def close() -> None:
    global _client
    if _client is not None:
        await _client.transport.close()
        _client = None
