"""Projects over HTTP: declaration → review → recognition with a sealed certificate → exit, progress
reports, the project list, detail, edit, drawings, operator, publishing, the public API, geocoding,
qualification alerts, and the data scope of every one of them (builder vs builder, operator,
district). Each test checks the response, the rows and the audit log.
"""
from __future__ import annotations

import datetime as dt
import io
import secrets
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PIL import Image

from app.core.models import AuditLog, Job
from app.documents.models import IssuedDocument
from app.domains.housing.projects import alerts
from app.domains.housing.projects.models import Project, ProjectBuilding, ProjectFile, ProjectProgress, QualificationAlert
from app.domains.housing.stock.models import Community
from app.identity.models import Org
from app.rules.models import RuleSetVersion
from app.workflow.models import Case, WorkItem
from conftest import Api
from app.core import coords
from tests.integration.documents import support

PJ, HS = "440703", "440784"
BUILDER, HS_BUILDER = "江门市安居建设有限公司", "鹤山市城建开发有限公司"
OPERATOR, XH_OPERATOR = "江门市保障房运营管理有限公司", "新会区安居物业服务有限公司"
# 市住建认定 must be handled by someone other than the 区住建复审's handler (须由不同人员办理).
DECLARE_STEPS = (("first_review", "gov_clerk"), ("second_review", "gov_admin"), ("approval", "gov_director"))
SHORT_STEPS = (("first_review", "gov_clerk"), ("approval", "gov_admin"))
LOGINS = ("gov_admin", "gov_director", "gov_clerk", "pj_clerk", "builder_admin", "hs_builder_admin", "operator_admin",
          "xh_operator_admin")


def bd09(lng: float = 113.0748, lat: float = 22.5812) -> tuple[float, float]:
    x, y = coords.wgs84_to_bd09(lng, lat)
    return round(x, 6), round(y, 6)


def cn_today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def tag() -> str:
    return secrets.token_hex(3)


def png() -> bytes:
    b = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 90, 200)).save(b, format="PNG")
    return b.getvalue()


def declaration_form(name: str, *, units: int = 120, buildings: str = "1栋:20:80\n2栋:10:40",
                     point: tuple[float, float] | None = None, **extra) -> dict:
    lng, lat = point or bd09()
    return {"project_name": name, "address": "江门市蓬江区白沙大道西88号", "supply_mode": "新建",
            "land_area": 6000, "building_area": 18000.5, "planned_units": units, "investment": 88000000.5,
            "lng": lng, "lat": lat, "buildings": buildings, "note": "面向新市民的保障性租赁住房"} | extra


class World:
    def __init__(self, api: Api):
        self.api = api
        self.t: dict[str, str] = {}
        self.org: dict[str, Org] = {}
        self.p1: dict = {}  # builder_admin's project in 蓬江, served by operator_admin
        self.p2: dict = {}  # hs_builder_admin's project in 鹤山

    async def declare(self, login: str, org: str, district: str, name: str, **form) -> dict:
        r = await self.api.post("/api/v1/cases", self.t[login], json={
            "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": self.org[org].id},
            "district_code": district, "form": declaration_form(name, **form), "submit": True})
        assert r.status_code == 201, r.text
        return r.json()

    async def act(self, case_id: int, steps=DECLARE_STEPS, action: str = "approve"):  # noqa: ANN001, ANN201
        r = None
        for step, who in steps:
            item = await WorkItem.get(case_id=case_id, step_id=step, status="open")
            r = await self.api.post(f"/api/v1/work-items/{item.id}/act", self.t[who],
                                    json={"action": action, "opinion": "同意"})
            if r.status_code != 200:
                return r
        return r

    async def recognised(self, login: str, org: str, district: str, name: str, **form) -> dict:
        case = await self.declare(login, org, district, name, **form)
        r = await self.act(case["id"])
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "complete"
        p = await Project.get(declaration_case_id=case["id"])
        return (await self.api.get(f"/api/v1/housing/projects/{p.id}", self.t["gov_admin"])).json()


@pytest.fixture(scope="module")
async def world(live_server):  # noqa: ANN001
    support.make_ca()
    w = World(Api(live_server.url))
    for login in LOGINS:
        w.t[login] = await w.api.login(login)
    for key, name in (("builder", BUILDER), ("hs", HS_BUILDER), ("operator", OPERATOR), ("xh", XH_OPERATOR)):
        w.org[key] = await Org.get(name=name)
    w.p1 = await w.recognised("builder_admin", "builder", PJ, f"滨江公寓{tag()}")
    w.p2 = await w.recognised("gov_clerk", "hs", HS, f"沙坪安居苑{tag()}", point=bd09(112.9610, 22.7680))
    r = await w.api.put(f"/api/v1/housing/projects/{w.p1['id']}/operator", w.t["gov_admin"],
                        json={"operator_id": w.org["operator"].id})
    assert r.status_code == 200, r.text
    w.p1 = r.json()
    yield w
    await w.api.client.aclose()


async def audits(action: str, object_id: object) -> int:
    return await AuditLog.filter(action=action, object_id=str(object_id)).count()


# ---- declaration → recognition → exit (the whole story through the API) --------------------------

