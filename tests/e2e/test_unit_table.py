"""The unit table (楼盘表) in a real browser against the real backend and the REA-01 sandbox.

A recognised project is made the real way, through the API: the builder declares it, the city
clerk and admin approve it and it is recognised. Then:

1. `builder_admin` opens 楼盘表 → 房源入库, picks the project, makes the community in the wizard,
   searches the city's unit table (REA-01 sandbox, project JMP0003 新会悦府, two towers), ticks
   both buildings, attaches them, reviews the list and submits. Its unit table shows the units
   as 未入库 (grey) while the case is in review.
2. The district review and the approval go through the API (`gov_clerk`, `gov_admin`: the
   project is in 新会区, outside pj_clerk's 蓬江区); every unit becomes 可配租.
3. `gov_admin` sets `operator_admin` as the project's operator. The operator opens the graphic
   unit table of the community: every cell is 可配租 and the legend counts them; it opens a unit's
   card, locks it with a reason, and the cell turns 已锁定 (the database agrees, with history
   and audit). The list view finds the locked unit, and the community page browses the levels.

JMP0003 is used because the API tests take JMP0001 into stock earlier in the same run; its
towers are partly sold, and sold units are not taken, so the picture also shows the gaps.

A second story fills a 33-floor tower of 12 units a floor in two entrances by Excel, numbered
per entrance (1单元101 … 106 and 2单元101 … 106 on every floor): the all-or-nothing check reports
the three bad rows by row, column and message, lists 1栋 as a building it would create, and
writes nothing; the builder ticks that 1栋 is meant and imports the valid rows only, `pj_clerk`
and `gov_admin` approve, and the whole tower is drawn as 可配租, each entrance with its own 101,
in the standard and the compact density.
Screenshots of each page land in var/screenshots/ (unit-table-*.png).
"""
from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from app.core.models import AuditLog
from app.domains.housing.projects.models import Project
from app.domains.housing.stock.models import Building, Community, Unit, UnitHistory
from app.identity.models import Org
from app.workflow.models import Case, WorkItem
from app.core import coords
from sandbox import data as sandbox_data
from tests.integration.documents import support
from tests.helpers import staff_token, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"
XH = "440705"
REA_CODE = "JMP0003"
BUILDER = "江门市安居建设有限公司"
OPERATOR = "江门市保障房运营管理有限公司"


async def shot(page: Page, name: str, full: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(350)
    await page.screenshot(path=str(SCREENSHOTS / f"unit-table-{name}.png"), full_page=full)


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
    await page.wait_for_url(re.compile(rf"/admin/{path}(\?.*)?$"))


async def pick(page: Page, trigger, option: str) -> None:  # noqa: ANN001
    await trigger.click()
    await page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


class Api:
    def __init__(self, base: str):
        self.c = httpx.AsyncClient(base_url=base, timeout=60)
        self.t: dict[str, str] = {}

    async def login(self, who: str) -> str:
        if who not in self.t:
            self.t[who] = await staff_token(self.c, who)
        return self.t[who]

    async def call(self, method: str, who: str, path: str, **kw) -> httpx.Response:  # noqa: ANN003
        return await self.c.request(method, path, headers={"Authorization": f"Bearer {await self.login(who)}"}, **kw)

    async def act(self, who: str, case_id: int, step: str) -> dict:
        item = await WorkItem.get(case_id=case_id, step_id=step, status="open")
        r = await self.call("POST", who, f"/api/v1/work-items/{item.id}/act", json={"action": "approve", "opinion": "同意"})
        assert r.status_code == 200, r.text
        return r.json()


async def recognised_project(api: Api, name: str, district: str = XH, address: str = "江门市新会区今古洲路99号",
                             point: tuple[float, float] = (113.0310, 22.5210),
                             buildings: str = "1座:26:104\n2座:26:104", units: int = 208) -> Project:
    """The quickest real path to a recognised project: a declaration approved through the API."""
    builder = await Org.get(name=BUILDER)
    lng, lat = coords.wgs84_to_bd09(*point)
    r = await api.call("POST", "builder_admin", "/api/v1/cases", json={
        "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": builder.id}, "district_code": district,
        "form": {"project_name": name, "address": address, "supply_mode": "配建",
                 "land_area": 12000, "building_area": 26000, "planned_units": units, "investment": 120000000,
                 "lng": round(lng, 6), "lat": round(lat, 6), "buildings": buildings,
                 "note": "商品房项目中配建的保障性租赁住房"},
        "submit": True})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    await api.act("gov_clerk", case_id, "first_review")
    await api.act("gov_admin", case_id, "second_review")
    done = await api.act("gov_director", case_id, "approval")  # 须由不同人员办理
    assert done["status"] == "complete"
    p = await Project.get(declaration_case_id=case_id)
    assert p.state == "recognized" and p.district_code == district and p.builder_id == builder.id
    return p


