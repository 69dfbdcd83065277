"""Demo housing stock for `make run` (called from app.seed.main, never from seed(): tests start empty).

Made through the real services: each community's units arrive by a unit intake case that is
submitted, reviewed and approved, so they carry their case, history and audit like any other.
The demo projects of seed_projects are looked up by name; where one is missing the community is
registered without a project. Idempotent: nothing is done when the demo communities exist.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from app.domains.housing.stock import intake
from app.domains.housing.stock import service as stock
from app.domains.housing.stock import units
from app.domains.housing.stock import hooks as unit_hooks  # noqa: F401 - the completion hooks put the units in stock
from app.domains.housing.stock.intake import Draft
from app.domains.housing.projects.models import Project
from app.domains.housing.stock.models import Community, Unit
from app.domains.housing.stock.schemas import CommunityIn
from app.identity.guard import build_actor
from app.identity.models import Account
from app.identity.scope import Actor
from app.workflow import service
from app.workflow.models import WorkItem

log = logging.getLogger(__name__)
LAYOUTS = (("一房一厅", "45.60", 98000), ("两房一厅", "68.90", 158000), ("两房两厅", "82.30", 186000),
           ("三房两厅", "98.70", 220000))
# (builder login, district, project name, address, [(building, floors, per floor[, numbered per entrance])],
#  reviewers, approve?). 2栋 is numbered per entrance, as most residential buildings are: 1单元101 … 3单元101.
DEMO = [
    ("builder_admin", "440703", "滨江保障公寓", "江门市蓬江区白沙大道西88号", [("1栋", 33, 8), ("2栋", 11, 12, True)],
     ("pj_clerk", "pj_supervisor"), True),
    ("hs_builder_admin", "440784", "沙坪安居苑", "鹤山市沙坪人民路128号", [("3栋", 6, 6)], ("gov_clerk", "gov_admin"),
     True),
    ("builder_admin", "440704", "江海人才公寓", "江门市江海区金瓯路66号", [("A座", 4, 6)], ("gov_clerk", "gov_admin"),
     False),
]
async def _actor(login: str) -> Actor:
    data = await build_actor((await Account.get(login_name=login)).id)
    return Actor(**{**data, "permissions": frozenset(data["permissions"])})


def _drafts(buildings: list[tuple]) -> list[Draft]:
    out = []
    for name, floors, per, *per_entrance in buildings:
        for f in range(1, floors + 1):
            for i in range(1, per + 1):
                layout, area, rent = LAYOUTS[(i - 1) % len(LAYOUTS)]
                k = (i - 1) % 4 + 1 if per_entrance else i
                out.append(Draft(building_name=name, floor=f, number=f"{f}{k:02d}", area=Decimal(area),
                                 layout=layout, entrance_name=f"{1 + (i - 1) // 4}单元", orientation="南北",
                                 decoration="简装", facilities=["空调", "热水器"], rent_fen=rent))
    return out


async def _step(case_id: int, step: str) -> WorkItem:
    return await WorkItem.get(case_id=case_id, step_id=step, status="open")


async def seed_demo() -> None:
    if await Community.filter(name__in=[d[2] for d in DEMO]).exists():
        return
    for login, district, name, address, buildings, reviewers, approve in DEMO:
        builder = await _actor(login)
        p = await Project.filter(name=name, builder_id=builder.org_id).first()
        c = await stock.create_community(builder, CommunityIn(
            name=name, address=address, project_id=p.id if p else None, district_code=None if p else district))
        case = await service.create_case(
            builder, case_type_key="unit_intake", channel="online",
            applicant=service.Applicant(kind="ORG", org_id=builder.org_id), district_code=c.district_code,
            org_id=None, subjects={"project_id": p.id, "community_id": c.id} if p else {"community_id": c.id},
            form={"intake_method": "逐套录入", "note": "竣工验收后申请纳入保租房房源"}, materials=[], submit=False)
        await intake.attach_drafts(builder, case.id, c.id, _drafts(buildings))
        await service.act(builder, (await _step(case.id, "submission")).id, "submit", "申请入库")
        if not approve:
            log.info("demo intake %s waits at the district review", case.number)
            continue
        clerk, boss = await _actor(reviewers[0]), await _actor(reviewers[1])
        await service.act(clerk, (await _step(case.id, "first_review")).id, "approve", "楼盘表与产权材料一致")
        await service.act(boss, (await _step(case.id, "approval")).id, "approve", "同意入库")
        # Two units held back by the operator (or the bureau) for the talent programme.
        locker = await _actor("operator_admin") if c.operator_id else await _actor("gov_admin")
        if locker.org_kind == "OPERATOR" and locker.org_id != c.operator_id:
            locker = await _actor("gov_admin")
        for u in await Unit.filter(intake_case_id=case.id, floor=2).order_by("number").limit(2):
            await units.lock(locker, u.id, "预留人才引进房源")
        log.info("demo stock %s: %s units in stock", name, await Unit.filter(intake_case_id=case.id).count())
