"""Seed for plans and projects.

`seed()` (every install, and the tests): the rule set for qualification periods and alerts.
`seed_demo()` (`make run` only): demo projects in several districts for builder_admin and
hs_builder_admin, made through the real case service (declaration → review → approval, with
the sealed certificate), one published with an operator, one recognised before the platform and
near the end of its qualification, an annual plan with targets, a progress report, and the
alerts the daily job finds. Idempotent: skipped once the first demo project exists.
"""
from __future__ import annotations

import datetime as dt
import logging

from app.core import audit
from app.core.context import SystemActor
from app.core.db import uow
from app.core.ids import next_number
from app.domains.housing.projects import alerts
from app.domains.housing.projects import hooks as _project_hooks  # noqa: F401 - demo approvals run the hooks
from app.domains.housing.projects import service as projects
from app.domains.housing.projects import schemas as S
from app.domains.housing.projects.models import SUPPLY_MODES, Project, ProjectBuilding
from app.identity.guard import build_actor
from app.identity.models import Account, Org
from app.identity.scope import Actor
from app.rules.models import RuleSetVersion
from app.workflow import access as _case_access  # noqa: F401 - case data scope for the demo cases
from app.core import coords
from app.rules import service as rules
from app.workflow import service
from app.workflow.models import WorkItem

log = logging.getLogger(__name__)
NOTE = "默认规则：资格期5年、到期前90天预警、过期30天未处理为逾期，由主管部门按政策调整"


async def seed() -> None:
    if not await RuleSetVersion.filter(key=alerts.RULE_KEY).exists():
        await rules.create(SystemActor(), alerts.RULE_KEY, alerts.RULE_DEFINITION, note=NOTE)
        return
    # Installs seeded before inputs had options: the city's supply mode becomes a pick list of its
    # Chinese names (one new version, once; the rules themselves are left as the bureau set them).
    row = await rules.latest(alerts.RULE_KEY)
    d = dict(row.definition)
    inputs = [dict(i) for i in d.get("inputs", [])]
    mode = next((i for i in inputs if i.get("name") == "supply_mode"), None)
    if mode is not None and not mode.get("options") and mode.get("type") == "string":
        new = next(i for i in alerts.RULE_DEFINITION["inputs"] if i["name"] == "supply_mode")
        mode.update(title=new["title"], options=new["options"])
        if mode.get("sample") not in SUPPLY_MODES:
            mode["sample"] = new["sample"]
        await rules.save(SystemActor(), alerts.RULE_KEY, {**d, "inputs": inputs}, note="供应方式改为从中文名称中选择")


# ------------------------------------------------------------------ demo (make run)

async def _actor(login: str) -> Actor:
    acc = await Account.get(login_name=login)
    return Actor(**await build_actor(acc.id))


def _bd09(lng_wgs: float, lat_wgs: float) -> tuple[float, float]:
    lng, lat = coords.wgs84_to_bd09(lng_wgs, lat_wgs)
    return round(lng, 6), round(lat, 6)


# (login, district, name, address, supply mode label, units, area, investment 元, WGS-84 point, buildings)
DECLARED = [
    ("builder_admin", "440703", "滨江保障公寓", "江门市蓬江区白沙大道西88号", "新建", 396, 26000, 150_000_000,
     (113.0748, 22.5812), "1栋:33:264\n2栋:17:132"),
    ("builder_admin", "440704", "江海人才公寓", "江门市江海区金瓯路66号", "改建", 240, 15800, 62_000_000,
     (113.1245, 22.5608), "A座:24:144\nB座:16:96"),
    ("hs_builder_admin", "440784", "沙坪安居苑", "鹤山市沙坪人民路128号", "配建", 180, 12600, 48_000_000,
     (112.9610, 22.7680), "3栋:18:108\n5栋:12:72"),
]
# Recognised before the platform went live: no declaration case, no certificate issued here.
HISTORIC = [
    ("builder_admin", "440705", "新会悦府", "江门市新会区今古洲路18号", "allocated", 120, 8400,
     (113.0431, 22.5186), [("6栋", 26, 120)], 20, "xh_operator_admin"),
    ("hs_builder_admin", "440781", "侨乡花园", "台山市环北大道99号", "idle", 60, 3900,
     (112.7935, 22.2661), [("1座", 8, 60)], -12, None),
]