@pytest.mark.feature("BLD-01-02", "BLD-01-03", "GOV-05-03", "BLD-01-04", "GOV-05-05", "BLD-01-05")
async def test_declaration_review_certificate_and_exit_revokes_it(world):
    api, t = world.api, world.t
    name = f"江海人才公寓{tag()}"
    case = await world.declare("builder_admin", "builder", PJ, name, buildings="A座:24:100\nB座：16：20")
    assert case["status"] == "in_review" and case["number"].startswith("XMSB-")
    assert case["current_steps"] == [{"step_id": "first_review", "name": "区住建初审"}]
    # The first review is a district step: 蓬江's clerk may take it, another builder may not see the case.
    item = await WorkItem.get(case_id=case["id"], step_id="first_review", status="open")
    r = await api.post(f"/api/v1/work-items/{item.id}/act", t["pj_clerk"], json={"action": "approve"})
    assert r.status_code == 200, r.text
    assert (await api.get(f"/api/v1/cases/{case['id']}", t["hs_builder_admin"])).status_code == 404
    r = await world.act(case["id"], steps=DECLARE_STEPS[1:])
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "complete"
    assert [d["title"] for d in done["documents"]] == ["保障性租赁住房项目认定书"]

    p = await Project.get(declaration_case_id=case["id"])
    builder = world.org["builder"]
    assert (p.name, p.state, p.builder_id, p.district_code, p.supply_mode, p.unit_count) == \
        (name, "recognized", builder.id, PJ, "new_build", 120)
    assert p.code.startswith("XMBH-") and p.total_investment_fen == 8800000050
    assert str(p.building_area) == "18000.50" and p.lng_wgs84 is not None
    assert coords.distance_m(float(p.lng_wgs84), float(p.lat_wgs84), 113.0748, 22.5812) < 1
    today = cn_today()
    assert p.qualification_from == today
    assert p.qualification_to == today.replace(year=today.year + 5) - dt.timedelta(days=1)
    assert [(b.name, b.floors, b.planned_units) for b in await ProjectBuilding.filter(project_id=p.id).order_by("id")] \
        == [("A座", 24, 100), ("B座", 16, 20)]
    assert (await Case.get(id=case["id"])).subjects == {"project_id": p.id}
    assert await audits("project.recognize", p.id) == 1

    # The builder sees its project with the sealed certificate, and can download it.
    detail = (await api.get(f"/api/v1/housing/projects/{p.id}", t["builder_admin"])).json()
    cert = detail["certificate"]
    assert cert["status"] == "valid" and cert["verify_url"].endswith(f"/verify/{cert['id']}")
    assert detail["qualification"]["status"] == "valid" and detail["qualification"]["days_left"] > 1800
    assert detail["declaration_case"] == {"id": case["id"], "number": case["number"]}
    assert detail["can"]["exit"] and detail["can"]["report_progress"] and not detail["can"]["publish"]
    pdf = await api.get(cert["pdf_url"], t["builder_admin"])
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert support.signature_valid(support.pdfsig(pdf.content)), support.pdfsig(pdf.content)
    text = support.pdftext(pdf.content)
    flat = text.replace(" ", "").replace("\n", "")
    for s in ("项目认定书", name, p.code, BUILDER, "A座", "江门市住房和城乡建设局", cert["number"]):
        assert s in flat, s
    doc = await IssuedDocument.get(id=p.recognition_document_id)
    assert doc.case_id == case["id"] and doc.template_key == "project_recognition_certificate"
    page = await api.get(f"/verify/{cert['id']}")
    assert page.status_code == 200 and "有效" in page.text
    # Another builder cannot fetch it.
    assert (await api.get(cert["pdf_url"], t["hs_builder_admin"])).status_code == 404

    # Exit, online from the builder's own account.
    r = await api.post(f"/api/v1/housing/projects/{p.id}/cases", t["builder_admin"], json={
        "case_type": "project_exit", "form": {"exit_reason": "项目转为市场化租赁"}, "submit": True})
    assert r.status_code == 201, r.text
    exit_case = r.json()
    assert exit_case["channel"] == "online" and exit_case["subjects"] == {"project_id": p.id}
    assert exit_case["form"]["project_name"] == name
    # Only one exit at a time.
    r = await api.post(f"/api/v1/housing/projects/{p.id}/cases", t["gov_clerk"], json={
        "case_type": "project_exit", "form": {"exit_reason": "重复"}, "submit": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_IN_PROGRESS"
    r = await world.act(exit_case["id"], steps=SHORT_STEPS)
    assert r.status_code == 200 and r.json()["status"] == "complete", r.text
    p = await Project.get(id=p.id)
    assert p.state == "exited" and p.exited_at is not None and not p.published
    doc = await IssuedDocument.get(id=p.recognition_document_id)
    assert doc.status == "revoked" and "项目已退出" in doc.revoked_reason and "市场化租赁" in doc.revoked_reason
    page = await api.get(f"/verify/{doc.id}")
    assert "已作废" in page.text and "项目已退出" in page.text
    assert await audits("project.exit", p.id) == 1 and await audits("document.revoke", doc.id) == 1
    detail = (await api.get(f"/api/v1/housing/projects/{p.id}", t["builder_admin"])).json()
    assert detail["certificate"]["status"] == "revoked" and detail["certificate"]["status_name"] == "已作废"
    assert detail["can"]["edit"] is False and detail["can"]["exit"] is False
    # An exited project takes no more cases and no edits.
    r = await api.post(f"/api/v1/housing/projects/{p.id}/cases", t["builder_admin"], json={
        "case_type": "progress_report", "form": {}, "submit": False})
    assert r.status_code == 409 and r.json()["error"]["code"] == "PROJECT_EXITED"
    r = await api.client.patch(f"/api/v1/housing/projects/{p.id}", headers=api._h(t["gov_admin"]),
                               json={"description": "x"})
    assert r.status_code == 409 and "已退出" in r.json()["error"]["message"]


@pytest.mark.feature("GOV-05-02", "GOV-05-03")
async def test_onsite_declaration_by_a_clerk_for_a_builder(world):
    """Window intake: the clerk enters the declaration for hs_builder_admin's company."""
    p = world.p2
    assert p["builder_name"] == HS_BUILDER and p["district_code"] == HS and p["state"] == "recognized"
    case = await Case.get(id=p["declaration_case"]["id"])
    assert case.channel == "onsite" and case.applicant_org_id == world.org["hs"].id
    assert p["certificate"]["status"] == "valid"
    assert [b["name"] for b in p["buildings"]] == ["1栋", "2栋"]


@pytest.mark.feature("GOV-05-04", "GOV-05-05")
async def test_onsite_exit_by_the_window_clerk(world):
    api, t = world.api, world.t
    p = await world.recognised("gov_clerk", "hs", HS, f"窗口退出{tag()}", point=bd09(112.9610, 22.7680))
    fid = (await api.post("/api/v1/files", t["gov_clerk"],
                          files={"file": ("退出申请书.png", png(), "image/png")})).json()["id"]
    r = await api.post(f"/api/v1/housing/projects/{p['id']}/cases", t["gov_clerk"], json={
        "case_type": "project_exit", "form": {"exit_reason": "建设单位申请退出"}, "submit": True,
        "materials": [{"file_id": fid, "material_type": "退出申请书"}], "opinion": "材料齐全"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["channel"] == "onsite" and case["applicant_name"] == HS_BUILDER
    assert [m["material_type"] for m in case["materials"]] == ["退出申请书"]
    # The builder follows its exit case; the other builder does not see it.
    assert (await api.get(f"/api/v1/cases/{case['id']}", t["hs_builder_admin"])).status_code == 200
    assert (await api.get(f"/api/v1/cases/{case['id']}", t["builder_admin"])).status_code == 404
    r = await world.act(case["id"], steps=SHORT_STEPS)
    assert r.status_code == 200 and r.json()["status"] == "complete", r.text
    detail = (await api.get(f"/api/v1/housing/projects/{p['id']}", t["hs_builder_admin"])).json()
    assert detail["state"] == "exited" and detail["certificate"]["status"] == "revoked"


@pytest.mark.feature("GOV-05-03", "BLD-01-02")
async def test_bad_declarations_are_refused_and_nothing_is_written(world):
    api, t = world.api, world.t
    n_projects, n_docs = await Project.all().count(), await IssuedDocument.all().count()
    # Bad coordinates and a malformed building list are refused at intake.
    for form, field in (({"lng": 116.4, "lat": 39.9}, "lng"), ({"buildings": "一号楼 三十层"}, "buildings"),
                        ({"lat": "北纬"}, "lat")):
        r = await api.post("/api/v1/cases", t["builder_admin"], json={
            "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": world.org["builder"].id},
            "district_code": PJ, "form": declaration_form(f"坏申报{tag()}") | form, "submit": True})
        assert r.status_code == 422, r.text
        assert field in r.json()["error"]["fields"] and "表单填写有误" in r.json()["error"]["message"]
    # Semantic problems are caught at completion: the approval rolls back and says why.
    case = await world.declare("builder_admin", "builder", PJ, f"超套数{tag()}", units=50,
                               buildings="1栋:20:40\n2栋:10:40")
    r = await world.act(case["id"])
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "COMPLETION_FAILED" and "超过计划套数" in err["message"]
    assert (await Case.get(id=case["id"])).status == "in_review"
    assert await WorkItem.filter(case_id=case["id"], step_id="approval", status="open").exists()
    # The same name twice for one builder.
    dup = await world.declare("builder_admin", "builder", PJ, world.p1["name"])
    r = await world.act(dup["id"])
    assert r.status_code == 422 and "已有名为" in r.json()["error"]["message"]
    # An operator cannot be the applicant of a declaration.
    r = await api.post("/api/v1/cases", t["gov_clerk"], json={
        "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": world.org["operator"].id},
        "district_code": PJ, "form": declaration_form(f"运营单位申报{tag()}"), "submit": True})
    assert r.status_code == 201
    r = await world.act(r.json()["id"])
    assert r.status_code == 422 and "应为建设单位" in r.json()["error"]["message"]
    assert await Project.all().count() == n_projects and await IssuedDocument.all().count() == n_docs


@pytest.mark.feature("BLD-01-04", "GOV-05-04")
async def test_exit_of_another_builders_or_unknown_project_is_refused(world):
    api, t = world.api, world.t
    # Through the project entry: another builder's project is not there at all.
    r = await api.post(f"/api/v1/housing/projects/{world.p2['id']}/cases", t["builder_admin"], json={
        "case_type": "project_exit", "form": {"exit_reason": "越权"}, "submit": True})
    assert r.status_code == 404
    r = await api.post(f"/api/v1/housing/projects/{world.p1['id']}/cases", t["operator_admin"], json={
        "case_type": "project_exit", "form": {"exit_reason": "运营单位"}, "submit": True})
    assert r.status_code == 403
    assert not await Case.filter(case_type="project_exit", subjects__contains={"project_id": world.p2["id"]}).exists()
    # Through the generic case API the intake check refuses it, and no case is made.
    for subjects, why in (({"project_id": world.p2["id"]}, "不属于申请单位"), ({"project_id": 999999999}, "不存在"),
                          ({}, "未关联项目"), ({"project_id": "七"}, "未关联项目")):
        before = await Case.filter(case_type="project_exit").count()
        r = await api.post("/api/v1/cases", t["builder_admin"], json={
            "case_type": "project_exit", "applicant": {"kind": "ORG", "org_id": world.org["builder"].id},
            "subjects": subjects, "form": {"exit_reason": "越权退出"}, "submit": True})
        assert r.status_code == 422 and why in r.json()["error"]["message"], r.text
        assert await Case.filter(case_type="project_exit").count() == before
    p2 = await Project.get(id=world.p2["id"])
    assert p2.state == "recognized"
    assert (await IssuedDocument.get(id=p2.recognition_document_id)).status == "valid"


# ---- progress reports ---------------------------------------------------------------------------

@pytest.mark.feature("BLD-01-06", "BLD-01-07", "GOV-05-06", "GOV-05-07")
async def test_progress_reports_update_the_project_in_order(world):
    api, t = world.api, world.t
    p = await world.recognised("builder_admin", "builder", PJ, f"进度项目{tag()}", units=200,
                               buildings="1栋:30:200")
    pid = p["id"]

    async def report(who: str, period: str, pct: int, inv, started: int, completed: int) -> dict:  # noqa: ANN001
        r = await api.post(f"/api/v1/housing/projects/{pid}/cases", t[who], json={
            "case_type": "progress_report", "submit": True,
            "form": {"period": period, "progress_percent": pct, "investment_done": inv, "units_started": started,
                     "units_completed": completed, "note": f"{period}进度"}})
        assert r.status_code == 201, r.text
        return r.json()

    this_month = cn_today().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    c1 = await report("builder_admin", f"{last_month:%Y-%m}", 30, 1000000.5, 100, 0)
    assert c1["channel"] == "online"
    assert (await world.act(c1["id"], steps=SHORT_STEPS)).status_code == 200
    row = await ProjectProgress.get(project_id=pid)
    assert (row.period, row.progress_percent, row.investment_done_fen, row.units_started, row.case_id) == \
        (f"{last_month:%Y-%m}", 30, 100000050, 100, c1["id"])
    # The same month again is refused at intake.
    r = await api.post(f"/api/v1/housing/projects/{pid}/cases", t["builder_admin"], json={
        "case_type": "progress_report", "form": {"period": f"{last_month:%Y-%m}"}, "submit": False})
    assert r.status_code == 422 and "已申报" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/housing/projects/{pid}/cases", t["builder_admin"], json={
        "case_type": "progress_report", "form": {"period": "2026-1111"}, "submit": False})
    assert r.status_code == 422 and "period" in r.json()["error"]["fields"]
    # A later month whose cumulative figures go down is refused at completion.
    c2 = await report("gov_clerk", f"{this_month:%Y-%m}", 20, 2000000, 150, 0)
    assert c2["channel"] == "onsite"
    r = await world.act(c2["id"], steps=SHORT_STEPS)
    assert r.status_code == 422 and "形象进度不能小于" in r.json()["error"]["message"]
    assert await ProjectProgress.filter(project_id=pid).count() == 1
    # The reviewer sends it back; the applicant corrects it and the case resumes at the approval.
    item = await WorkItem.get(case_id=c2["id"], step_id="approval", status="open")
    r = await api.post(f"/api/v1/work-items/{item.id}/act", t["gov_admin"],
                       json={"action": "return_applicant", "opinion": "形象进度有误"})
    assert r.status_code == 200, r.text
    corr = await WorkItem.get(case_id=c2["id"], step_id="correction", status="open")
    r = await api.post(f"/api/v1/work-items/{corr.id}/act", t["gov_clerk"],
                       json={"action": "submit", "form": {"progress_percent": 55}})
    assert r.status_code == 200, r.text
    item = await WorkItem.get(case_id=c2["id"], status="open")
    r = await api.post(f"/api/v1/work-items/{item.id}/act", t["gov_admin"], json={"action": "approve"})
    assert r.status_code == 200, r.text
    assert (await Case.get(id=c2["id"])).status == "complete"
    proj = await Project.get(id=pid)
    assert (proj.progress_percent, proj.investment_done_fen) == (55, 200000000)
    detail = (await api.get(f"/api/v1/housing/projects/{pid}", t["builder_admin"])).json()
    assert [(h["period"], h["progress_percent"], h["investment_done"]) for h in detail["progress"]] == \
        [(f"{this_month:%Y-%m}", 55, "2000000.00"), (f"{last_month:%Y-%m}", 30, "1000000.50")]
    assert detail["progress"][0]["case_number"] == c2["number"]
    # A future month and too many units are refused.
    future = (this_month + dt.timedelta(days=40)).replace(day=1)
    c3 = await report("builder_admin", f"{future:%Y-%m}", 60, 3000000, 160, 0)
    r = await world.act(c3["id"], steps=SHORT_STEPS)
    assert r.status_code == 422 and "未来月份" in r.json()["error"]["message"]
    # The progress query: scoped, filtered, exported.
    r = await api.get(f"/api/v1/housing/project-progress?project_id={pid}&sort=-period", t["builder_admin"])
    assert [i["period"] for i in r.json()["items"]] == [f"{this_month:%Y-%m}", f"{last_month:%Y-%m}"]
    r = await api.get(f"/api/v1/housing/project-progress?project_id={pid}", t["hs_builder_admin"])
    assert r.json()["total"] == 0
    r = await api.get(f"/api/v1/housing/project-progress?project_id={pid}&format=xlsx", t["gov_clerk"])
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][:3] == ("项目编号", "项目名称", "申报月份") and len(rows) == 3
    assert await audits("project.progress", row.id) == 1


