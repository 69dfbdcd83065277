"""Annual construction plans over HTTP: plans, project targets, housing targets, the refusal to delete
a plan in use, plan versus actual, and who may read and write which plans (GOV-04-01/02/03)."""
from __future__ import annotations

import datetime as dt
import io
import secrets
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.models import AuditLog
from app.domains.housing.plans.models import AnnualPlan, PlanHousingTarget, PlanProjectTarget
from app.domains.housing.projects.models import Project, ProjectProgress
from app.identity.models import Org
from conftest import Api

PJ, HS = "440703", "440784"
YEAR = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year


def tag() -> str:
    return secrets.token_hex(3)


class World:
    def __init__(self, api: Api):
        self.api = api
        self.t: dict[str, str] = {}
        self.a = self.b = self.c = None  # projects: a, b in 蓬江 (builder_admin), c in 鹤山 (hs_builder_admin)


@pytest.fixture(scope="module")
async def world(live_server):  # noqa: ANN001
    w = World(Api(live_server.url))
    for login in ("gov_admin", "gov_clerk", "pj_clerk", "pj_supervisor", "builder_admin"):
        w.t[login] = await w.api.login(login)
    builder = await Org.get(name="江门市安居建设有限公司")
    hs = await Org.get(name="鹤山市城建开发有限公司")
    made = []
    for district, org, name in ((PJ, builder, "计划项目甲"), (PJ, builder, "计划项目乙"), (HS, hs, "计划项目丙")):
        made.append(await Project.create(code=f"XMBH-T{tag()}", name=f"{name}{tag()}", district_code=district,
                                         address="江门市", builder_id=org.id, supply_mode="new_build", unit_count=300,
                                         state="recognized"))
    w.a, w.b, w.c = made
    yield w
    await w.api.client.aclose()


async def new_plan(w: World, who: str = "gov_admin", district: str | None = None, year: int = YEAR) -> dict:
    r = await w.api.post("/api/v1/housing/plans", w.t[who], json={
        "year": year, "name": f"{year}年保障性租赁住房建设计划{tag()}", "district_code": district,
        "description": "年度建设任务"})
    assert r.status_code == 201, r.text
    return r.json()


async def target(w: World, plan_id: int, project_id: int, who: str = "gov_admin", **kw) -> dict:
    body = {"plan_id": plan_id, "project_id": project_id, "units_start": 100, "units_complete": 50,
            "area_start": "6000.5", "area_complete": 3000, "start_date": f"{YEAR}-03-01",
            "completion_date": f"{YEAR + 1}-06-30", "planned_investment": "10000000.00"} | kw
    return await w.api.post("/api/v1/housing/plan-project-targets", w.t[who], json=body)


