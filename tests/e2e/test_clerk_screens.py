"""What a clerk stumbles on (issue 10, section 5), each seen in a real browser against the real backend.

- Layout: a case form's long labels (经度（BD-09，地图选点）, 楼栋…) stay inside their own row; a list's
  last columns (办理时限) are not covered by the fixed 操作 column; 申请人 and codes are not cut off.
- Console: the builder's and the operator's 项目管理, 小区房源 and 楼盘表 make no request that fails
  (no 403 on /api/v1/identity/orgs) and log no console error.
- Out of scope: a 楼盘表 URL naming another org's community and building shows no raw ids in the
  pickers and says the record is not found or not permitted, not "该小区还没有楼栋".

Screenshots land in var/screenshots/ (clerk-*.png).
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from app.domains.housing.stock.models import Building, Community
from app.identity.models import Account, Org
from tests.helpers import staff_token, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(SCREENSHOTS / f"clerk-{name}.png"), full_page=True)


def watch_console(page: Page) -> list[str]:
    """Every console error and every failed API call the page makes, as text."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.request.method} {r.url}")
            if r.status >= 400 else None)
    return problems


async def ui_login(page: Page, admin_url: str, username: str) -> None:
    await page.goto(admin_url + "login")
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(DEMO_PASSWORD)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))


async def menu(page: Page, code: str, path: str) -> None:
    await page.locator(f'aside [data-menu="{code}"]').click()
    await page.wait_for_url(re.compile(rf"/admin/{path}$"))


async def api_token(api_url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=api_url) as c:
        return await staff_token(c, username)


async def declare(api_url: str, name: str) -> tuple[int, str]:
    """A project declaration of builder_admin's org, submitted: (case id, number)."""
    builder = await Account.get(login_name="builder_admin")
    t = await api_token(api_url, "builder_admin")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {t}"}, timeout=60) as c:
        r = await c.post("/api/v1/cases", json={
            "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": builder.org_id},
            "district_code": "440703", "submit": True,
            "form": {"project_name": name, "address": "江门市蓬江区胜利路18号", "supply_mode": "改建",
                     "land_area": 5000, "building_area": 18000, "planned_units": 240, "investment": 90000000,
                     "lng": 113.086, "lat": 22.587, "buildings": "A栋:24:240\nB栋:18:120"}})
        assert r.status_code == 201, r.text
        return r.json()["id"], r.json()["number"]


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5 \
        and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5


async def header_box(page: Page, label: str) -> dict:
    th = page.locator(".el-table__header-wrapper th").filter(has_text=re.compile(rf"^\s*{label}\s*$")).first
    await expect(th).to_be_visible()
    box = await th.bounding_box()
    assert box, label
    return box


async def assert_column_visible(page: Page, label: str) -> None:
    """The column's header is inside the table's visible area and not under the fixed 操作 column."""
    wrap = await page.locator(".el-table").first.bounding_box()
    col = await header_box(page, label)
    ops = await page.locator(".el-table__header-wrapper th.el-table-fixed-column--right").first.bounding_box()
    assert ops, "the list has its fixed 操作 column"
    assert col["x"] >= wrap["x"] - 0.5 and col["x"] + col["width"] <= ops["x"] + 0.5, (label, col, ops, wrap)


async def assert_not_cut(page: Page, selector: str) -> None:
    """Each cell's text fits its cell: no ellipsis hides part of a name or a code."""
    cut = await page.eval_on_selector_all(
        selector, "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())")
    assert not cut, f"cut off: {cut}"


# ---------------------------------------------------------------- layout