@pytest.mark.feature("BLD-01-06", "BLD-01-07", "GOV-05-06", "GOV-05-07", "GOV-04-02")
async def test_progress_areas_are_checked_and_reach_plan_versus_actual(world):
    api, t = world.api, world.t
    p = await world.recognised("builder_admin", "builder", PJ, f"面积项目{tag()}", units=200,
                               buildings="1栋:30:200")  # building area 18000.50 ㎡
    pid = p["id"]
    this_month = cn_today().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    year = this_month.year
    r = await api.post("/api/v1/housing/plans", t["gov_admin"], json={"year": year, "name": f"面积计划{tag()}"})
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    r = await api.post("/api/v1/housing/plan-project-targets", t["gov_admin"], json={
        "plan_id": plan_id, "project_id": pid, "units_start": 200, "units_complete": 100, "area_start": "12000",
        "area_complete": "6000.00", "planned_investment": "50000000"})
    assert r.status_code == 201, r.text

    async def report(period: str, pct: int, started: float, completed: float, *, who: str = "builder_admin") -> dict:
        r = await api.post(f"/api/v1/housing/projects/{pid}/cases", t[who], json={
            "case_type": "progress_report", "submit": True,
            "form": {"period": period, "progress_percent": pct, "investment_done": pct * 100000, "units_started": 100,
                     "units_completed": 20, "area_started": started, "area_completed": completed}})
        assert r.status_code == 201, r.text
        return r.json()

    c1 = await report(f"{last_month:%Y-%m}", 30, 5000.5, 1000.25)
    assert (await world.act(c1["id"], steps=SHORT_STEPS)).status_code == 200
    row = await ProjectProgress.get(project_id=pid)
    assert (str(row.area_started), str(row.area_completed)) == ("5000.50", "1000.25")
    log = await AuditLog.filter(action="project.progress", object_id=str(row.id)).first()
    assert (log.after["area_started"], log.after["area_completed"]) == ("5000.50", "1000.25")

    # Refused at completion, with the reason, and nothing written: the approval is rolled back.
    n_audit = await AuditLog.filter(action="project.progress").count()
    for started, completed, why, field in (
            (9000, 9000.01, "累计竣工面积不能超过累计开工面积", "area_completed"),
            (4000, 1000.25, f"累计开工面积不能小于{last_month:%Y-%m}已申报的数值", "area_started"),
            (9000, 900, f"累计竣工面积不能小于{last_month:%Y-%m}已申报的数值", "area_completed"),
            (18000.51, 3000, "累计开工面积不能超过项目建筑面积（18000.50㎡）", "area_started")):
        bad = await report(f"{this_month:%Y-%m}", 50, started, completed, who="gov_clerk")
        r = await world.act(bad["id"], steps=SHORT_STEPS)
        assert r.status_code == 422 and why in r.json()["error"]["message"], r.text
        assert field in r.json()["error"]["fields"]
        assert (await Case.get(id=bad["id"])).status == "in_review"
        assert await ProjectProgress.filter(project_id=pid).count() == 1
        assert await AuditLog.filter(action="project.progress").count() == n_audit
        assert (await Project.get(id=pid)).progress_percent == 30
    # A negative area never passes the form.
    r = await api.post(f"/api/v1/housing/projects/{pid}/cases", t["builder_admin"], json={
        "case_type": "progress_report", "submit": True,
        "form": {"period": f"{this_month:%Y-%m}", "progress_percent": 50, "investment_done": 1, "units_started": 100,
                 "units_completed": 20, "area_started": -1}})
    assert r.status_code == 422 and "累计开工面积（㎡）不能小于0" in r.json()["error"]["message"], r.text

    c2 = await report(f"{this_month:%Y-%m}", 50, 9000.75, 3000.25)
    assert (await world.act(c2["id"], steps=SHORT_STEPS)).status_code == 200
    detail = (await api.get(f"/api/v1/housing/projects/{pid}", t["builder_admin"])).json()
    assert [(h["period"], h["area_started"], h["area_completed"]) for h in detail["progress"]] == \
        [(f"{this_month:%Y-%m}", "9000.75", "3000.25"), (f"{last_month:%Y-%m}", "5000.50", "1000.25")]
    r = await api.get(f"/api/v1/housing/project-progress?project_id={pid}&sort=period", t["gov_clerk"])
    assert [(i["area_started"], i["area_completed"]) for i in r.json()["items"]] == \
        [("5000.50", "1000.25"), ("9000.75", "3000.25")]
    r = await api.get(f"/api/v1/housing/project-progress?project_id={pid}&sort=period&format=xlsx", t["gov_clerk"])
    sheet = list(load_workbook(io.BytesIO(r.content)).active.values)
    col = sheet[0].index("累计开工面积（㎡）")
    assert sheet[0][col + 1] == "累计竣工面积（㎡）" and [x[col] for x in sheet[1:]] == ["5000.50", "9000.75"]

    # Plan versus actual: this year's growth of the cumulative areas against the targets.
    body = (await api.get(f"/api/v1/housing/plans/{plan_id}/progress", t["gov_clerk"])).json()
    item = next(i for i in body["items"] if i["project_id"] == pid)
    base_s, base_c = (Decimal("5000.50"), Decimal("1000.25")) if last_month.year < year else (Decimal(0), Decimal(0))
    started, completed = Decimal("9000.75") - base_s, Decimal("3000.25") - base_c
    assert item["target"]["area_start"] == "12000.00" and item["target"]["area_complete"] == "6000.00"
    assert (item["actual"]["area_started"], item["actual"]["area_completed"]) == (f"{started}", f"{completed}")
    assert item["rate"]["area_start"] == round(float(started / 12000), 4)
    assert item["rate"]["area_complete"] == round(float(completed / 6000), 4)
    if last_month.year == year:
        assert (item["rate"]["area_start"], item["rate"]["area_complete"]) == (0.7501, 0.5)
    assert body["totals"]["actual"]["area_started"] == f"{started}"
    assert body["totals"]["rate"]["area_complete"] == item["rate"]["area_complete"]
    monthly = {m["period"]: m for m in body["monthly"]}
    assert monthly[f"{this_month:%Y-%m}"]["area_started"] == f"{started}"


