"""Projects, plans and alerts in a real browser against the real backend.

1. The builder (`builder_admin`) declares a project online: the form from the case type, the
   location located by address through the Baidu stand-in and then typed (this machine has no
   network, so the Baidu map says it cannot load and the page works with coordinates). The city
   clerk (`gov_clerk`) does the district's first review from the todo list; the city admin
   (`gov_admin`) approves the second review and a second city approver (`gov_director`) the city's
   recognition, as separation of duties requires. The project is in the
   list; its page shows the sealed certificate, which downloads and passes `pdfsig`.
2. The city admin keeps an annual plan for a project (targets, refusal to delete a plan in
   use, housing targets), the builder reports progress from the project page and applies to
   change its org information, and the plan against actual shows the progress; the city admin
   keeps a drawing, sets the operator and publishes the project; the map shows it; 立即检查
   raises an expiry alert.

Screenshots of every page land in var/screenshots/ (housing-*.png).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image, ImageDraw
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from app.documents.models import IssuedDocument
from app.domains.housing.plans.models import PlanProjectTarget
from app.domains.housing.projects.models import Project, ProjectFile, ProjectProgress, QualificationAlert
from app.identity.models import Account, Org
from app.workflow.models import Case, CaseEvent
from tests.helpers import staff_token, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"
CN = ZoneInfo("Asia/Shanghai")


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(SCREENSHOTS / f"housing-{name}.png"), full_page=True)


async def ui_login(page: Page, admin_url: str, username: str) -> None:
    await page.goto(admin_url + "login")
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(DEMO_PASSWORD)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))


async def ui_logout(page: Page) -> None:
    await page.locator("[data-test=logout]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await page.wait_for_url(re.compile(r"/admin/login"))


async def menu(page: Page, code: str, path: str) -> None:
    await page.locator(f'aside [data-menu="{code}"]').click()
    await page.wait_for_url(re.compile(rf"/admin/{path}$"))


async def search(page: Page, text: str) -> None:
    await page.locator("[data-test=single-value] input").first.fill(text)
    await page.locator("[data-test=search]").first.click()


def rows(page: Page, text: str):
    return page.locator(".el-table__body tr.el-table__row").filter(has_text=text)


def form_item(scope, title: str):
    pg = scope if isinstance(scope, Page) else scope.page
    return scope.locator(".case-form .el-form-item").filter(has=pg.locator("label", has_text=title))


async def pick(page: Page, trigger, option: str) -> None:
    await trigger.click()
    await page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


async def open_from_todo(page: Page, number: str, step: str) -> None:
    await menu(page, "work.todo", "todo")
    await search(page, number)
    row = rows(page, number)
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(step)
    await row.locator("[data-test=todo-handle]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    await expect(page.locator("[data-test=case-number]")).to_have_text(number)


async def approve(page: Page, result: str) -> None:
    await page.locator("[data-test=phrase]", has_text="同意").first.click()
    await page.locator("[data-test=action-panel] [data-test=act-approve]").click()
    # The last approval lays out and seals the certificate: give it time on a busy machine.
    await expect(page.locator("[data-test=action-result]")).to_contain_text(result, timeout=60_000)


async def api_token(api_url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=api_url) as c:
        return await staff_token(c, username)


async def approve_all(api_url: str, token: str, number: str) -> None:
    """Approve every open step of a case through the API: the city clerk, the city admin, and the second city
    approver, each taking a step the others may not take after an earlier one (须由不同人员办理)."""
    tokens = [await api_token(api_url, "gov_clerk"), token, await api_token(api_url, "gov_director")]
    for _ in range(8):
        acted = False
        for t in tokens:
            async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {t}"}, timeout=60) as c:
                r = await c.get("/api/v1/todo", params={"case_number": number})
                assert r.status_code == 200, r.text
                items = r.json()["items"]
                if items:
                    r = await c.post(f"/api/v1/work-items/{items[0]['id']}/act",
                                     json={"action": "approve", "opinion": "同意"})
                    assert r.status_code == 200, r.text
                    acted = True
                    break
        if not acted:
            break
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        r = await c.get("/api/v1/cases", params={"number": number})
    assert r.json()["items"][0]["status"] == "complete", f"{number} did not complete: {r.json()['items'][0]}"


async def declare_by_api(api_url: str, name: str, lng: float, lat: float) -> Project:
    """A recognised project of builder_admin's org, declared and approved through the API."""
    builder = await Account.get(login_name="builder_admin")
    t = await api_token(api_url, "builder_admin")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {t}"}, timeout=60) as c:
        r = await c.post("/api/v1/cases", json={
            "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": builder.org_id},
            "district_code": "440703", "submit": True,
            "form": {"project_name": name, "address": "江门市蓬江区胜利路18号", "supply_mode": "改建",
                     "land_area": 5000, "building_area": 18000, "planned_units": 240, "investment": 90000000,
                     "lng": lng, "lat": lat, "buildings": "A栋:24:240"}})
        assert r.status_code == 201, r.text
        number = r.json()["number"]
    await approve_all(api_url, await api_token(api_url, "gov_admin"), number)
    return await Project.get(name=name)


