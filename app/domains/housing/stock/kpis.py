"""Unit cards of the dashboard (GOV-01-01, OPS-01-01): stock, let and lettable units in scope.

The three cards share one grouped count (`shared`), so a dashboard load costs one query.
"""
from __future__ import annotations

from tortoise.functions import Count

from app.dashboard.kpis import kpi, shared
from app.domains.housing.stock.models import Unit
from app.identity.scope import Actor, scoped

READ = ("housing.unit.read", "housing.community.read")


async def _by_state(actor: Actor) -> dict[str, int]:
    async def load() -> dict[str, int]:
        rows = await scoped(Unit, actor).group_by("state").annotate(n=Count("id")).values("state", "n")
        return {r["state"]: r["n"] for r in rows}
    return await shared(f"housing.units_by_state:{actor.account_id}", load)


@kpi("units_total", "房源总套数", "套", link="/units", order=30, permissions=READ)
async def units_total(actor: Actor) -> int:
    # Units in the ARH stock: everything taken in, whatever its state now.
    return sum(n for s, n in (await _by_state(actor)).items() if s != "not_in_stock")


@kpi("units_allocated", "已配租", "套", link="/units?state=allocated", order=40, permissions=READ)
async def units_allocated(actor: Actor) -> int:
    return (await _by_state(actor)).get("allocated", 0)


@kpi("units_unallocated", "未配租", "套", link="/units?state=available", order=50, permissions=READ)
async def units_unallocated(actor: Actor) -> int:
    # 可配租: in stock, not let, not locked, under repair or delisted.
    return (await _by_state(actor)).get("available", 0)
