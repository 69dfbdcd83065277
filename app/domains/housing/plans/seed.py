"""Demo data of plans (make run): this year's city plan with targets for the demo projects
(housing.projects.seed makes them first). Idempotent: a plan of that name is left as it is."""
from __future__ import annotations

import logging
from decimal import Decimal

from app.domains.housing.plans import schemas as S
from app.domains.housing.plans import service
from app.domains.housing.plans.models import AnnualPlan
from app.domains.housing.projects.models import Project
from app.domains.housing.projects.seed import DECLARED
from app.identity.guard import build_actor
from app.identity.models import Account
from app.identity.scope import Actor
from app.workflow import calendar

log = logging.getLogger("arh.seed")


async def seed_demo() -> None:
    year = calendar.today().year
    name = f"{year}年保障性租赁住房建设计划"
    if await AnnualPlan.filter(year=year, name=name).exists():
        return
    made = {p.name: p for p in await Project.filter(name__in=[row[2] for row in DECLARED[:3]])}
    if len(made) < 3:
        return
    admin = Actor(**await build_actor((await Account.get(login_name="gov_admin")).id))
    plan = await service.create_plan(admin, S.PlanIn(year=year, name=name, description="全市年度建设计划（演示）"))
    for row, us, uc, inv in zip(DECLARED[:3], (396, 240, 180), (0, 120, 0), (90_000_000, 40_000_000, 30_000_000),
                                strict=True):
        p = made[row[2]]
        await service.create_project_target(admin, S.ProjectTargetIn(
            plan_id=plan.id, project_id=p.id, units_start=us, units_complete=uc, area_start=p.building_area,
            area_complete=(p.building_area * uc / us).quantize(Decimal("0.01")), planned_investment=inv))
        for layout, share in (("一室一厅", 0.6), ("两室一厅", 0.4)):
            await service.create_housing_target(admin, S.HousingTargetIn(
                plan_id=plan.id, project_id=p.id, layout=layout, planned_units=int(p.unit_count * share)))
    log.info("demo plan: %s", name)