# ---- list, detail, export, scope ----------------------------------------------------------------

@pytest.mark.feature("GOV-05-01", "BLD-01-01", "OPS-03-01")
async def test_list_filters_search_and_export(world):
    api, t = world.api, world.t
    p1 = world.p1
    r = await api.get(f"/api/v1/housing/projects?name__contains={p1['name'][:6]}&district_code={PJ}"
                      f"&state=recognized&supply_mode=new_build", t["gov_clerk"])
    assert r.status_code == 200 and p1["id"] in [i["id"] for i in r.json()["items"]]
    row = next(i for i in r.json()["items"] if i["id"] == p1["id"])
    assert row["builder_name"] == BUILDER and row["operator_name"] == OPERATOR and row["total_investment"] == "88000000.50"
    assert row["location"]["bd09"]["lng"] == pytest.approx(bd09()[0])
    r = await api.get(f"/api/v1/housing/projects?builder_name=鹤山&q={world.p2['code']}", t["gov_admin"])
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["items"]] == [world.p2["id"]]
    r = await api.get(f"/api/v1/housing/projects?operator_id__isnull=1&id__in={p1['id']},{world.p2['id']}",
                      t["gov_admin"])
    assert [i["id"] for i in r.json()["items"]] == [world.p2["id"]]
    to = world.p2["qualification_to"]
    r = await api.get(f"/api/v1/housing/projects?qualification_to__gte={to}&qualification_to__lte={to}"
                      f"&id={world.p2['id']}", t["gov_admin"])
    assert r.json()["total"] == 1
    r = await api.get("/api/v1/housing/projects?state=火星", t["gov_admin"])
    assert r.status_code == 200 and r.json()["total"] == 0
    r = await api.get("/api/v1/housing/projects?colour=red", t["gov_admin"])
    assert r.status_code == 422 and "不支持的查询条件" in r.json()["error"]["message"]
    r = await api.get(f"/api/v1/housing/projects?format=xlsx&id__in={p1['id']},{world.p2['id']}&sort=id",
                      t["gov_admin"])
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][:3] == ("项目编号", "项目名称", "所属区（市）")
    assert [x[1] for x in rows[1:]] == [p1["name"], world.p2["name"]] and rows[1][2] == "蓬江区"
    r = await api.get(f"/api/v1/housing/projects/map?district_code={PJ}", t["gov_admin"])
    assert p1["id"] in [i["id"] for i in r.json()["items"]] and world.p2["id"] not in [i["id"] for i in r.json()["items"]]
    r = await api.get("/api/v1/housing/projects/map?bounds=112.8,22.7,113.0,22.85", t["gov_admin"])
    assert world.p2["id"] in [i["id"] for i in r.json()["items"]] and p1["id"] not in [i["id"] for i in r.json()["items"]]
    r = await api.get("/api/v1/housing/projects/map?bounds=112.8,22.7,113.0,22.85", t["builder_admin"])
    assert world.p2["id"] not in [i["id"] for i in r.json()["items"]]
    for bad in ("district_code=1234567", "unit_count__gte=1099511627776", "bounds=NaN,1,2,3", "bounds=a,b,c,d"):
        r = await api.get(f"/api/v1/housing/projects/map?{bad}", t["gov_admin"])
        assert r.status_code == 422, (bad, r.text)