@pytest.mark.feature("GOV-01-02", "GOV-05-03")
async def test_todo_list_shows_its_last_columns_and_the_case_page_keeps_labels_in_their_rows(
        page: Page, admin_url: str, api_url: str):
    name = f"江门市蓬江区滨江新区保障性租赁住房人才公寓{secrets.token_hex(2).upper()}"
    case_id, number = await declare(api_url, name)

    await ui_login(page, admin_url, "gov_admin")
    await menu(page, "work.todo", "todo")
    await page.locator("[data-test=single-value] input").first.fill(number)
    await page.locator("[data-test=search]").first.click()
    row = page.locator(".el-table__body tr.el-table__row").filter(has_text=number)
    await expect(row.first).to_be_visible()
    await assert_column_visible(page, "办理时限")
    await assert_not_cut(page, ".el-table__body td .cell")
    await shot(page, "todo-list")

    await page.goto(admin_url + f"cases/{case_id}")
    await expect(page.locator("[data-test=case-number]")).to_have_text(number)
    items = page.locator(".case-form .el-form-item")
    await expect(items.first).to_be_visible()
    n = await items.count()
    assert n >= 8
    boxes = []
    for i in range(n):
        item = items.nth(i)
        label = item.locator(".el-form-item__label").first
        lb, ib = await label.bounding_box(), await item.bounding_box()
        text = (await label.inner_text()).strip()
        # The label's own text is inside its row: nothing spills over the next field.
        overflow = await label.evaluate("e => e.scrollHeight > e.clientHeight + 1")
        assert not overflow, f"label {text!r} overflows its box"
        assert lb["y"] >= ib["y"] - 0.5 and lb["y"] + lb["height"] <= ib["y"] + ib["height"] + 0.5, (text, lb, ib)
        boxes.append((text, ib))
    for (t1, b1), (t2, b2) in zip(boxes, boxes[1:]):
        assert not boxes_overlap(b1, b2), (t1, t2)
    assert any("地图选点" in t for t, _ in boxes), [t for t, _ in boxes]
    await shot(page, "case-form-labels")


# ---------------------------------------------------------------- console


@pytest.mark.feature("BLD-01-01", "BLD-02-01", "BLD-02-02", "OPS-04-01", "OPS-04-02")
@pytest.mark.parametrize("username", ["builder_admin", "operator_admin"])
async def test_builder_and_operator_pages_make_no_failing_call(page: Page, admin_url: str, username: str):
    problems = watch_console(page)
    await ui_login(page, admin_url, username)
    acc = await Account.get(login_name=username)
    org = await Org.get(id=acc.org_id)
    for code, path in (("housing.projects", "projects"), ("housing.communities", "communities"),
                       ("housing.units", "units")):
        if not await page.locator(f'aside [data-menu="{code}"]').count():
            continue
        await menu(page, code, path)
        await expect(page.locator(".el-table, [data-test=unit-location]").first).to_be_visible()
        await page.wait_for_load_state("networkidle")
        if path == "communities":
            # The org filters offer the caller's own org by name, not an empty list or an id.
            await page.locator("[data-test=toggle-mode]").first.click()
            field = "builder_id" if org.kind == "BUILDER" else "operator_id"
            f = page.locator(f"[data-filter={field}] .el-select")
            await f.click()
            await expect(page.locator(".el-select-dropdown__item:visible", has_text=org.name)).to_have_count(1)
            await page.keyboard.press("Escape")
        await shot(page, f"{username}-{path}")
    assert not problems, problems


@pytest.mark.feature("BLD-01-02")
async def test_the_map_notice_speaks_to_the_clerk(page: Page, admin_url: str):
    await ui_login(page, admin_url, "builder_admin")
    await menu(page, "housing.projects", "projects")
    await page.locator("[data-test=declare]").click()
    notice = page.locator("[data-test=declaration-dialog] [data-test=map-unavailable]")
    await expect(notice).to_contain_text("地图服务无法加载，可直接输入经纬度")
    await expect(notice).to_contain_text("本系统尚未开通地图服务")
    text = await notice.inner_text()
    assert not re.search(r"VITE_|[A-Z]{2,}_[A-Z]", text), text
    await shot(page, "map-unavailable")


# ---------------------------------------------------------------- out of scope


async def community_of(api_url: str, builder: Org, district: str, name: str) -> tuple[Community, Building]:
    """A community with one building, registered by the city admin for `builder`."""
    t = await api_token(api_url, "gov_admin")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {t}"}, timeout=60) as c:
        r = await c.post("/api/v1/housing/communities", json={
            "name": name, "address": "江门市某区某路1号", "district_code": district, "builder_id": builder.id})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        r = await c.post(f"/api/v1/housing/communities/{cid}/buildings", json={"name": "1栋", "floors": 6})
        assert r.status_code == 201, r.text
    community = await Community.get(id=cid)
    return community, await Building.get(community_id=cid)