@pytest.mark.feature("GOV-04-01")
async def test_plan_add_edit_query_export(world):
    api, t = world.api, world.t
    plan = await new_plan(world)
    assert plan["district_name"] == "全市" and plan["project_target_count"] == 0 and plan["project_targets"] == []
    assert await AuditLog.filter(action="plan.create", object_id=str(plan["id"])).exists()
    r = await api.post("/api/v1/housing/plans", t["gov_admin"], json={"year": YEAR, "name": plan["name"]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "PLAN_EXISTS" and "已有名为" in r.json()["error"]["message"]
    for bad, field in (({"year": 1999, "name": "x"}, "year"), ({"year": YEAR, "name": ""}, "name"),
                       ({"year": YEAR, "name": "x", "district_code": "110101"}, "district_code")):
        r = await api.post("/api/v1/housing/plans", t["gov_admin"], json=bad)
        assert r.status_code == 422 and field in r.json()["error"]["fields"], r.text
    r = await api.put(f"/api/v1/housing/plans/{plan['id']}", t["gov_admin"],
                      json={"year": YEAR, "name": plan["name"] + "（修订）", "description": "修订后的任务"})
    assert r.status_code == 200 and r.json()["name"].endswith("（修订）")
    assert await AuditLog.filter(action="plan.update", object_id=str(plan["id"])).exists()
    r = await api.get(f"/api/v1/housing/plans?year={YEAR}&district_code__isnull=1&name__contains=修订"
                      f"&q={plan['name'][-8:]}", t["gov_clerk"])
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [plan["id"]]
    r = await api.get(f"/api/v1/housing/plans?format=xlsx&year__gte={YEAR}&name__contains=修订", t["gov_clerk"])
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][:3] == ("计划年度", "计划名称", "所属区（市）") and (YEAR, plan["name"] + "（修订）", "全市") in \
        [x[:3] for x in rows[1:]]
    assert (await api.get("/api/v1/housing/plans", t["builder_admin"])).status_code == 403


@pytest.mark.feature("GOV-04-02", "GOV-04-03")
async def test_project_and_housing_targets(world):
    api, t = world.api, world.t
    plan = await new_plan(world)
    r = await target(world, plan["id"], world.a.id, planned_investment="1580.5")
    assert r.status_code == 201, r.text
    pt = r.json()
    assert (pt["planned_investment"], pt["area_start"], pt["area_complete"], pt["project_name"], pt["plan_year"]) == \
        ("1580.50", "6000.50", "3000.00", world.a.name, YEAR)
    assert (await PlanProjectTarget.get(id=pt["id"])).planned_investment_fen == 158050
    r = await target(world, plan["id"], world.a.id)
    assert r.status_code == 409 and r.json()["error"]["code"] == "TARGET_EXISTS"
    for bad, field in (({"planned_investment": "1.234"}, "planned_investment"),
                       ({"planned_investment": -5}, "planned_investment"),
                       ({"completion_date": f"{YEAR}-01-01"}, "_"), ({"units_start": -1}, "units_start")):
        r = await target(world, plan["id"], world.b.id, **bad)
        assert r.status_code == 422, (bad, r.text)
        assert field in r.json()["error"]["fields"], r.text
    assert not await PlanProjectTarget.filter(plan_id=plan["id"], project_id=world.b.id).exists()
    r = await target(world, plan["id"], 999999999)
    assert r.status_code == 422 and "项目不存在" in r.json()["error"]["message"]
    r = await api.put(f"/api/v1/housing/plan-project-targets/{pt['id']}", t["gov_admin"], json={
        "units_start": 120, "units_complete": 60, "planned_investment": 2000})
    assert r.status_code == 200 and (r.json()["units_start"], r.json()["planned_investment"]) == (120, "2000.00")
    assert await AuditLog.filter(action="plan.project_target.update", object_id=str(pt["id"])).exists()
    r = await api.get(f"/api/v1/housing/plan-project-targets?plan_year={YEAR}&project_name__contains="
                      f"{world.a.name[-6:]}&units_start__gte=100", t["gov_clerk"])
    assert [i["id"] for i in r.json()["items"]] == [pt["id"]]
    r = await api.get(f"/api/v1/housing/plan-project-targets?plan_id={plan['id']}&format=xlsx", t["gov_clerk"])
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][0] == "计划年度" and rows[1][3] == world.a.name and "2000.00" in rows[1]

    r = await api.post("/api/v1/housing/plan-housing-targets", t["gov_admin"], json={
        "plan_id": plan["id"], "project_id": world.a.id, "layout": "一室一厅", "planned_units": 60,
        "area_per_unit": "45"})
    assert r.status_code == 201, r.text
    ht = r.json()
    assert (ht["layout"], ht["planned_units"], ht["area_per_unit"]) == ("一室一厅", 60, "45.00")
    r = await api.post("/api/v1/housing/plan-housing-targets", t["gov_admin"], json={
        "plan_id": plan["id"], "project_id": world.a.id, "layout": "一室一厅", "planned_units": 1})
    assert r.status_code == 409
    r = await api.post("/api/v1/housing/plan-housing-targets", t["gov_admin"], json={
        "plan_id": plan["id"], "project_id": world.a.id, "layout": "两室一厅", "planned_units": 40})
    assert r.status_code == 201
    r = await api.put(f"/api/v1/housing/plan-housing-targets/{ht['id']}", t["gov_admin"],
                      json={"layout": "两室一厅", "planned_units": 70})
    assert r.status_code == 409
    r = await api.put(f"/api/v1/housing/plan-housing-targets/{ht['id']}", t["gov_admin"],
                      json={"layout": "单间", "planned_units": 70})
    assert r.status_code == 200 and r.json()["layout"] == "单间"
    r = await api.get(f"/api/v1/housing/plan-housing-targets?plan_id={plan['id']}&layout__in=单间,三室一厅",
                      t["gov_clerk"])
    assert [i["layout"] for i in r.json()["items"]] == ["单间"]
    detail = (await api.get(f"/api/v1/housing/plans/{plan['id']}", t["gov_clerk"])).json()
    assert detail["project_target_count"] == 1 and detail["housing_target_count"] == 2
    assert detail["units_start_total"] == 120 and detail["planned_investment_total"] == "2000.00"
    assert {h["layout"] for h in detail["housing_targets"]} == {"单间", "两室一厅"}
    r = await api.delete(f"/api/v1/housing/plan-housing-targets/{ht['id']}", t["gov_admin"])
    assert r.status_code == 200 and not await PlanHousingTarget.filter(id=ht["id"]).exists()
    assert (await api.get(f"/api/v1/housing/plan-housing-targets/{ht['id']}", t["gov_admin"])).status_code == 404