@pytest.mark.feature("GOV-05-01", "BLD-01-01", "BLD-01-02", "BLD-01-03", "GOV-05-03")
async def test_builder_declares_a_project_on_the_map_gov_recognises_it_and_the_certificate_verifies(
        page: Page, admin_url: str, api_url: str, tmp_path: Path):
    name = f"滨江{secrets.choice(['安居', '人才', '青年', '乐业'])}公寓{secrets.token_hex(2).upper()}"
    builder = await Account.get(login_name="builder_admin")
    builder_org = await Org.get(id=builder.org_id)

    # 1. The builder declares the project from 项目管理.
    await ui_login(page, admin_url, "builder_admin")
    await menu(page, "housing.projects", "projects")
    await shot(page, "01-builder-projects")
    await page.locator("[data-test=declare]").click()
    dlg = page.locator("[data-test=declaration-dialog]")
    await expect(dlg).to_be_visible()
    await expect(dlg.locator("[data-test=declaration-org]")).to_have_text(builder_org.name)
    # No key and no network here: the map says so plainly, the coordinates can be typed.
    await expect(dlg.locator("[data-test=map-unavailable]")).to_contain_text("地图服务无法加载，可直接输入经纬度")
    await form_item(dlg, "项目名称").locator("input").fill(name)
    await form_item(dlg, "项目地址").locator("input").fill("江门市蓬江区建设路28号")
    await pick(page, form_item(dlg, "供应方式").locator(".el-select"), "新建")
    await form_item(dlg, "用地面积").locator("input").fill("8000")
    await form_item(dlg, "建筑面积").locator("input").fill("26000.5")
    await form_item(dlg, "计划套数").locator("input").fill("396")
    await form_item(dlg, "总投资").locator("input").fill("150000000")
    # A building line the server cannot read is caught before anything is sent.
    await form_item(dlg, "楼栋").locator("textarea").fill("1栋-33-264")
    await expect(dlg.locator("[data-test=building-note]")).to_contain_text("第 1 行应为“楼栋名:层数:套数”")
    await form_item(dlg, "楼栋").locator("textarea").fill("1栋:33:264\n2栋：17：132")
    await expect(dlg.locator("[data-test=building-note]")).to_have_text("楼栋：共 2 栋，396 套")
    await form_item(dlg, "项目说明").locator("textarea").fill("新建保障性租赁住房，面向新市民、青年人。")
    # Submitting without a location is refused on the page.
    await dlg.locator("[data-test=declaration-submit]").click()
    await expect(dlg.locator("[data-test=map-point-error]")).to_have_text("请在地图上选取位置，或输入经纬度")
    # Locate by address through the geocoder (the Baidu stand-in), then type the surveyed point.
    await dlg.locator("[data-test=geocode]").click()
    await expect(dlg.locator("[data-test=geocode-note]")).to_contain_text("已按地址定位")
    assert (await dlg.locator("[data-test=map-lng]").input_value()).startswith("113.")
    await dlg.locator("[data-test=map-lng]").fill("22.587")
    await dlg.locator("[data-test=map-lat]").fill("113.086")
    await expect(dlg.locator("[data-test=map-point-error]")).to_contain_text("填反了")
    await dlg.locator("[data-test=map-lng]").fill("113.086")
    await dlg.locator("[data-test=map-lat]").fill("22.587")
    await expect(dlg.locator("[data-test=map-point-error]")).to_have_count(0)
    await shot(page, "02-declaration-form")
    await dlg.locator("[data-test=declaration-submit]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    number = (await page.locator("[data-test=case-number]").inner_text()).strip()
    assert re.fullmatch(r"XMSB-\d{8}-\d{4,}", number), number
    await expect(page.locator("[data-test=case-status]")).to_have_text("审核中")
    await expect(page.locator("[data-test=case-steps]")).to_have_text("区住建初审")
    await expect(form_item(page, "楼栋").locator("textarea")).to_have_value("1栋:33:264\n2栋：17：132")
    await shot(page, "03-declaration-submitted")

    case = await Case.get(number=number)
    assert (case.case_type, case.status, case.district_code, case.channel) == \
        ("project_declaration", "in_review", "440703", "online")
    assert case.applicant_org_id == builder.org_id and case.submitter_id == builder.id
    assert case.form["lng"] == 113.086 and case.form["lat"] == 22.587
    assert case.form["supply_mode"] == "新建" and case.form["planned_units"] == 396
    assert not await Project.filter(name=name).exists()
    await ui_logout(page)

    # 2. The city clerk does the district's first review from the todo list.
    await ui_login(page, admin_url, "gov_clerk")
    await open_from_todo(page, number, "区住建初审")
    await expect(form_item(page, "项目名称").locator("input")).to_have_value(name)
    await approve(page, "当前环节：区住建复审")
    await shot(page, "04-clerk-first-review")
    await ui_logout(page)

    # 3. The city admin approves the second review; the recognition must be someone else's (须由不同人员办理).
    await ui_login(page, admin_url, "gov_admin")
    await open_from_todo(page, number, "区住建复审")
    await approve(page, "当前环节：市住建认定")
    await ui_logout(page)
    await ui_login(page, admin_url, "gov_director")
    await open_from_todo(page, number, "市住建认定")
    await approve(page, "已通过，业务已办结")
    await expect(page.locator("[data-test=case-status]")).to_have_text("办结")
    await page.locator("[data-test=tab-documents]").click()
    await expect(page.locator("[data-test=documents]")).to_contain_text("保障性租赁住房项目认定书")
    await shot(page, "05-admin-recognised")

    await case.refresh_from_db()
    p = await Project.get(name=name)
    assert case.status == "complete" and case.subjects == {"project_id": p.id}
    assert (p.state, p.builder_id, p.district_code, p.supply_mode, p.unit_count) == \
        ("recognized", builder.org_id, "440703", "new_build", 396)
    assert (p.lng_bd09, p.lat_bd09) == (Decimal("113.086000"), Decimal("22.587000"))
    assert p.lng_wgs84 is not None and abs(float(p.lng_wgs84) - 113.0748) < 0.002
    assert p.total_investment_fen == 15_000_000_000 and p.building_area == Decimal("26000.50")
    assert re.fullmatch(r"XMBH-\d{8}-\d{4,}", p.code)
    doc = await IssuedDocument.get(id=p.recognition_document_id)
    assert doc.status == "valid" and doc.case_id == case.id
    first = await CaseEvent.filter(case_id=case.id, action="approve").order_by("id").first()
    assert first is not None and first.actor_id == (await Account.get(login_name="gov_clerk")).id

    # 4. The project is in the list; its page shows the certificate, which downloads and verifies.
    await menu(page, "housing.projects", "projects")
    await search(page, name)
    row = rows(page, name)
    await expect(row).to_have_count(1)
    await expect(row.locator("[data-test=project-row-state]")).to_have_text("已认定")
    await expect(row).to_contain_text("150,000,000.00 元")
    await shot(page, "06-admin-project-list")
    await row.locator("[data-test=project-open]").click()
    await page.wait_for_url(re.compile(rf"/admin/projects/{p.id}$"))
    await expect(page.locator("[data-test=project-name]")).to_have_text(name)
    await expect(page.locator("[data-test=project-state]")).to_have_text("已认定")
    await expect(page.locator("[data-test=project-bd09]")).to_have_text("113.086000, 22.587000")
    await expect(page.locator("[data-test=project-info]")).to_contain_text("26,000.50 ㎡")
    await expect(page.locator("[data-test=project-buildings]")).to_contain_text("2栋")
    await expect(page.locator("[data-test=map-unavailable]")).to_be_visible()
    await shot(page, "07-admin-project-detail")
    await page.locator("[data-test=tab-certificate]").click()
    cert = page.locator("[data-test=certificate]")
    await expect(cert.locator("[data-test=certificate-number]")).to_have_text(doc.number)
    await expect(cert.locator("[data-test=certificate-status]")).to_have_text("有效")
    await expect(cert.locator("[data-test=certificate-verify]")).to_contain_text(str(doc.id))
    await shot(page, "08-admin-certificate")
    async with page.expect_download() as info:
        await cert.locator("[data-test=certificate-download]").click()
    download = await info.value
    pdf = tmp_path / "认定书.pdf"
    await download.save_as(pdf)
    assert pdf.read_bytes()[:4] == b"%PDF"
    sig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in sig.stdout, sig.stdout + sig.stderr
    await cert.locator("[data-test=certificate-view]").click()
    await expect(page.locator("[data-test=preview-pdf]")).to_be_visible(timeout=30_000)
    await shot(page, "09-admin-certificate-preview")
    await page.keyboard.press("Escape")
    await ui_logout(page)

    # 5. The builder finds its recognised project and its certificate too.
    await ui_login(page, admin_url, "builder_admin")
    await menu(page, "housing.projects", "projects")
    await search(page, name)
    await expect(rows(page, name).locator("[data-test=project-row-state]")).to_have_text("已认定")
    await rows(page, name).locator("[data-test=project-open]").click()
    await page.wait_for_url(re.compile(rf"/admin/projects/{p.id}$"))
    # Its own recognised, unpublished project: it may edit and start the project cases, not publish.
    actions = page.locator("[data-test=project-actions]")
    await expect(actions.locator("[data-test=project-edit]")).to_be_visible()
    await expect(actions.locator("[data-test=case-progress]")).to_be_visible()
    await expect(actions.locator("[data-test=case-exit]")).to_be_visible()
    await expect(actions.locator("[data-test=project-publish]")).to_have_count(0)
    await expect(actions.locator("[data-test=project-operator]")).to_have_count(0)
    await page.locator("[data-test=tab-certificate]").click()
    await expect(page.locator("[data-test=certificate-number]")).to_have_text(doc.number)
    await expect(page.locator("[data-test=certificate-status]")).to_have_text("有效")
    await shot(page, "10-builder-certificate")
    await menu(page, "housing.map", "projects-map")
    await expect(page.locator("[data-test=map-unavailable]")).to_be_visible()
    await expect(page.locator(f'[data-test=scatter-point][data-id="{p.id}"]')).to_have_count(1)
    await page.locator(f'[data-test=map-item][data-project-item="{p.id}"]').click()
    await expect(page.locator("[data-test=map-selected]")).to_contain_text(name)
    await shot(page, "11-builder-project-map")


@pytest.mark.feature("GOV-04-01", "GOV-04-02", "GOV-04-03", "BLD-01-06", "GOV-12-02", "BLD-04-01")
async def test_plan_targets_progress_against_plan_alerts_and_org_info(
        page: Page, admin_url: str, api_url: str, job_worker, tmp_path: Path):  # noqa: ANN001
    today = dt.datetime.now(CN).date()
    period = f"{today:%Y-%m}"
    name = f"江海人才公寓{secrets.token_hex(2).upper()}"
    p = await declare_by_api(api_url, name, 113.1245, 22.5608)
    plan_name = f"{today.year}年保障性租赁住房建设计划{secrets.token_hex(2).upper()}"

    # 1. The city admin keeps an annual plan with a project target and a housing target.
    await ui_login(page, admin_url, "gov_admin")
    await menu(page, "housing.plans", "plans")
    await page.locator("[data-test=plan-add]").click()
    dlg = page.locator("[data-test=plan-dialog]")
    await dlg.locator("[data-test=plan-year] input").fill(str(today.year))
    await dlg.locator("[data-test=plan-name]").fill(plan_name)
    await dlg.locator("[data-test=plan-save]").click()
    await page.wait_for_url(re.compile(r"/admin/plans\?id=\d+$"))
    await expect(page.locator("[data-test=plan-title]")).to_have_text(plan_name)
    await page.locator("[data-test=target-add]").click()
    tdlg = page.locator("[data-test=target-dialog]")
    await tdlg.locator("[data-test=project-select]").click()
    await page.keyboard.type(name[:6])
    await page.locator(".el-select-dropdown__item:visible", has_text=name).first.click()
    await tdlg.locator("[data-test=target-units-start] input").fill("200")
    await tdlg.locator("[data-test=target-units-complete] input").fill("120")
    await tdlg.locator("[data-test=target-area-start]").fill("12000")
    await tdlg.locator("[data-test=target-investment]").fill("1.005")
    await tdlg.locator("[data-test=target-save]").click()
    await expect(tdlg).to_contain_text("计划投资应为数字，最多两位小数")
    await tdlg.locator("[data-test=target-investment]").fill("60,000,000.5")
    await expect(tdlg).to_contain_text("60,000,000.50 元")
    await tdlg.locator("[data-test=target-save]").click()
    await expect(page.locator("[data-test=project-targets]")).to_contain_text("60,000,000.50 元")
    await expect(page.locator("[data-test=project-targets]")).to_contain_text("12,000.00 ㎡")
    await shot(page, "12-plan-targets")
    t = await PlanProjectTarget.get(project_id=p.id)
    assert (t.units_start, t.units_complete, t.planned_investment_fen, t.area_start) == \
        (200, 120, 6_000_000_050, Decimal("12000.00"))
    # A plan with targets cannot be deleted; the refusal says why.
    await page.locator("[data-test=plan-delete]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    refusal = page.locator(".el-message-box").filter(has_text="不能删除该计划")
    await expect(refusal).to_contain_text("项目指标")
    await shot(page, "13-plan-delete-refused")
    await refusal.locator(".el-button--primary").click()
    await page.locator("[data-test=tab-housing]").click()
    await page.locator("[data-test=housing-target-add]").click()
    hdlg = page.locator("[data-test=housing-target-dialog]")
    await hdlg.locator("[data-test=project-select]").click()
    await page.keyboard.type(name[:6])
    await page.locator(".el-select-dropdown__item:visible", has_text=name).first.click()
    await pick(page, hdlg.locator("[data-test=housing-layout]"), "一室一厅")
    await hdlg.locator("[data-test=housing-units] input").fill("150")
    await hdlg.locator("[data-test=housing-target-save]").click()
    await expect(page.locator("[data-test=housing-targets]")).to_contain_text("一室一厅")
    await ui_logout(page)

    # 2. The builder reports this month's progress from the project page; the city admin approves it.
    await ui_login(page, admin_url, "builder_admin")
    await page.goto(admin_url + f"projects/{p.id}")
    await page.locator("[data-test=case-progress]").click()
    cdlg = page.locator("[data-test=project-case-dialog]")
    await expect(form_item(cdlg, "申报月份").locator("input")).to_be_visible()
    await expect(cdlg.locator(".case-form")).not_to_contain_text("项目名称")
    await form_item(cdlg, "申报月份").locator("input").fill(period)
    await form_item(cdlg, "形象进度").locator("input").fill("35")
    await form_item(cdlg, "累计完成投资").locator("input").fill("24000000")
    await form_item(cdlg, "累计开工套数").locator("input").fill("90")
    await form_item(cdlg, "累计竣工套数").locator("input").fill("0")
    await form_item(cdlg, "累计开工面积").locator("input").fill("6000.5")
    await form_item(cdlg, "进度说明").locator("textarea").fill("主体结构施工至12层")
    await shot(page, "14-builder-progress-report")
    await cdlg.locator("[data-test=project-case-submit]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    number = (await page.locator("[data-test=case-number]").inner_text()).strip()
    pc = await Case.get(number=number)
    assert (pc.case_type, pc.status, pc.channel, pc.subjects) == \
        ("progress_report", "in_review", "online", {"project_id": p.id})
    assert pc.form["project_name"] == name
    await approve_all(api_url, await api_token(api_url, "gov_admin"), number)
    r = await ProjectProgress.get(project_id=p.id, period=period)
    assert (r.units_started, r.progress_percent, r.investment_done_fen) == (90, 35, 2_400_000_000)
    assert (r.area_started, r.area_completed) == (Decimal("6000.50"), Decimal("0.00"))
    await page.goto(admin_url + f"projects/{p.id}?tab=progress")
    await expect(page.locator("[data-test=progress-table]")).to_contain_text("24,000,000.00 元")
    await expect(page.locator("[data-test=progress-table]")).to_contain_text("6,000.50 ㎡")
    await expect(page.locator("[data-test=housing-chart]")).to_be_visible()
    await shot(page, "15-project-progress")
    await menu(page, "system.org_info", "org-info")
    builder_org = await Org.get(id=(await Account.get(login_name="builder_admin")).org_id)
    await expect(page.locator("[data-test=org-name]")).to_have_text(builder_org.name)
    await expect(rows(page, "张建国")).to_have_count(1)
    await page.locator("[data-test=org-change]").click()
    odlg = page.locator("[data-test=org-change-dialog]")
    await form_item(odlg, "联系电话").locator("input").fill("13800000099")
    await form_item(odlg, "变更原因").locator("textarea").fill("联系人电话变更")
    await shot(page, "16-org-info-change")
    await odlg.locator("[data-test=org-change-submit]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    oc = await Case.get(number=(await page.locator("[data-test=case-number]").inner_text()).strip())
    assert (oc.case_type, oc.applicant_org_id, oc.form["contact_phone"], oc.channel) == \
        ("org_info_change", builder_org.id, "13800000099", "online")
    await ui_logout(page)

    # 3. The plan against actual counts the reported starts and investment.
    await ui_login(page, admin_url, "gov_admin")
    await page.goto(admin_url + f"plans?id={t.plan_id}")
    await page.locator("[data-test=tab-plan-progress]").click()
    table = page.locator("[data-test=plan-progress-table]")
    await expect(table.locator("tr", has_text=name)).to_contain_text("90 / 200")
    await expect(table.locator("tr", has_text=name)).to_contain_text("45%")
    await expect(table.locator("tr", has_text=name)).to_contain_text("24,000,000.00 元")
    # The area started, against the 12,000 ㎡ target: one half.
    await expect(table.locator("tr", has_text=name)).to_contain_text("6,000.50 ㎡ / 12,000.00 ㎡")
    await expect(table.locator("tr", has_text=name)).to_contain_text("50%")
    await expect(page.locator("[data-test=housing-chart]")).to_have_count(3)
    await shot(page, "17-plan-against-actual")
    async with page.expect_download() as info:
        await page.locator("[data-test=progress-export]").click()
    # The server's xlsx of the same figures (the admin builds no CSV of its own).
    assert (await info.value).suggested_filename == f"{plan_name}-计划与实际.xlsx"
    # A download's temporary path has no .xlsx ending, which openpyxl insists on for a path: read the bytes.
    sheet = list(load_workbook(io.BytesIO(Path(await (await info.value).path()).read_bytes())).active.values)
    line = next(r for r in sheet if r[1] == name)
    assert line[2:5] == (200, 90, "45%") and line[9] == "24000000.00"
    assert line[11:14] == ("12000.00", "6000.50", "50%")

    await menu(page, "housing.plans", "plans")
    await search(page, plan_name)
    await expect(rows(page, plan_name)).to_contain_text("60,000,000.50 元")
    await shot(page, "17b-plans-list")

    # 4. On the project page: a drawing uploaded, previewed and deleted; the operator set; published.
    await page.goto(admin_url + f"projects/{p.id}?tab=files")
    drawing = tmp_path / "总平面图.png"
    img = Image.new("RGB", (640, 400), (250, 250, 250))
    d = ImageDraw.Draw(img)
    d.rectangle([40, 40, 600, 360], outline=(20, 60, 140), width=4)
    d.rectangle([90, 90, 260, 320], fill=(200, 215, 235))
    d.rectangle([330, 90, 550, 230], fill=(200, 215, 235))
    img.save(drawing, "PNG")
    await page.locator("[data-test=file-input]").set_input_files(str(drawing))
    files = page.locator("[data-test=file-table]")
    await expect(files).to_contain_text("总平面图.png")
    await expect(files).to_contain_text("规划图纸")
    await files.locator("[data-test=file-preview]").first.click()
    await expect(page.locator("[data-test=preview-image]")).to_be_visible()
    assert await page.locator("[data-test=preview-image]").evaluate("img => img.naturalWidth") == 640
    await shot(page, "17c-project-drawing")
    await page.keyboard.press("Escape")
    pf = await ProjectFile.get(project_id=p.id)
    assert (pf.kind, pf.name, pf.mime) == ("规划图纸", "总平面图.png", "image/png")
    await files.locator("[data-test=file-delete]").first.click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect(files).to_contain_text("暂无图档")
    assert not await ProjectFile.filter(project_id=p.id).exists()
    await page.locator("[data-test=project-operator]").click()
    await pick(page, page.locator("[data-test=operator-select]"), "江门市保障房运营管理有限公司")
    await page.locator("[data-test=operator-save]").click()
    await expect(page.locator("[data-test=project-head]")).to_contain_text("江门市保障房运营管理有限公司")
    await page.locator("[data-test=project-publish]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect(page.locator("[data-test=project-published]")).to_have_text("已公开")
    await page.locator("[data-test=tab-stock]").click()
    await expect(page.locator("[data-test=state-card]")).to_have_count(6)
    await shot(page, "17d-project-stock")
    await p.refresh_from_db()
    operator = await Org.get(name="江门市保障房运营管理有限公司")
    assert p.published and p.operator_id == operator.id
    async with httpx.AsyncClient(base_url=api_url) as c:
        r = await c.get("/api/public/projects", params={"name__contains": name})
        assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [p.id]

    # 5. The map shows the project; 立即检查 raises an alert for a period that ends soon.
    await menu(page, "housing.map", "projects-map")
    await page.locator("[data-test=map-q]").fill(name)
    await page.locator("[data-test=map-search]").click()
    await expect(page.locator("[data-test=map-item]")).to_have_count(1)
    await expect(page.locator("[data-test=scatter-point]")).to_have_count(1)
    await shot(page, "18-project-map")
    token = await api_token(api_url, "gov_admin")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {token}"}) as c:
        soon = today + dt.timedelta(days=20)
        r = await c.patch(f"/api/v1/housing/projects/{p.id}", json={"qualification_to": soon.isoformat()})
        assert r.status_code == 200, r.text
    await menu(page, "housing.alerts", "qualification-alerts")
    await page.locator("[data-test=alerts-run]").click()
    await expect(page.locator("[data-test=job-summary]")).to_contain_text("即将到期", timeout=60_000)
    await shot(page, "19-alert-job")
    await page.locator("[data-test=alert-job-dialog] .el-dialog__footer .el-button--primary").click()
    await search(page, name)
    alert_row = rows(page, name)
    await expect(alert_row).to_have_count(1)
    await expect(alert_row.locator("[data-test=alert-kind]")).to_have_text("即将到期")
    await expect(alert_row).to_contain_text("剩余 20 天")
    await alert_row.locator("[data-test=alert-view]").click()
    await expect(page.locator("[data-test=alert-detail]")).to_contain_text(name)
    await shot(page, "20-alerts")
    a = await QualificationAlert.get(project_id=p.id, status="open")
    assert (a.kind, a.days_left, a.qualification_to) == ("expiring", 20, soon)