def rea_takeable() -> dict[str, int]:
    """Units per building the sandbox's JMP0003 offers for intake (sold and sealed are skipped)."""
    p = next(x for x in sandbox_data.PROJECTS if x.code == REA_CODE)
    table = sandbox_data.project_table(p)
    return {b["name"]: sum(u["status"] not in ("sold", "sealed") for u in b["units"]) for b in table["buildings"]}


@pytest.mark.feature("GOV-06-02", "GOV-06-03", "GOV-06-04", "BLD-02-03", "OPS-04-01")
async def test_builder_takes_two_buildings_into_stock_and_the_operator_locks_a_unit(
        page: Page, admin_url: str, api_url: str):
    support.make_ca()
    tag = secrets.token_hex(2)
    api = Api(api_url)
    project = await recognised_project(api, f"悦府保障房{tag}")
    takeable = rea_takeable()
    expected = sum(takeable.values())
    assert set(takeable) == {"1座", "2座"} and 0 < expected < 208
    community_name = f"新会悦府保租房{tag}"

    # 1. The builder applies through the wizard.
    await ui_login(page, admin_url, "builder_admin")
    await menu(page, "housing.units", "units")
    # The page picks a community and building of its own as it loads (and rewrites its URL); let it settle.
    await page.wait_for_load_state("networkidle")
    await page.locator("[data-test=unit-intake-new]").click()
    await page.wait_for_url(re.compile(r"/admin/unit-intake$"))
    await pick(page, page.locator("[data-test=intake-project]"), project.name)
    await page.locator("[data-test=intake-community-new]").click()
    dialog = page.locator("[data-test=community-dialog]")
    await expect(dialog.locator("[data-test=community-address]")).to_have_value("江门市新会区今古洲路99号")
    await dialog.locator("[data-test=community-name]").fill(community_name)
    await dialog.locator("[data-test=community-save]").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("[data-test=intake-community]")).to_contain_text(community_name)
    await shot(page, "01-intake-start")
    await page.locator("[data-test=intake-create]").click()
    await page.wait_for_url(re.compile(r"/admin/unit-intake/\d+$"))
    case_id = int(page.url.rstrip("/").split("/")[-1])
    number = (await page.locator("[data-test=intake-number]").inner_text()).strip()
    assert re.fullmatch(r"FYRK-\d{8}-\d{4,}", number), number

    picker = page.locator("[data-test=rea-picker]")
    await picker.locator("[data-test=rea-keyword]").fill("")
    await picker.locator("[data-test=rea-code]").fill(REA_CODE)
    await picker.locator("[data-test=rea-search]").click()
    proj = picker.locator(f"[data-test=rea-project][data-project={REA_CODE}]")
    await expect(proj).to_contain_text("新会悦府")
    await expect(proj.locator("[data-test=rea-building]")).to_have_count(2)
    for code in (f"{REA_CODE}-B01", f"{REA_CODE}-B02"):
        await proj.locator(f"[data-test=rea-building][data-building='{code}'] [data-test=rea-building-check]").click()
    await expect(picker.locator("[data-test=rea-count]")).to_have_text(str(expected))
    await expect(picker.locator("[data-test=rea-pick-bar]")).to_contain_text(f"放入小区「{community_name}」")
    await shot(page, "02-intake-rea-picked")
    await picker.locator("[data-test=rea-attach]").click()
    await expect(page.locator("[data-test=intake-unit-count]")).to_have_text(str(expected), timeout=30_000)
    await expect(page.locator("[data-test=intake-building]")).to_have_count(2)
    await expect(page.locator("[data-list$='/units'] .el-table__body tr.el-table__row").first).to_be_visible()
    await shot(page, "03-intake-units-attached")

    case = await Case.get(id=case_id)
    community = await Community.get(name=community_name)
    assert case.status == "draft" and case.subjects == {"project_id": project.id, "community_id": community.id}
    assert case.form["unit_count"] == expected and case.form["project_name"] == project.name
    assert (community.project_id, community.district_code, community.builder_id) == (project.id, XH, project.builder_id)
    units = await Unit.filter(intake_case_id=case_id)
    assert len(units) == expected and {u.state for u in units} == {"not_in_stock"}
    b1 = await Building.get(community_id=community.id, name="1座")
    assert (b1.rea_building_code, b1.floors) == (f"{REA_CODE}-B01", 26)

    await page.locator("[data-test=intake-next]").click()
    await expect(page.locator("[data-test=unit-intake-submit]")).to_contain_text(f"{expected} 套")
    await page.locator("[data-test=intake-submit]").click()
    await page.wait_for_url(re.compile(rf"/admin/cases/{case_id}$"))
    await expect(page.locator("[data-test=case-status]")).to_have_text("审核中")
    assert (await Case.get(id=case_id)).status == "in_review"

    # While in review the builder's unit table shows them grey, 未入库.
    await page.goto(admin_url + f"units?view=graphic&building_id={b1.id}")
    grid = page.locator("[data-test=unit-grid]")
    await expect(grid.locator("[data-test=grid-unit]")).to_have_count(takeable["1座"])
    await expect(grid.locator("[data-test=grid-unit][data-state=not_in_stock]")).to_have_count(takeable["1座"])
    await expect(page.locator("[data-test=legend-item][data-state=not_in_stock] [data-test=legend-count]")).to_have_text(str(takeable["1座"]))
    await shot(page, "04-builder-not-in-stock")
    await ui_logout(page)

    # 2. The district review and approval (API); the units enter the stock.
    await api.act("gov_clerk", case_id, "first_review")
    done = await api.act("gov_admin", case_id, "approval")
    assert done["status"] == "complete"
    assert set(await Unit.filter(intake_case_id=case_id).values_list("state", flat=True)) == {"available"}
    assert await UnitHistory.filter(case_id=case_id, action="intake").count() == expected

    # 3. The gov admin makes operator_admin the project's operator; the operator locks a unit.
    operator = await Org.get(name=OPERATOR)
    r = await api.call("PUT", "gov_admin", f"/api/v1/housing/projects/{project.id}/operator", json={"operator_id": operator.id})
    assert r.status_code == 200, r.text
    assert set(await Unit.filter(intake_case_id=case_id).values_list("operator_id", flat=True)) == {operator.id}

    await ui_login(page, admin_url, "operator_admin")
    await menu(page, "housing.units", "units")
    loc = page.locator("[data-test=pick-community]")
    await loc.click()
    await loc.locator("input").fill(community_name[-6:])
    await page.locator(".el-select-dropdown__item:visible", has_text=community_name).first.click()
    await expect(page.locator("[data-test=building-item]")).to_have_count(2)
    await page.locator(f"[data-test=building-item][data-building='{b1.id}']").click()
    await expect(page.locator("[data-test=table-title]")).to_have_text(f"{community_name} · 1座")
    grid = page.locator("[data-test=unit-grid]")
    await expect(grid.locator("[data-test=grid-unit][data-state=available]")).to_have_count(takeable["1座"])
    await expect(grid.locator("[data-test=grid-floor]")).to_have_count(26)
    await expect(grid.locator("[data-test=grid-floor]").first).to_have_text("26F")
    legend = page.locator("[data-test=unit-legend]")
    await expect(legend.locator("[data-state=available] [data-test=legend-count]")).to_have_text(str(takeable["1座"]))
    await expect(legend.locator("[data-state=locked] [data-test=legend-count]")).to_have_text("0")
    # Hovering a cell shows what it is without opening it.
    cell = grid.locator("[data-test=grid-unit]").first
    number_ = await cell.get_attribute("data-number")
    await cell.hover()
    await expect(page.locator("[data-test=grid-tip]")).to_contain_text(f"{number_}  可配租")
    await shot(page, "05-operator-available")

    await cell.click()
    card = page.locator("[data-test=unit-card]")
    await expect(card.locator("[data-test=unit-card-title]")).to_have_text(f"{community_name} 1座{number_}")
    await expect(card.locator("[data-test=unit-card-state]")).to_contain_text("可配租")
    await expect(card.locator("[data-test=unit-basic]")).to_contain_text(number)
    for tab, note in (("租赁信息", "租赁合同管理上线后显示"), ("租金记录", "租金管理上线后显示")):
        await card.locator(".el-tabs__item", has_text=tab).click()
        await expect(card.locator(".el-tab-pane:visible")).to_contain_text("暂无记录")
        await expect(card.locator(".el-tab-pane:visible")).to_contain_text(note)
    await card.locator(".el-tabs__item", has_text="基本信息").click()
    await card.locator("[data-test=unit-lock]").click()
    lock = page.locator("[data-test=lock-dialog]")
    await lock.locator("[data-test=lock-confirm]").click()
    await expect(lock).to_contain_text("请填写锁定原因")
    await lock.locator("[data-test=lock-reason]").fill("拟用于人才专项配租")
    await lock.locator("[data-test=lock-confirm]").click()
    await expect(lock).to_be_hidden()
    await expect(card.locator("[data-test=unit-card-state]")).to_contain_text("已锁定")
    await expect(card.locator("[data-test=unit-lock-reason]")).to_contain_text("拟用于人才专项配租")
    await expect(card.locator("[data-test=unit-unlock]")).to_be_visible()
    await card.locator(".el-tabs__item", has_text="变更历史").click()
    await expect(card.locator("[data-test=unit-history]")).to_contain_text("锁定")
    await expect(card.locator("[data-test=unit-history]")).to_contain_text("入库")
    await shot(page, "06-operator-card-locked", full=False)
    await page.keyboard.press("Escape")
    await expect(card).to_be_hidden()
    locked_cell = grid.locator(f"[data-test=grid-unit][data-number='{number_}']")
    await expect(locked_cell).to_have_attribute("data-state", "locked")
    await expect(legend.locator("[data-state=locked] [data-test=legend-count]")).to_have_text("1")
    await expect(legend.locator("[data-state=available] [data-test=legend-count]")).to_have_text(str(takeable["1座"] - 1))
    # The legend highlights: only the locked unit stays bright.
    await legend.locator("[data-state=locked]").click()
    await expect(grid.locator("[data-test=grid-unit]:not(.dim)")).to_have_count(1)
    await shot(page, "07-operator-locked-highlighted")
    await legend.locator("[data-state=locked]").click()

    unit = await Unit.get(building_id=b1.id, number=number_)
    assert (unit.state, unit.lock_reason, unit.operator_id) == ("locked", "拟用于人才专项配租", operator.id)
    h = await UnitHistory.filter(unit_id=unit.id).order_by("-id").first()
    assert (h.action, h.before["state"], h.after["state"]) == ("lock", "available", "locked")
    assert await AuditLog.filter(action="housing.unit.lock", object_id=str(unit.id)).count() == 1

    # The list view finds it; the community page browses down to the floor.
    await page.locator("[data-test=view-list]").click()
    await page.wait_for_url(re.compile(r"view=list"))
    await page.locator("[data-test=single-value] input").fill(number_)
    await page.locator("[data-test=search]").click()
    row = page.locator(".el-table__body tr.el-table__row").filter(has_text=number_)
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("已锁定")
    await shot(page, "08-list-view")
    await page.locator("[data-test=back-to-community]").click()
    await page.wait_for_url(re.compile(rf"/admin/communities/{community.id}"))
    await expect(page.locator("[data-test=floor-row]")).to_have_count(26)
    await shot(page, "09a-community-building-floors")
    await page.locator("[data-test=community-crumbs] a", has_text=community_name).click()
    cards = page.locator("[data-test=building-card]")
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text("已锁定 1")
    await shot(page, "09-community")
    # The community list: a community with units cannot be deleted, and the refusal says why.
    await menu(page, "housing.communities", "communities")
    await page.locator("[data-test=single-value] input").fill(community_name)
    await page.locator("[data-test=search]").click()
    row = page.locator(".el-table__body tr.el-table__row").filter(has_text=community_name)
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(str(expected))
    await shot(page, "09b-communities")
    await row.locator("[data-test=community-delete]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    refusal = page.locator(".el-message-box").filter(has_text="不能删除")
    await expect(refusal).to_contain_text(f"下还有{expected}套房屋")
    await refusal.locator(".el-message-box__btns .el-button--primary").click()
    assert await Community.filter(id=community.id).exists()
    await api.c.aclose()


def import_file(template: bytes, floors: int = 33, per_floor: int = 12) -> tuple[bytes, list[int]]:
    """The downloaded template filled with a whole tower (two entrances, numbered per entrance:
    both have 101) and three bad rows; returns the file and the Excel row numbers of the bad rows."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["房源"]
    layouts = (("一房一厅", "45.60", "36.80"), ("两房一厅", "68.90", "55.20"), ("两房两厅", "82.30", "66.10"))
    for f in range(1, floors + 1):
        for u in range(1, per_floor + 1):
            layout, area, inner = layouts[(u - 1) % 3]
            half = per_floor // 2
            ws.append(["1栋", "1单元" if u <= half else "2单元", f, f"{f}{(u - 1) % half + 1:02d}", None, layout,
                       float(area), float(inner), "住宅", "南北", "精装", "空调、热水器", 1580])
    bad = []
    ws.append(["1栋", "1单元", 34, "3401", None, "两房一厅", "abc", None, "住宅", None, None, None, None])
    bad.append(ws.max_row)
    ws.append(["1栋", "1单元", 5, "501", None, "两房一厅", 68.9, None, "住宅", None, None, None, None])
    bad.append(ws.max_row)
    ws.append(["1栋", "2单元", None, "3412", None, "两房一厅", 68.9, None, "住宅", None, None, None, None])
    bad.append(ws.max_row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), bad


@pytest.mark.feature("GOV-06-02", "GOV-06-03", "GOV-06-04", "BLD-02-03")
async def test_excel_import_reports_bad_rows_then_the_valid_rows_make_a_33_floor_tower(
        page: Page, admin_url: str, api_url: str, job_worker, tmp_path: Path):  # noqa: ANN001
    support.make_ca()
    tag = secrets.token_hex(2)
    api = Api(api_url)
    project = await recognised_project(api, f"白沙人才公寓{tag}", district="440703", address="江门市蓬江区白沙大道西88号",
                                       point=(113.0748, 22.5812), buildings="1栋:33:396", units=396)
    r = await api.call("GET", "builder_admin", "/api/v1/housing/unit-import/template")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    data, bad_rows = import_file(r.content)
    xlsx = tmp_path / "房源导入-白沙人才公寓.xlsx"
    xlsx.write_bytes(data)
    community_name = f"白沙人才公寓{tag}"

    await page.set_viewport_size({"width": 1440, "height": 1300})
    await ui_login(page, admin_url, "builder_admin")
    await page.goto(admin_url + f"unit-intake?project_id={project.id}")
    await expect(page.locator("[data-test=intake-project]")).to_contain_text(project.name)
    await page.locator("[data-test=intake-community-new]").click()
    dialog = page.locator("[data-test=community-dialog]")
    await dialog.locator("[data-test=community-name]").fill(community_name)
    await dialog.locator("[data-test=community-save]").click()
    await expect(dialog).to_be_hidden()
    await page.locator("[data-test=intake-create]").click()
    await page.wait_for_url(re.compile(r"/admin/unit-intake/\d+$"))
    case_id = int(page.url.rstrip("/").split("/")[-1])

    await page.locator("[data-test=method-excel]").click()
    await page.locator("[data-test=excel-open]").click()
    dlg = page.locator("[data-test=import-dialog]")
    await dlg.locator("[data-test=import-input]").set_input_files(str(xlsx))
    await expect(dlg.locator("[data-test=import-drop]")).to_contain_text(xlsx.name)
    await dlg.locator("[data-test=import-start]").click()
    rejected = dlg.locator("[data-test=import-rejected]")
    await expect(rejected).to_contain_text("共 399 行：无误 396 行，有错误 3 行", timeout=60_000)
    errors = dlg.locator("[data-test=import-errors] .el-table__body tr.el-table__row")
    await expect(errors).to_have_count(3)
    await expect(errors.nth(0)).to_contain_text(str(bad_rows[0]))
    await expect(errors.nth(0)).to_contain_text("建筑面积（㎡）")
    await expect(errors.nth(0)).to_contain_text("建筑面积应为数字")
    await expect(errors.nth(1)).to_contain_text(str(bad_rows[1]))
    await expect(errors.nth(1)).to_contain_text("重复")
    await expect(errors.nth(2)).to_contain_text(str(bad_rows[2]))
    await expect(errors.nth(2)).to_contain_text("楼层")
    # The community has no 1栋 yet: listed, created only when the builder confirms it.
    new = dlg.locator("[data-test=import-new-buildings]")
    await expect(new).to_contain_text("将新建 1 栋小区中还没有的楼栋")
    await expect(new.locator(".el-table__body tr.el-table__row")).to_have_count(1)
    await expect(new.locator(".el-table__body tr.el-table__row")).to_contain_text("1栋")
    await expect(dlg.locator("[data-test=import-commit-valid]")).to_be_disabled()
    await shot(page, "10-import-report", full=False)
    # All-or-nothing: nothing was written, not even the building.
    assert await Unit.filter(intake_case_id=case_id).count() == 0
    assert not await Building.filter(community__name=community_name).exists()
    await dlg.locator("[data-test=import-confirm-buildings]").click()
    await dlg.locator("[data-test=import-commit-valid]").click()
    await expect(dlg.locator("[data-test=import-committed]")).to_contain_text("已导入 396 套房屋", timeout=60_000)
    await expect(dlg.locator("[data-test=import-committed]")).to_contain_text("3 行有错误，未导入")
    await dlg.locator("[data-test=import-close]").click()
    await expect(page.locator("[data-test=intake-unit-count]")).to_have_text("396")
    assert await Unit.filter(intake_case_id=case_id, state="not_in_stock").count() == 396

    await page.locator("[data-test=intake-next]").click()
    await page.locator("[data-test=intake-submit]").click()
    await page.wait_for_url(re.compile(rf"/admin/cases/{case_id}$"))
    await api.act("pj_clerk", case_id, "first_review")
    assert (await api.act("gov_admin", case_id, "approval"))["status"] == "complete"
    assert set(await Unit.filter(intake_case_id=case_id).values_list("state", flat=True)) == {"available"}

    community = await Community.get(name=community_name)
    b = await Building.get(community_id=community.id, name="1栋")
    await page.goto(admin_url + f"units?view=graphic&building_id={b.id}")
    grid = page.locator("[data-test=unit-grid]")
    await expect(grid.locator("[data-test=grid-unit][data-state=available]")).to_have_count(396)
    await expect(grid.locator("[data-test=grid-floor]")).to_have_count(33)
    await expect(grid.locator("[data-test=grid-entrance]")).to_have_text(["1单元198套", "2单元198套"])
    # Numbered per entrance: every floor has a 101 … 106 in each entrance, side by side.
    await expect(grid.locator('[data-test=grid-unit][data-number="3301"]')).to_have_count(2)
    await expect(grid.locator('[data-test=grid-unit][data-number="101"]')).to_have_count(2)
    assert await Unit.filter(building_id=b.id, number="3301").count() == 2
    await grid.locator('[data-test=grid-unit][data-number="3301"]').nth(1).hover()
    await expect(page.locator("[data-test=grid-tip]")).to_contain_text("2单元3301")
    await expect(page.locator("[data-test=legend-item][data-state=available] [data-test=legend-count]")).to_have_text("396")
    await shot(page, "11-tower-33x12", full=False)
    # 保存图片: the picture as a PNG, legend and all.
    async with page.expect_download() as dl:
        await page.locator("[data-test=grid-save]").click()
    download = await dl.value
    assert download.suggested_filename == f"{community_name}-1栋-楼盘表.png"
    png_path = SCREENSHOTS / "unit-table-11b-saved-picture.png"
    await download.save_as(str(png_path))
    from PIL import Image
    with Image.open(png_path) as im:
        assert im.format == "PNG" and im.width > 1000 and im.height > 33 * 40
    await page.locator("[data-test=grid-dense] label", has_text="紧凑").click()
    await shot(page, "12-tower-33x12-compact", full=False)
    await page.locator("[data-test=grid-dense] label", has_text="标准").click()

    # The list view with combined conditions (floor range, layout, area range) and its export.
    await page.locator("[data-test=view-list]").click()
    await page.wait_for_url(re.compile(r"view=list"))
    await page.locator("[data-test=toggle-mode]").click()
    floor = page.locator("[data-filter=floor] input")
    await floor.nth(0).fill("30")
    await floor.nth(1).fill("33")
    await page.locator("[data-filter=layout] input").fill("两房")
    area = page.locator("[data-filter=area] input")
    await area.nth(0).fill("60")
    await area.nth(1).fill("70")
    await page.locator("[data-test=search]").click()
    await expect(page.locator(".table-title .count")).to_have_text("共 16 条")
    await shot(page, "12b-list-combined", full=False)
    async with page.expect_download() as dl:
        await page.locator("[data-test=export]").click()
    export = await dl.value
    assert export.suggested_filename == "楼盘表.xlsx"
    sheet = load_workbook(io.BytesIO(Path(await export.path()).read_bytes()), read_only=True).active
    body = [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    assert len(body) == 16
    await api.c.aclose()


@pytest.mark.feature("GOV-06-03", "GOV-06-05", "GOV-06-02")
async def test_gov_enters_units_one_by_one_for_a_builder_and_applies_for_a_change_from_the_card(
        page: Page, admin_url: str, api_url: str):
    support.make_ca()
    tag = secrets.token_hex(2)
    api = Api(api_url)
    project = await recognised_project(api, f"江华保障公寓{tag}", district="440703", address="江门市蓬江区江华路18号",
                                       point=(113.0800, 22.5900), buildings="A座:6:24", units=24)
    community_name = f"江华保障公寓{tag}"

    # On site: the city admin takes in the builder's intake and types the units in.
    await ui_login(page, admin_url, "gov_admin")
    await page.goto(admin_url + "unit-intake")
    await pick(page, page.locator("[data-test=intake-applicant]"), BUILDER)
    await pick(page, page.locator("[data-test=intake-project]"), project.name)
    await page.locator("[data-test=intake-community-new]").click()
    dialog = page.locator("[data-test=community-dialog]")
    await dialog.locator("[data-test=community-name]").fill(community_name)
    await dialog.locator("[data-test=community-save]").click()
    await expect(dialog).to_be_hidden()
    await page.locator("[data-test=intake-create]").click()
    await page.wait_for_url(re.compile(r"/admin/unit-intake/\d+$"))
    case_id = int(page.url.rstrip("/").split("/")[-1])
    case = await Case.get(id=case_id)
    assert (case.channel, case.applicant_org_id) == ("onsite", (await Org.get(name=BUILDER)).id)

    await page.locator("[data-test=method-one]").click()
    entry = page.locator("[data-test=unit-entry]")
    await entry.locator("[data-test=entry-building]").fill("A座")
    await entry.locator("[data-test=entry-floor] input").fill("3")
    await entry.locator("[data-test=entry-number]").fill("301")
    await entry.locator("[data-test=entry-add]").click()
    await expect(entry.locator(".el-form-item__error")).to_have_text(["请填写建筑面积"])
    await entry.locator("[data-test=entry-area]").fill("56.50")
    await entry.locator("[data-test=entry-add]").click()
    await expect(page.locator("[data-test=intake-unit-count]")).to_have_text("1")
    # The next number is ready; the rest of the form stays.
    await expect(entry.locator("[data-test=entry-number]")).to_have_value("302")
    await entry.locator("[data-test=entry-add]").click()
    await expect(page.locator("[data-test=intake-unit-count]")).to_have_text("2")
    await shot(page, "13-intake-one-by-one")
    units = await Unit.filter(intake_case_id=case_id).order_by("number")
    assert [(u.number, u.floor, str(u.area), u.state) for u in units] == [("301", 3, "56.50", "not_in_stock"),
                                                                          ("302", 3, "56.50", "not_in_stock")]
    await page.locator("[data-test=intake-next]").click()
    await page.locator("[data-test=intake-submit]").click()
    await page.wait_for_url(re.compile(rf"/admin/cases/{case_id}$"))
    await api.act("pj_clerk", case_id, "first_review")
    assert (await api.act("gov_admin", case_id, "approval"))["status"] == "complete"

    # From the list view to the card, and a change of area from there.
    community = await Community.get(name=community_name)
    await page.goto(admin_url + f"units?view=list&community_id={community.id}")
    rows_ = page.locator(".el-table__body tr.el-table__row")
    await expect(rows_).to_have_count(2)
    await rows_.filter(has_text="301").locator("[data-test=unit-link]").click()
    card = page.locator("[data-test=unit-card]")
    await expect(card.locator("[data-test=unit-card-state]")).to_contain_text("可配租")
    await card.locator("[data-test=unit-change]").click()
    change = page.locator("[data-test=change-dialog]")
    await expect(change.locator("[data-test=change-area]")).to_have_value("56.50")
    await change.locator("[data-test=change-submit]").click()
    await expect(change.locator("[data-test=change-error]")).to_contain_text("请至少修改一项内容")
    await change.locator("[data-test=change-area]").fill("58.00")
    await change.locator("[data-test=change-reason]").fill("测绘面积更正")
    await expect(change.locator("[data-test=change-summary]")).to_contain_text("建筑面积")
    await shot(page, "14-change-dialog", full=False)
    await change.locator("[data-test=change-submit]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    change_case = await Case.get(id=int(page.url.rstrip("/").split("/")[-1]))
    unit = await Unit.get(community_id=community.id, number="301")
    assert (change_case.case_type, change_case.status, change_case.subjects["unit_id"]) == ("unit_change", "in_review", unit.id)
    assert change_case.form["area"] == 58.0 and change_case.form["reason"] == "测绘面积更正"
    assert str(unit.area) == "56.50"  # changed only when the case completes

    # The finished intake opens read-only, with its units.
    await page.goto(admin_url + f"unit-intake/{case_id}")
    await expect(page.locator(".el-alert", has_text="入库申请已办结")).to_be_visible()
    await expect(page.locator("[data-test=unit-intake-attach]")).to_have_count(0)
    await expect(page.locator("[data-test=intake-remove]")).to_have_count(0)
    await expect(page.locator(".el-table__body tr.el-table__row")).to_have_count(2)
    await shot(page, "15-intake-complete")
    await api.c.aclose()