@pytest.mark.feature("BLD-02-02", "GOV-06-02")
async def test_an_out_of_scope_unit_table_url_says_so_without_raw_ids(page: Page, admin_url: str, api_url: str):
    mine = await Org.get(id=(await Account.get(login_name="builder_admin")).org_id)
    other = await Org.get(name="鹤山市城建开发有限公司")
    tag = secrets.token_hex(2).upper()
    community, building = await community_of(api_url, other, "440784", f"沙坪安居苑{tag}")
    own, _ = await community_of(api_url, mine, "440703", f"滨江保障公寓{tag}")

    await ui_login(page, admin_url, "builder_admin")
    await page.goto(admin_url + f"units?view=graphic&community_id={community.id}&building_id={building.id}")
    loc = page.locator("[data-test=unit-location]")
    await expect(page.locator("[data-test=building-list-empty]")).to_have_text("该小区不存在或无权查看")
    await expect(page.locator(".el-result__title")).to_contain_text("不存在或无权查看")
    for picker in ("pick-community", "pick-building"):
        shown = await loc.locator(f"[data-test={picker}]").inner_text()
        assert str(community.id) not in shown and str(building.id) not in shown, (picker, shown)
    assert community.name not in await page.content()
    await shot(page, "units-out-of-scope")

    # The builder's own community still opens by name.
    await page.goto(admin_url + f"units?view=graphic&community_id={own.id}")
    await expect(loc.locator("[data-test=pick-community]")).to_contain_text(own.name)
    await expect(page.locator("[data-test=building-item]").first).to_be_visible()
    await expect(page.locator("[data-test=building-list-empty]")).to_have_count(0)


# ---------------------------------------------------------------- the bell


async def _unread(login: str) -> int:
    from channels.messages.models import Message
    account = await Account.get(login_name=login)
    return await Message.filter(account_id=account.id, read_at__isnull=True).count()


async def _badge_matches(page: Page, login: str) -> None:
    """The bell's number is the number of the account's unread messages in the database."""
    n = await _unread(login)
    badge = page.locator("[data-test=message-unread] sup")
    if n == 0:
        await expect(badge).to_be_hidden()
    else:
        await expect(badge).to_have_text(str(n) if n <= 99 else "99+")


@pytest.mark.feature("GOV-01-02")
async def test_the_bell_counts_what_is_unread_and_pops_a_todo_up_once(page: Page, admin_url: str, api_url: str):
    from app.core.db import uow
    from channels.messages import service as messages

    await ui_login(page, admin_url, "gov_clerk")
    await expect(page.locator("[data-test=message-bell]")).to_have_attribute("title", "站内消息（实时）")
    await _badge_matches(page, "gov_clerk")
    clerk = await Account.get(login_name="gov_clerk")
    title = f"新待办：项目申报（区住建初审）{secrets.token_hex(2)}"
    async with uow() as tx:
        msgs = await messages.notify([clerk.id], kind="todo", title=title, link="/todo", using=tx)
    await messages.publish(msgs)
    await expect(page.locator(".arh-push-note", has_text=title)).to_have_count(1, timeout=15000)
    await _badge_matches(page, "gov_clerk")
    # The same push again (a second delivery) pops nothing up and counts nothing.
    await messages.publish(msgs)
    await page.wait_for_timeout(1500)
    await expect(page.locator(".arh-push-note", has_text=title)).to_have_count(1)
    await _badge_matches(page, "gov_clerk")
    await shot(page, "bell-once")

    # Read elsewhere (another tab, the API): the bell follows the server.
    t = await api_token(api_url, "gov_clerk")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {t}"}) as c:
        r = await c.post(f"/api/v1/messages/{msgs[0].id}/read")
        assert r.status_code == 200 and r.json()["read"] is True
    await _badge_matches(page, "gov_clerk")
    # And the bell's list agrees with 站内消息's unread list.
    await page.locator("[data-test=message-bell]").click()
    await expect(page.locator(f"[data-message='{msgs[0].id}']")).not_to_have_class(re.compile(r"\bunread\b"))