@pytest.mark.feature("GOV-04-01")
async def test_a_plan_in_use_is_not_deleted_and_says_why(world):
    api, t = world.api, world.t
    plan = await new_plan(world)
    pt = (await target(world, plan["id"], world.b.id)).json()
    r = await api.delete(f"/api/v1/housing/plans/{plan['id']}", t["gov_admin"])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "PLAN_IN_USE" and "已有1个项目指标" in r.json()["error"]["message"]
    assert await AnnualPlan.filter(id=plan["id"]).exists()
    # Without project targets, monthly progress of its projects in its year still keeps it.
    assert (await api.delete(f"/api/v1/housing/plan-project-targets/{pt['id']}", t["gov_admin"])).status_code == 200
    await api.post("/api/v1/housing/plan-housing-targets", t["gov_admin"], json={
        "plan_id": plan["id"], "project_id": world.c.id, "layout": "一室一厅", "planned_units": 10})
    progress = await ProjectProgress.create(project_id=world.c.id, period=f"{YEAR}-02", progress_percent=10,
                                            investment_done_fen=100, units_started=5)
    r = await api.delete(f"/api/v1/housing/plans/{plan['id']}", t["gov_admin"])
    assert r.status_code == 409 and f"在{YEAR}年度已有1条月度进度申报" in r.json()["error"]["message"]
    # Progress in another year does not count; then the plan goes, with its housing targets.
    progress.period = f"{YEAR - 1}-12"
    await progress.save()
    n = await AuditLog.filter(action="plan.delete").count()
    r = await api.delete(f"/api/v1/housing/plans/{plan['id']}", t["gov_admin"])
    assert r.status_code == 200, r.text
    assert not await AnnualPlan.filter(id=plan["id"]).exists()
    assert not await PlanHousingTarget.filter(plan_id=plan["id"]).exists()
    assert await AuditLog.filter(action="plan.delete").count() == n + 1
    await progress.delete()