@pytest.mark.feature("GOV-05-01", "BLD-01-01", "OPS-03-01")
async def test_data_scope_by_list_id_export_and_write(world):
    api, t = world.api, world.t
    p1, p2 = world.p1["id"], world.p2["id"]

    async def ids(who: str) -> set[int]:
        r = await api.get(f"/api/v1/housing/projects?id__in={p1},{p2}", t[who])
        assert r.status_code == 200
        return {i["id"] for i in r.json()["items"]}

    assert await ids("gov_admin") == {p1, p2} and await ids("gov_clerk") == {p1, p2}
    assert await ids("pj_clerk") == {p1}            # 蓬江 only
    assert await ids("builder_admin") == {p1}       # its own
    assert await ids("hs_builder_admin") == {p2}
    assert await ids("operator_admin") == {p1}      # the one it serves
    assert await ids("xh_operator_admin") == set()
    for who, hidden in (("builder_admin", p2), ("hs_builder_admin", p1), ("pj_clerk", p2), ("operator_admin", p2),
                        ("xh_operator_admin", p1)):
        assert (await api.get(f"/api/v1/housing/projects/{hidden}", t[who])).status_code == 404, who
        r = await api.get(f"/api/v1/housing/projects?format=xlsx&id={hidden}", t[who])
        assert len(list(load_workbook(io.BytesIO(r.content)).active.values)) == 1, who  # the header only
        r = await api.get(f"/api/v1/housing/projects/{hidden}/certificate/pdf", t[who])
        assert r.status_code == 404, who
    # Writes to another builder's project: 404, nothing changes, nothing is audited.
    before = await Project.filter(id=p2).values()
    n = await AuditLog.all().count()
    fid = (await api.post("/api/v1/files", t["builder_admin"],
                          files={"file": ("总平面图.png", png(), "image/png")})).json()["id"]
    n_after_upload = await AuditLog.all().count()
    attempts = [("PATCH", f"/api/v1/housing/projects/{p2}", {"description": "越权"}),
                ("POST", f"/api/v1/housing/projects/{p2}/files", {"file_id": fid, "kind": "施工图"}),
                ("POST", f"/api/v1/housing/projects/{p2}/cases", {"case_type": "progress_report", "form": {}}),
                ("PUT", f"/api/v1/housing/projects/{p2}/operator", {"operator_id": None})]
    for method, url, body in attempts:
        r = await api.client.request(method, url, headers=api._h(t["builder_admin"]), json=body)
        assert r.status_code in (403, 404), (method, url, r.text)
    assert await Project.filter(id=p2).values() == before
    assert await AuditLog.all().count() == n_after_upload and n_after_upload >= n
    assert not await ProjectFile.filter(project_id=p2).exists()
    # The operator may read its project but not write it.
    r = await api.client.patch(f"/api/v1/housing/projects/{p1}", headers=api._h(t["operator_admin"]),
                               json={"description": "运营单位修改"})
    assert r.status_code == 403
    detail = (await api.get(f"/api/v1/housing/projects/{p1}", t["operator_admin"])).json()
    assert detail["can"] == {"edit": False, "edit_fields": [], "manage_files": False, "set_operator": False,
                             "publish": False, "exit": False, "report_progress": False}


