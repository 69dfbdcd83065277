"""Races on one unit, in-process on the real database: a lock against an allocation, and a lock
against the completion of a change case. The row lock serialises them; never both win."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.core.db import uow
from app.core.errors import AppError
from app.domains.housing.stock import units
from app.domains.housing.stock import hooks as unit_hooks  # noqa: F401 - registers the completion hooks
from app.domains.housing.stock.models import Building, Community, Unit, UnitHistory
from app.identity.guard import build_actor
from app.identity.models import Account, Org
from app.identity.scope import Actor
from app.workflow import service
from app.workflow.models import Case, WorkItem


async def actor(login: str) -> Actor:
    acc = await Account.get(login_name=login)
    data = await build_actor(acc.id)
    return Actor(**{**data, "permissions": frozenset(data["permissions"])})


async def block(n: int) -> list[Unit]:
    b_org = await Org.get(name="江门市安居建设有限公司")
    o_org = await Org.get(name="江门市保障房运营管理有限公司")
    cols = {"district_code": "440703", "builder_id": b_org.id, "operator_id": o_org.id}
    c = await Community.create(name=f"并发小区{n}{id(cols)}", address="江门", **cols)
    b = await Building.create(community_id=c.id, name="1栋", floors=1, **cols)
    return [await Unit.create(building_id=b.id, community_id=c.id, floor=1, number=f"1{i:02d}", area=Decimal("50"),
                              state="available", **cols) for i in range(n)]


async def allocate(unit_id: int, who: Actor) -> str:
    async with uow() as tx:
        u = await units.lock_for_allocation(tx, unit_id)
        await asyncio.sleep(0.02)  # hold the row while the locker waits
        await units.set_state(tx, u, "allocated", actor=who, reason="配租")
    return "allocated"


async def lock(unit_id: int, who: Actor) -> str:
    await units.lock(who, unit_id, "临时锁定")
    return "locked"


@pytest.mark.feature("GOV-06-01", "OPS-04-01")
async def test_lock_and_allocation_never_both_win():
    op, gov = await actor("operator_admin"), await actor("gov_admin")
    for u in await block(12):
        first_lock = u.id % 2 == 0  # start either one first; the row lock decides
        calls = [lock(u.id, op), allocate(u.id, gov)] if first_lock else [allocate(u.id, gov), lock(u.id, op)]
        results = await asyncio.gather(*calls, return_exceptions=True)
        wins = [r for r in results if isinstance(r, str)]
        losses = [r for r in results if isinstance(r, AppError)]
        assert len(wins) == 1 and len(losses) == 1, results
        row = await Unit.get(id=u.id)
        assert row.state == wins[0] and row.row_version == 2
        assert losses[0].code == ("UNIT_ALLOCATED" if wins[0] == "allocated" else "UNIT_LOCKED")
        assert await UnitHistory.filter(unit_id=u.id).count() == 1


@pytest.mark.feature("GOV-06-06", "GOV-06-01")
async def test_lock_racing_a_change_completion_is_serialised():
    builder, pj, boss, op = (await actor("builder_admin"), await actor("pj_clerk"), await actor("pj_supervisor"),
                             await actor("operator_admin"))
    for u in await block(4):
        case = await service.create_case(
            builder, case_type_key="unit_change", channel="online",
            applicant=service.Applicant(kind="ORG", org_id=builder.org_id), district_code="440703", org_id=None,
            subjects={"unit_id": u.id}, form={"unit_code": u.number, "delist": "下架", "reason": "安全隐患"},
            materials=[], submit=True)
        await service.act(pj, (await WorkItem.get(case_id=case.id, step_id="first_review", status="open")).id,
                          "approve")
        final = await WorkItem.get(case_id=case.id, step_id="approval", status="open")
        results = await asyncio.gather(service.act(boss, final.id, "approve"), lock(u.id, op),
                                       return_exceptions=True)
        ok = [r for r in results if not isinstance(r, Exception)]
        row = await Unit.get(id=u.id)
        history = await UnitHistory.filter(unit_id=u.id).order_by("id").values_list("action", flat=True)
        # Either the lock went first and the delisting followed it, or the delisting went first and
        # the lock was refused: every success is in the history, one row_version step each.
        assert row.row_version == 1 + len(ok) == 1 + len(history)
        assert row.state == "delisted" and (await Case.get(id=case.id)).status == "complete"
        assert list(history) in (["lock", "change"], ["change"])
