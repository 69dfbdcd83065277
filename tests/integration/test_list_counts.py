"""Cached list totals (app/core/lists.py): reused until their epoch moves, and counted once when
many requests miss together. A shared mechanism; the lists that use it cite their own features."""
from __future__ import annotations

import asyncio
import secrets

from tortoise.queryset import QuerySet

from app.core.lists import cached_count, invalidate_counts
from app.identity.models import Account


async def test_requests_that_miss_together_share_one_count(monkeypatch):
    epoch = "test_" + secrets.token_hex(4)
    counted = 0
    real = QuerySet.count

    def spy(self):  # noqa: ANN001, ANN202 - the real count, tallied
        nonlocal counted
        counted += 1
        return real(self)

    qs = Account.filter(id__gte=0)
    n = await qs.count()
    monkeypatch.setattr(QuerySet, "count", spy)
    assert await asyncio.gather(*(cached_count(qs, epoch) for _ in range(20))) == [n] * 20
    assert counted == 1
    assert await cached_count(qs, epoch) == n and counted == 1  # filed in Redis
    await invalidate_counts(epoch)
    assert await cached_count(qs, epoch) == n and counted == 2