@pytest.mark.feature("GOV-05-01", "BLD-01-01")
async def test_edit_basic_data_by_gov_and_by_the_builder(world):
    api, t = world.api, world.t
    p = await world.recognised("builder_admin", "builder", PJ, f"编辑项目{tag()}")
    pid = p["id"]

    async def patch(who: str, body: dict):  # noqa: ANN202
        return await api.client.patch(f"/api/v1/housing/projects/{pid}", headers=api._h(t[who]), json=body)

    # The builder: its own descriptive fields, coordinates in either system.
    r = await patch("builder_admin", {"address": "江门市蓬江区建设路28号", "total_investment": "90000000.10",
                                      "location": {"lng": 113.0870, "lat": 22.5900, "system": "wgs84"},
                                      "building_area": 20000})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["address"] == "江门市蓬江区建设路28号" and body["total_investment"] == "90000000.10"
    assert body["building_area"] == "20000.00"
    assert body["location"]["wgs84"] == {"lng": 113.087, "lat": 22.59}
    bd = body["location"]["bd09"]
    assert coords.distance_m(*coords.bd09_to_wgs84(bd["lng"], bd["lat"]), 113.087, 22.59) < 0.5
    assert await audits("project.update", pid) == 1
    # ... but not what was recognised.
    r = await patch("builder_admin", {"name": "改名", "unit_count": 999})
    assert r.status_code == 403 and "建设单位不能修改" in r.json()["error"]["message"]
    # Bad input: nothing written.
    before = await Project.filter(id=pid).values()
    for bad, field in (({"location": {"lng": 116.4, "lat": 39.9}}, "location"),
                       ({"total_investment": "12.345"}, "total_investment"),
                       ({"land_area": -1}, "land_area"), ({"supply_mode": "mars"}, "supply_mode")):
        r = await patch("builder_admin" if field != "supply_mode" else "gov_admin", bad)
        assert r.status_code == 422, (bad, r.text)
        assert field in next(iter(r.json()["error"]["fields"])) and r.json()["error"]["message"]
    assert await Project.filter(id=pid).values() == before
    # Gov: everything, including the qualification period.
    r = await patch("gov_admin", {"name": f"改名项目{tag()}", "unit_count": 130, "supply_mode": "renovated",
                                  "qualification_to": "2027-01-31"})
    assert r.status_code == 200, r.text
    assert r.json()["supply_mode_name"] == "改建" and r.json()["qualification"]["to"] == "2027-01-31"
    r = await patch("gov_admin", {"qualification_from": "2027-02-01"})
    assert r.status_code == 422 and "资格期止不能早于" in r.json()["error"]["message"]
    # Once published the builder must ask the bureau.
    assert (await api.post(f"/api/v1/housing/projects/{pid}/publish", t["gov_admin"])).status_code == 200
    r = await patch("builder_admin", {"description": "公开后修改"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "PROJECT_PUBLISHED"


@pytest.mark.feature("GOV-05-01", "BLD-01-01")
async def test_drawings_upload_attach_download_delete(world):
    api, t = world.api, world.t
    pid = world.p1["id"]
    up = await api.post("/api/v1/files", t["builder_admin"], files={"file": ("总平面图.png", png(), "image/png")})
    assert up.status_code == 201
    r = await api.post(f"/api/v1/housing/projects/{pid}/files", t["builder_admin"],
                       json={"file_id": up.json()["id"], "kind": "规划图纸"})
    assert r.status_code == 201, r.text
    f = r.json()
    assert (f["kind"], f["name"], f["mime"]) == ("规划图纸", "总平面图.png", "image/png")
    assert await audits("project.file_add", f["id"]) == 1
    # The operator serving the project and the district clerk can view it; another builder cannot.
    for who, status in (("operator_admin", 200), ("pj_clerk", 200), ("hs_builder_admin", 404)):
        r = await api.get(f["url"], t[who])
        assert r.status_code == status, who
    assert (await api.get(f["url"], t["operator_admin"])).content[:4] == b"\x89PNG"
    detail = (await api.get(f"/api/v1/housing/projects/{pid}", t["gov_admin"])).json()
    assert f["id"] in [x["id"] for x in detail["files"]]
    # A file someone else uploaded cannot be attached; a bad kind is refused.
    other = await api.post("/api/v1/files", t["hs_builder_admin"], files={"file": ("x.png", png(), "image/png")})
    r = await api.post(f"/api/v1/housing/projects/{pid}/files", t["builder_admin"],
                       json={"file_id": other.json()["id"], "kind": "施工图"})
    assert r.status_code == 422 and "文件不存在" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/housing/projects/{pid}/files", t["builder_admin"],
                       json={"file_id": up.json()["id"], "kind": "照片"})
    assert r.status_code == 422
    # Delete: not by the operator, yes by the builder.
    r = await api.delete(f"/api/v1/housing/projects/{pid}/files/{f['id']}", t["operator_admin"])
    assert r.status_code == 403
    r = await api.delete(f"/api/v1/housing/projects/{pid}/files/{f['id']}", t["builder_admin"])
    assert r.status_code == 200 and not await ProjectFile.filter(id=f["id"]).exists()
    assert await audits("project.file_remove", f["id"]) == 1


@pytest.mark.feature("GOV-05-01", "OPS-03-01")
async def test_operator_is_set_by_gov_and_moves_the_service_scope(world):
    api, t = world.api, world.t
    p = await world.recognised("builder_admin", "builder", PJ, f"运营项目{tag()}")
    pid = p["id"]
    comm = await Community.create(name=f"运营小区{tag()}", district_code=PJ, address="江门", project_id=pid,
                                  builder_id=world.org["builder"].id)
    r = await api.put(f"/api/v1/housing/projects/{pid}/operator", t["builder_admin"],
                      json={"operator_id": world.org["operator"].id})
    assert r.status_code == 403 and "住建部门" in r.json()["error"]["message"]
    r = await api.put(f"/api/v1/housing/projects/{pid}/operator", t["gov_admin"],
                      json={"operator_id": world.org["hs"].id})
    assert r.status_code == 422 and "运营单位" in r.json()["error"]["message"]
    r = await api.put(f"/api/v1/housing/projects/{pid}/operator", t["gov_admin"],
                      json={"operator_id": world.org["xh"].id})
    assert r.status_code == 200 and r.json()["operator_name"] == XH_OPERATOR
    assert (await Community.get(id=comm.id)).operator_id == world.org["xh"].id
    assert (await api.get(f"/api/v1/housing/projects/{pid}", t["xh_operator_admin"])).status_code == 200
    assert (await api.get(f"/api/v1/housing/projects/{pid}", t["operator_admin"])).status_code == 404
    assert await audits("project.operator", pid) == 1
    r = await api.put(f"/api/v1/housing/projects/{pid}/operator", t["gov_admin"], json={"operator_id": None})
    assert r.status_code == 200 and r.json()["operator_id"] is None
    assert (await api.get(f"/api/v1/housing/projects/{pid}", t["xh_operator_admin"])).status_code == 404


# ---- publishing and the public API ---------------------------------------------------------------

@pytest.mark.feature("GOV-05-01", "PUB-04-01", "PUB-04-02", "MOB-03-00", "MOB-04-00")
async def test_publish_and_the_public_project_api(world):
    api, t = world.api, world.t
    pid = world.p2["id"]
    r = await api.post(f"/api/v1/housing/projects/{pid}/publish", t["gov_clerk"])
    assert r.status_code == 403  # the clerk may not publish
    r = await api.post(f"/api/v1/housing/projects/{pid}/publish", t["builder_admin"])
    assert r.status_code == 403
    assert (await api.get(f"/api/public/projects/{pid}")).status_code == 404
    r = await api.post(f"/api/v1/housing/projects/{pid}/publish", t["gov_admin"])
    assert r.status_code == 200 and r.json()["published"] is True and r.json()["published_at"]
    assert await audits("project.publish", pid) == 1
    r = await api.get(f"/api/public/projects?district_code={HS}&q={world.p2['name'][:4]}")
    assert r.status_code == 200
    item = next(i for i in r.json()["items"] if i["id"] == pid)
    assert set(item) == {"id", "name", "district_code", "district_name", "address", "supply_mode", "supply_mode_name",
                         "unit_count", "available_units", "builder_name", "operator_name", "location", "published_at"}
    assert item["builder_name"] == HS_BUILDER and item["location"]["bd09"]
    detail = (await api.get(f"/api/public/projects/{pid}")).json()
    assert [b["name"] for b in detail["buildings"]] == ["1栋", "2栋"]
    for internal in ("code", "total_investment", "qualification_to", "certificate", "builder_id", "files"):
        assert internal not in detail
    assert (await api.get("/api/public/projects?format=xlsx")).status_code == 422
    # The public map asks for what its viewport shows (BD-09 south-west, north-east).
    lng, lat = item["location"]["bd09"]["lng"], item["location"]["bd09"]["lat"]
    r = await api.get(f"/api/public/projects?bounds={lng - 0.01},{lat - 0.01},{lng + 0.01},{lat + 0.01}")
    assert pid in [i["id"] for i in r.json()["items"]]
    r = await api.get("/api/public/projects?bounds=113.0,22.5,113.2,22.7")  # 蓬江 and 江海, not 鹤山
    assert pid not in [i["id"] for i in r.json()["items"]]
    assert (await api.get("/api/public/projects?bounds=1,2,3")).status_code == 422
    assert (await api.get("/api/public/projects?bounds=113.2,22.5,113.0,22.7")).status_code == 422
    # world.p1 is not published: not in the public list, not by id.
    r = await api.get("/api/public/projects?page_size=200")
    assert world.p1["id"] not in [i["id"] for i in r.json()["items"]]
    assert (await api.get(f"/api/public/projects/{world.p1['id']}")).status_code == 404
    r = await api.post(f"/api/v1/housing/projects/{pid}/unpublish", t["gov_admin"])
    assert r.status_code == 200 and r.json()["published"] is False
    assert (await api.get(f"/api/public/projects/{pid}")).status_code == 404


# ---- geocoding (INT-15) ---------------------------------------------------------------------------

@pytest.mark.feature("GOV-05-02", "BLD-01-02")
async def test_geocode_an_address_for_the_map(world):
    api, t = world.api, world.t
    r = await api.get("/api/v1/housing/geocode", t["builder_admin"], params={"address": "江门市蓬江区建设路28号"})
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["found"] and g["level"] == "门址"
    assert coords.distance_m(g["location"]["wgs84"]["lng"], g["location"]["wgs84"]["lat"], 113.087, 22.59) < 400
    back = coords.bd09_to_wgs84(g["location"]["bd09"]["lng"], g["location"]["bd09"]["lat"])
    assert coords.distance_m(*back, g["location"]["wgs84"]["lng"], g["location"]["wgs84"]["lat"]) < 1
    r = await api.get("/api/v1/housing/geocode", t["gov_clerk"], params={"address": "火星殖民地一号基地"})
    assert r.status_code == 200 and r.json()["found"] is False and r.json()["message"] == "百度地图未能找到该地址"
    r = await api.get("/api/v1/housing/geocode", t["gov_clerk"], params={"address": "长" * 40})
    assert r.status_code == 422
    assert (await api.get("/api/v1/housing/geocode", params={"address": "江门"})).status_code == 401


# ---- qualification alerts -------------------------------------------------------------------------

@pytest.mark.feature("GOV-12-02", "BLD-03-01", "OPS-10-02")
async def test_qualification_alerts_are_made_idempotently_and_read_in_scope(world):
    api, t = world.api, world.t
    a = await world.recognised("builder_admin", "builder", PJ, f"将到期{tag()}")
    b = await world.recognised("gov_clerk", "hs", HS, f"已过期{tag()}", point=bd09(112.9610, 22.7680))
    r = await api.put(f"/api/v1/housing/projects/{a['id']}/operator", t["gov_admin"],
                      json={"operator_id": world.org["operator"].id})
    assert r.status_code == 200
    today = cn_today()
    for pid, to in ((a["id"], today + dt.timedelta(days=10)), (b["id"], today - dt.timedelta(days=45))):
        r = await api.client.patch(f"/api/v1/housing/projects/{pid}", headers=api._h(t["gov_admin"]),
                                   json={"qualification_from": to.replace(year=to.year - 5).isoformat(),
                                         "qualification_to": to.isoformat()})
        assert r.status_code == 200, r.text
    first = await alerts.run(today=today)
    again = await alerts.run(today=today)
    assert again["created"] == 0 and again["closed"] == 0 and first["projects"] == again["projects"]
    rows = {x.project_id: x for x in await QualificationAlert.filter(project_id__in=[a["id"], b["id"]])}
    assert (rows[a["id"]].kind, rows[a["id"]].days_left, rows[a["id"]].status) == ("expiring", 10, "open")
    assert (rows[b["id"]].kind, rows[b["id"]].days_left) == ("overdue", -45)
    assert rows[a["id"]].operator_id == world.org["operator"].id and rows[b["id"]].district_code == HS
    latest = await RuleSetVersion.filter(key="housing.project_qualification").order_by("-version").first()
    assert rows[a["id"]].rule_version == latest.version

    async def seen(who: str) -> set[int]:
        r = await api.get(f"/api/v1/housing/qualification-alerts?project_id__in={a['id']},{b['id']}", t[who])
        assert r.status_code == 200, r.text
        return {i["project_id"] for i in r.json()["items"]}

    assert await seen("gov_clerk") == {a["id"], b["id"]}
    assert await seen("pj_clerk") == {a["id"]}
    assert await seen("builder_admin") == {a["id"]} and await seen("hs_builder_admin") == {b["id"]}
    assert await seen("operator_admin") == {a["id"]} and await seen("xh_operator_admin") == set()
    r = await api.get(f"/api/v1/housing/qualification-alerts/{rows[a['id']].id}", t["builder_admin"])
    assert r.status_code == 200 and r.json()["kind_name"] == "即将到期" and r.json()["project"]["name"] == a["name"]
    assert (await api.get(f"/api/v1/housing/qualification-alerts/{rows[b['id']].id}",
                          t["builder_admin"])).status_code == 404
    r = await api.get(f"/api/v1/housing/qualification-alerts?kind=overdue&days_left__lte=-30&format=xlsx"
                      f"&project_id={b['id']}", t["gov_admin"])
    rows_x = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert len(rows_x) == 2 and "逾期未处理" in rows_x[1]
    # Renewing the qualification closes the alert; the next run sees nothing to warn about.
    r = await api.client.patch(f"/api/v1/housing/projects/{b['id']}", headers=api._h(t["gov_admin"]),
                               json={"qualification_to": (today + dt.timedelta(days=1000)).isoformat()})
    assert r.status_code == 200
    third = await alerts.run(today=today)
    assert third["closed"] >= 1
    assert (await QualificationAlert.get(id=rows[b["id"]].id)).status == "closed"
    # Time passes for the other: expiring → expired closes the first alert and opens a new one.
    await alerts.run(today=today + dt.timedelta(days=11))
    kinds = {(x.kind, x.status) for x in await QualificationAlert.filter(project_id=a["id"])}
    assert kinds == {("expiring", "closed"), ("expired", "open")}
    assert await AuditLog.filter(action="qualification_alert.run").exists()


@pytest.mark.feature("GOV-12-02")
async def test_run_now_goes_through_the_worker_with_progress(world, job_worker):
    api, t = world.api, world.t
    r = await api.post("/api/v1/housing/qualification-alerts/run", t["gov_clerk"])
    assert r.status_code == 403
    r = await api.post("/api/v1/housing/qualification-alerts/run", t["gov_admin"])
    assert r.status_code == 201, r.text
    job_id = r.json()["job_id"]
    for _ in range(300):
        job = (await api.get(r.json()["status_url"], t["gov_admin"])).json()
        if job["status"] in ("done", "failed"):
            break
        await __import__("asyncio").sleep(0.1)
    assert job["status"] == "done", job
    assert job["progress"] == job["total"] == job["result"]["projects"] > 0
    assert job["result"]["today"] and "完成" in job["message"]
    assert (await Job.get(id=job_id)).kind == "housing.qualification_alerts"
    # Someone else's job is not theirs to read.
    assert (await api.get(r.json()["status_url"], t["gov_clerk"])).status_code == 404