@pytest.mark.feature("GOV-04-01", "GOV-04-02")
async def test_district_staff_read_city_plans_and_write_only_their_own(world):
    api, t = world.api, world.t
    city = await new_plan(world)
    hs_plan = await new_plan(world, district=HS)
    # 蓬江's supervisor holds every gov permission, for 蓬江 only.
    r = await api.post("/api/v1/housing/plans", t["pj_supervisor"], json={"year": YEAR, "name": f"城市计划{tag()}"})
    assert r.status_code == 403
    r = await api.post("/api/v1/housing/plans", t["pj_supervisor"],
                       json={"year": YEAR, "name": f"鹤山计划{tag()}", "district_code": HS})
    assert r.status_code == 403
    own = await new_plan(world, "pj_supervisor", district=PJ)
    assert own["district_name"] == "蓬江区"
    r = await api.put(f"/api/v1/housing/plans/{city['id']}", t["pj_supervisor"], json={"year": YEAR, "name": "改城市计划"})
    assert r.status_code == 403 and (await AnnualPlan.get(id=city["id"])).name == city["name"]
    assert (await target(world, city["id"], world.a.id, who="pj_supervisor")).status_code == 403
    r = await target(world, own["id"], world.c.id, who="pj_supervisor")  # a 鹤山 project is not theirs
    assert r.status_code == 422 and "项目不存在" in r.json()["error"]["message"]
    r = await target(world, own["id"], world.a.id, who="pj_supervisor")
    assert r.status_code == 201
    # The city puts a 鹤山 project into a 蓬江 plan: refused, it is not in the plan's district.
    r = await target(world, own["id"], world.c.id)
    assert r.status_code == 422 and "不在该计划所属的蓬江区" in r.json()["error"]["message"]
    # Reading: 蓬江 sees the city's plans and its own, not 鹤山's; the clerk only reads.
    r = await api.get(f"/api/v1/housing/plans?year={YEAR}&page_size=200", t["pj_clerk"])
    seen = {i["id"] for i in r.json()["items"]}
    assert {city["id"], own["id"]} <= seen and hs_plan["id"] not in seen
    assert (await api.get(f"/api/v1/housing/plans/{hs_plan['id']}", t["pj_clerk"])).status_code == 404
    assert (await api.delete(f"/api/v1/housing/plans/{hs_plan['id']}", t["pj_supervisor"])).status_code == 404
    assert (await api.delete(f"/api/v1/housing/plans/{own['id']}", t["pj_clerk"])).status_code == 403
    assert await AnnualPlan.filter(id=hs_plan["id"]).exists()


