"""The platform process's exchange client (one per process, journaled to the monitor) and the
partner operations domains call.

Domains never import an adapter module: they call the operations below (`unit_table`,
`geocode`, ...), which build the adapter's request and pass it this process's client.
"""
from __future__ import annotations

import asyncio

from app.config import get_settings
from app.core.cache import redis
from exchange import journal
from exchange.adapters import real_estate_trading
from exchange.adapters.baidu_map import BaiduMapClient, BaiduMapError, GeocodeResult
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


# REA-01 楼盘表 (real estate trading system): the query (a pydantic model: invalid fields raise
# ValidationError) and the call.
UnitTableQuery = real_estate_trading.UnitTableQuery


async def unit_table(query: UnitTableQuery) -> real_estate_trading.UnitTable:
    return await real_estate_trading.unit_table(await client(), query)


# INT-15 地址解析 (Baidu Map web service): raises GeocodeError (.not_found, .status, .message).
GeocodeError = BaiduMapError


async def geocode(address: str) -> GeocodeResult:
    c = BaiduMapClient.from_settings(get_settings())
    try:
        return await c.geocode(address)
    finally:
        await c.aclose()


async def close() -> None:
    global _client
    if _client is not None:
        await _client.transport.close()
        _client = None
