"""The KPI registry behind GET /api/v1/dashboard/kpis.

A domain registers a card in its own module:

    from app.dashboard.kpis import kpi, shared

    @kpi("todo", "待办事项", "件", link="/todo", order=10,
         permissions=("case.work.handle", "case.work.approve", "case.work.supervise"))
    async def todo_count(actor) -> int | None:
        return await scoped(WorkItem, actor)....count()

The function gets the caller's Actor and returns an int, a Decimal, or None ("—": the data
is not available yet). A card whose unit is 元 returns integer fen and is shown as a yuan
string ("1580.00"). Cards that read the same numbers share one query through `shared()`.
The module that registers cards must be imported at startup (a routes module is).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from app.core.money import fen_to_yuan

log = logging.getLogger("arh.dashboard")
MONEY_UNIT = "元"
CONCURRENCY = 3         # DB connections one dashboard load may hold at once (the pool is shared)
TIMEOUT_SECONDS = 5.0   # a slow card shows "—" rather than hold up the others
T = TypeVar("T")
KpiFn = Callable[[Any], Awaitable["int | Decimal | None"]]


@dataclass(frozen=True)
class Kpi:
    key: str
    title: str
    unit: str
    fn: KpiFn
    link: str | None = None
    order: int = 100
    permissions: tuple[str, ...] = ()   # shown to holders of any of them; () = every dashboard reader
    note: str | None = None             # why "—" for now, shown as a hint


REGISTRY: dict[str, Kpi] = {}


def kpi(key: str, title: str, unit: str, link: str | None = None, order: int = 100, *,
        permissions: Sequence[str] = (), note: str | None = None) -> Callable[[KpiFn], KpiFn]:
    """Register `async def fn(actor) -> int | Decimal | None` as a dashboard card."""
    def deco(fn: KpiFn) -> KpiFn:
        old = REGISTRY.get(key)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"KPI {key!r} is already registered by {old.fn.__module__}.{old.fn.__qualname__}")
        if link is not None and not link.startswith("/"):
            raise ValueError("a KPI link is an admin route such as /todo")
        REGISTRY[key] = Kpi(key, title, unit, fn, link, order, tuple(permissions), note)
        return fn
    return deco


def unregister(key: str) -> None:
    """For a domain that takes over a card registered elsewhere."""
    REGISTRY.pop(key, None)


_memo: ContextVar[dict[str, asyncio.Future] | None] = ContextVar("dashboard_memo", default=None)


async def shared(name: str, loader: Callable[[], Awaitable[T]]) -> T:
    """Run `loader` once per dashboard load: cards that read the same numbers (total, allocated,
    unallocated units) share one query. Outside a dashboard load it simply runs."""
    memo = _memo.get()
    if memo is None:
        return await loader()
    if name not in memo:
        memo[name] = asyncio.ensure_future(loader())
    return await memo[name]


def render(k: Kpi, value: Any) -> Any:
    """The card's JSON value: int, a yuan string for money, a decimal string, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"KPI {k.key} returned {type(value).__name__}; expected int, Decimal or None")
    if k.unit == MONEY_UNIT:
        if not isinstance(value, int):
            raise TypeError(f"KPI {k.key} is money: return integer fen")
        return fen_to_yuan(value)
    return value if isinstance(value, int) else str(value)


def visible(actor) -> list[Kpi]:  # noqa: ANN001
    return sorted((k for k in REGISTRY.values() if not k.permissions or any(actor.has(p) for p in k.permissions)),
                  key=lambda k: (k.order, k.key))


async def cards(actor) -> list[dict]:  # noqa: ANN001
    """Every card the actor may see, computed concurrently (at most CONCURRENCY at a time)."""
    _memo.set({})
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(k: Kpi) -> dict:
        note = k.note
        try:
            async with gate:
                value = render(k, await asyncio.wait_for(k.fn(actor), TIMEOUT_SECONDS))
        except Exception:  # noqa: BLE001 - one broken card must not take the dashboard down
            log.exception("KPI %s failed", k.key)
            value, note = None, "暂时无法计算，请稍后刷新"
        return {"key": k.key, "title": k.title, "value": value, "unit": k.unit, "link": k.link,
                "available": value is not None, "note": None if value is not None else note}

    try:
        return list(await asyncio.gather(*(one(k) for k in visible(actor))))
    finally:
        memo = _memo.get() or {}
        for f in memo.values():
            if not f.done():
                f.cancel()
        _memo.set(None)