@pytest.mark.feature("GOV-04-01", "GOV-04-02")
async def test_plan_versus_actual_from_cumulative_progress(world):
    api, t = world.api, world.t
    plan = await new_plan(world)
    assert (await target(world, plan["id"], world.a.id, units_start=100, units_complete=50,
                         planned_investment="10000000")).status_code == 201
    assert (await target(world, plan["id"], world.b.id, units_start=20, units_complete=0, area_start=0,
                         area_complete=0, planned_investment=0)).status_code == 201
    await api.post("/api/v1/housing/plan-housing-targets", t["gov_admin"], json={
        "plan_id": plan["id"], "project_id": world.b.id, "layout": "一室一厅", "planned_units": 20})
    # Cumulative figures; the areas against the target's 6000.50 ㎡ started and 3000 ㎡ completed.
    rows = [ProjectProgress(project_id=world.a.id, period=p, progress_percent=pc, investment_done_fen=inv,
                            units_started=us, units_completed=uc, area_started=Decimal(a_s),
                            area_completed=Decimal(a_c))
            for p, pc, inv, us, uc, a_s, a_c in ((f"{YEAR - 1}-12", 10, 100_000_000, 20, 0, "1000.25", "0"),
                                                 (f"{YEAR}-03", 40, 400_000_000, 60, 10, "2500.25", "300.10"),
                                                 (f"{YEAR}-08", 70, 700_000_000, 90, 30, "4000.50", "1500.00"),
                                                 (f"{YEAR + 1}-01", 90, 900_000_000, 100, 80, "7000", "6000"))]
    for row in rows:
        await row.save()
    try:
        r = await api.get(f"/api/v1/housing/plans/{plan['id']}/progress", t["gov_clerk"])
        assert r.status_code == 200, r.text
        body = r.json()
        a = next(i for i in body["items"] if i["project_id"] == world.a.id)
        assert a["actual"] == {"units_started": 70, "units_completed": 30, "investment_done": "6000000.00",
                               "area_started": "3000.25", "area_completed": "1500.00",
                               "progress_percent": 70, "last_period": f"{YEAR}-08"}
        assert a["target"]["area_start"] == "6000.50" and a["target"]["area_complete"] == "3000.00"
        # 3000.25 / 6000.50 and 1500 / 3000: exactly one half each.
        assert a["rate"] == {"units_start": 0.7, "units_complete": 0.6, "area_start": 0.5, "area_complete": 0.5,
                             "investment": 0.6}
        b = next(i for i in body["items"] if i["project_id"] == world.b.id)
        assert b["actual"]["units_started"] == 0 and b["actual"]["last_period"] is None
        assert b["rate"]["investment"] is None and b["rate"]["area_start"] is None  # no target, no rate
        assert b["actual"]["area_started"] == "0.00"
        assert body["totals"]["target"]["units_start"] == 120 and body["totals"]["target"]["planned_investment"] == \
            "10000000.00"
        assert body["totals"]["actual"] == {"units_started": 70, "units_completed": 30,
                                            "investment_done": "6000000.00", "area_started": "3000.25",
                                            "area_completed": "1500.00"}
        assert (body["totals"]["target"]["area_start"], body["totals"]["target"]["area_complete"]) == \
            ("6000.50", "3000.00")
        assert body["totals"]["rate"]["area_start"] == 0.5 and body["totals"]["rate"]["area_complete"] == 0.5
        monthly = {m["period"]: m for m in body["monthly"]}
        assert len(monthly) == 12
        assert monthly[f"{YEAR}-02"]["units_started"] == 0
        assert monthly[f"{YEAR}-03"]["units_started"] == 40 and monthly[f"{YEAR}-07"]["investment_done"] == \
            "3000000.00"
        assert monthly[f"{YEAR}-12"]["units_completed"] == 30
        assert (monthly[f"{YEAR}-02"]["area_started"], monthly[f"{YEAR}-03"]["area_started"],
                monthly[f"{YEAR}-07"]["area_completed"], monthly[f"{YEAR}-12"]["area_completed"]) == \
            ("0.00", "1500.00", "300.10", "1500.00")
        assert body["housing"] == [{"layout": "一室一厅", "planned_units": 20}]
        assert body["as_of"] == dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")
        assert (await api.get(f"/api/v1/housing/plans/{plan['id']}/progress", t["builder_admin"])).status_code == 403
        # The same figures as the server's xlsx (the admin's only export path; no client-side CSV).
        r = await api.get(f"/api/v1/housing/plans/{plan['id']}/progress?format=xlsx", t["gov_clerk"])
        assert r.status_code == 200 and r.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        sheet = list(load_workbook(io.BytesIO(r.content)).active.values)
        assert sheet[0][:5] == ("项目编号", "项目", "计划开工套数", "实际开工套数", "开工完成率")
        assert len(sheet) == 1 + 2 + 1 + 12  # header, the two projects, the total, twelve months
        row_a = next(x for x in sheet if x[1] == a["project_name"])
        assert row_a[2:11] == (100, 70, "70%", 50, 30, "60%", "10000000.00", "6000000.00", "60%")
        assert row_a[11:19] == ("6000.50", "3000.25", "50%", "3000.00", "1500.00", "50%", 70, f"{YEAR}-08")
        total = next(x for x in sheet if x[1] == "合计")
        assert total[2:5] == (120, 70, "58.3%")
        march = next(x for x in sheet if x[1] == f"{YEAR}-03 累计")
        assert march[3] == 40 and march[12] == "1500.00"
        bad = await api.get(f"/api/v1/housing/plans/{plan['id']}/progress?format=csv", t["gov_clerk"])
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "INVALID_INPUT"
    finally:
        for row in rows:
            await row.delete()