async def _approve_all(case_id: int, people: dict[str, Actor]) -> None:
    # 市住建认定 must be handled by someone other than the 区住建复审's handler (须由不同人员办理).
    for step, who in (("first_review", "gov_clerk"), ("second_review", "gov_admin"), ("approval", "gov_director")):
        item = await WorkItem.get(case_id=case_id, step_id=step, status="open")
        await service.act(people[who], item.id, "approve", "经审核，同意")


async def _declare(people: dict[str, Actor], row: tuple) -> Project:
    login, district, name, address, mode, units, area, invest, wgs, buildings = row
    builder = people[login]
    lng, lat = _bd09(*wgs)
    case = await service.create_case(
        builder, case_type_key="project_declaration", channel="online",
        applicant=service.Applicant(kind="ORG", org_id=builder.org_id), district_code=district, org_id=None,
        subjects=None, materials=[], submit=True,
        form={"project_name": name, "address": address, "supply_mode": mode, "land_area": round(area / 3, 2),
              "building_area": area, "planned_units": units, "investment": invest, "lng": lng, "lat": lat,
              "buildings": buildings, "note": f"{name}：面向新市民、青年人的保障性租赁住房"})
    await _approve_all(case.id, people)
    return await Project.get(declaration_case_id=case.id)


async def _historic(row: tuple) -> Project:
    login, district, name, address, mode, units, area, wgs, buildings, days_left, operator_login = row
    builder = await Account.get(login_name=login)
    operator = await Account.get(login_name=operator_login) if operator_login else None
    today = projects.cn_today()
    to = today + dt.timedelta(days=days_left)
    pt = projects.make_point(*_bd09(*wgs))
    async with uow() as tx:
        p = await Project.create(
            code=await next_number(projects.NUMBER_TYPE, using=tx), name=name, district_code=district,
            address=address, builder_id=builder.org_id, operator_id=operator.org_id if operator else None,
            supply_mode=mode, building_area=S.to_area(area), unit_count=units, lng_bd09=pt.lng_bd09,
            lat_bd09=pt.lat_bd09, lng_wgs84=pt.lng_wgs84, lat_wgs84=pt.lat_wgs84, state="recognized",
            recognized_at=dt.datetime.combine(alerts.add_years(to, -5), dt.time(9), dt.timezone.utc),
            qualification_from=alerts.add_years(to + dt.timedelta(days=1), -5), qualification_to=to,
            description="平台上线前已认定的项目（认定书为纸质）", using_db=tx)
        for b, floors, n in buildings:
            await ProjectBuilding.create(project_id=p.id, name=b, floors=floors, planned_units=n,
                                         construction_state="completed", using_db=tx)
        await audit.record("seed.project", "project", p.id, using=tx, only_changes=False,
                           after={"code": p.code, "name": name}, summary=f"演示数据：历史项目 {name}")
    return p


async def seed_demo() -> None:
    if await Project.filter(name=DECLARED[0][2]).exists():
        return
    people = {login: await _actor(login) for login in ("builder_admin", "hs_builder_admin", "gov_clerk", "gov_admin",
                                                         "gov_director")}
    made = [await _declare(people, row) for row in DECLARED]
    made += [await _historic(row) for row in HISTORIC]
    admin = people["gov_admin"]
    binjiang, jianghai = made[0], made[1]
    operator = await Org.get(name="江门市保障房运营管理有限公司")
    await projects.set_operator(admin, binjiang.id, operator.id)
    await projects.set_published(admin, binjiang.id, True)
    await _progress(people, jianghai)
    result = await alerts.run()
    log.info("demo projects: %s; alerts %s", [p.name for p in made], result)


async def _progress(people: dict[str, Actor], p: Project) -> None:
    today = projects.cn_today()
    period = f"{today:%Y-%m}"
    case = await projects.start_case(people["builder_admin"], p.id, S.ProjectCaseIn(
        case_type="progress_report", form={"period": period, "progress_percent": 45, "investment_done": 28_000_000,
                                           "units_started": 240, "units_completed": 0,
                                           "area_started": 15800, "area_completed": 0,
                                           "note": "主体结构施工至第12层"}))
    for step, who in (("first_review", "gov_clerk"), ("approval", "gov_admin")):
        item = await WorkItem.get(case_id=case.id, step_id=step, status="open")
        await service.act(people[who], item.id, "approve", "进度属实")
