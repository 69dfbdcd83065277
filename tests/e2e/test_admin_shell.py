"""The admin portal in a real browser, against the real backend.

The story: a city gov admin defines a role with two menus, registers a new
hire and opens an account with that role; the new clerk then sees exactly
those two menus. A builder is refused the gov pages, in the browser and at
the API. Screenshots of every page land in var/screenshots/ for a human.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect
from tests.helpers import staff_token, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"
CLERK_PASSWORD = "Clerk@2026x"
CLERK_NEW_PASSWORD = "Clerk@2026y"
TOKEN_KEY = "arh_admin_token"


# ---------------------------------------------------------------- helpers


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Let tables, drawers and transitions settle so the picture is what a person sees.
    await page.wait_for_timeout(350)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def ui_login(page: Page, admin_url: str, username: str, password: str) -> None:
    await page.goto(admin_url + "login")
    await expect(page.get_by_text("单位用户登录")).to_be_visible()
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(password)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))
    await expect(page.locator("[data-test=welcome]")).to_be_visible()


async def ui_logout(page: Page, admin_url: str) -> None:
    await page.locator("[data-test=logout]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await page.wait_for_url(re.compile(r"/admin/login"))
    assert await page.evaluate(f"localStorage.getItem('{TOKEN_KEY}')") is None


async def page_token(page: Page) -> str:
    token = await page.evaluate(f"localStorage.getItem('{TOKEN_KEY}')")
    assert token, "the portal keeps its bearer token in localStorage"
    return token


async def api_token(api_url: str, username: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=api_url) as c:
        return await staff_token(c, username, password)


async def api_get(api_url: str, token: str, path: str, **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api_url) as c:
        return await c.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


async def expect_success(page: Page, text: str) -> None:
    await expect(page.locator(".el-message--success").filter(has_text=text).first).to_be_visible()


async def dialog(page: Page, title: str):
    d = page.locator(".el-dialog").filter(has=page.locator(".el-dialog__title", has_text=title))
    await expect(d).to_be_visible()
    return d


def find_menu(nodes: list[dict], path: str, title: str) -> dict | None:
    """A catalogue menu by its page path (or, failing that, its exact title)."""
    stack = list(nodes)
    by_title = None
    while stack:
        n = stack.pop(0)
        p = (n.get("path") or "").rstrip("/")
        if p in (path, "/admin" + path):
            return n
        if n.get("title") == title and by_title is None:
            by_title = n
        stack.extend(n.get("children") or [])
    return by_title


def menu_permissions(node: dict) -> set[str]:
    out = {p["code"] for p in node.get("permissions") or []}
    for child in node.get("children") or []:
        out |= menu_permissions(child)
    return out


async def assert_only_menus(page: Page, codes: set[str]) -> None:
    """The side menu holds exactly these leaves from /auth/me, plus the fixed 工作台."""
    leaves = page.locator("aside [data-menu]")
    await expect(leaves).to_have_count(len(codes))
    shown = {await leaves.nth(i).get_attribute("data-menu") for i in range(len(codes))}
    assert shown == codes
    await expect(page.locator("aside .el-menu-item")).to_have_count(len(codes) + 1)
    await expect(page.locator("aside [data-menu-fixed=dashboard]")).to_have_text(re.compile("工作台"))


def unique_suffix() -> str:
    return time.strftime("%H%M%S") + uuid.uuid4().hex[:4]


def random_chinese_name() -> str:
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
    return "测" + "".join(random.choice(given) for _ in range(2)) + "试"


# ---------------------------------------------------------------- the story


@pytest.mark.feature("GOV-13-04", "GOV-13-06")
async def test_a_new_role_decides_the_menus_of_a_new_clerk(page: Page, admin_url: str, api_url: str):
    suffix = unique_suffix()
    role_name = f"自动化审计角色{suffix}"
    staff_name = random_chinese_name()
    phone = "139" + "".join(random.choice("0123456789") for _ in range(8))
    login_name = f"e2e_clerk_{suffix}"

    # 1. gov_admin signs in through the login page.
    await page.goto(admin_url)
    await page.wait_for_url(re.compile(r"/admin/login"))
    await shot(page, "01-login")
    await ui_login(page, admin_url, "gov_admin", DEMO_PASSWORD)
    await expect(page.locator("header.el-header")).to_contain_text("江门市保障性租赁住房管理平台")
    await shot(page, "02-dashboard-gov-admin")
    gov_token = await page_token(page)

    catalogue = (await api_get(api_url, gov_token, "/api/v1/identity/menus/catalogue")).json()
    orgs_menu = find_menu(catalogue, "/orgs", "单位管理")
    audit_menu = find_menu(catalogue, "/audit", "审计日志")
    assert orgs_menu and audit_menu, "the catalogue offers 单位管理 and 审计日志"
    expected_permissions = menu_permissions(orgs_menu) | menu_permissions(audit_menu)
    assert expected_permissions

    # 2. A role with exactly two menus, made in the roles page.
    await page.goto(admin_url + "roles")
    await expect(page.locator(".el-table__body")).to_be_visible()
    await shot(page, "03-roles")
    await page.locator("[data-test=role-create]").click()
    d = await dialog(page, "新增角色")
    await d.locator("[data-test=role-name]").fill(role_name)
    await d.locator("[data-test=role-description]").fill("端到端测试：只能查看单位和审计日志")
    for menu in (orgs_menu, audit_menu):
        node = d.locator(".el-tree-node__content").filter(has=page.locator(f'[data-code="{menu["code"]}"]'))
        await expect(node).to_have_count(1)
        await expect(node).to_contain_text(menu["title"])
        await node.locator(".el-checkbox").first.click()
    await shot(page, "04-role-editor")
    await d.locator("[data-test=role-save]").click()
    await expect_success(page, "角色已新增")
    await expect(d).to_be_hidden()

    roles = (await api_get(api_url, gov_token, "/api/v1/identity/roles", name=role_name, page_size=100)).json()
    matches = [r for r in roles["items"] if r["name"] == role_name]
    assert len(matches) == 1
    role = (await api_get(api_url, gov_token, f"/api/v1/identity/roles/{matches[0]['id']}")).json()
    granted = {p if isinstance(p, str) else p["code"] for p in role["permissions"]}
    assert granted == expected_permissions

    # 3. Register the new hire and open an account with that role.
    await page.goto(admin_url + "staff")
    await expect(page.locator(".el-table__body")).to_be_visible()
    await page.locator("[data-test=staff-create]").click()
    d = await dialog(page, "登记入职")
    await d.locator("[data-test=staff-name]").fill(staff_name)
    await d.locator("[data-test=staff-phone]").fill(phone)
    await d.locator("[data-test=staff-position]").get_by_text("普通业务人员").click()
    await shot(page, "05-staff-hire")
    await d.locator("[data-test=staff-save]").click()
    await expect_success(page, "入职登记成功")
    await expect(d).to_be_hidden()

    await page.locator("[data-test=single-value] input").fill(staff_name)
    await page.locator("[data-test=search]").click()
    row = page.locator(".el-table__body tr").filter(has_text=staff_name).filter(has_text=phone[-4:])
    await expect(row).to_have_count(1)
    await shot(page, "06-staff")
    await row.locator("[data-test=staff-open-account]").click()
    d = await dialog(page, "开通账号")
    await d.locator("[data-test=account-login-name]").fill(login_name)
    await d.locator("[data-test=account-password]").fill(CLERK_PASSWORD)
    await d.locator("[data-test=account-roles]").click()
    await page.locator(".el-select-dropdown__item:visible").filter(has_text=role_name).click()
    await d.locator(".el-dialog__title").click()  # close the dropdown
    await shot(page, "07-staff-open-account")
    await d.locator("[data-test=account-save]").click()
    await expect_success(page, "账号已开通")
    await expect(d).to_be_hidden()
    await expect(row).to_contain_text(login_name)
    await expect(row).to_contain_text(role_name)

    # 4. The new clerk sees exactly the two menus of that role, and the dashboard.
    await ui_logout(page, admin_url)
    await ui_login(page, admin_url, login_name, CLERK_PASSWORD)
    await expect(page.locator("header.el-header")).to_contain_text(staff_name)
    await assert_only_menus(page, {orgs_menu["code"], audit_menu["code"]})

    # The password an admin set must be replaced: the portal asks at once.
    pwd = page.locator(".el-dialog").filter(has=page.locator(".el-dialog__title", has_text="请修改初始密码"))
    await expect(pwd).to_be_visible()
    await shot(page, "08-new-clerk-must-change-password")
    await pwd.locator("[data-test=old-password]").fill(CLERK_PASSWORD)
    await pwd.locator("[data-test=new-password]").fill(CLERK_NEW_PASSWORD)
    await pwd.locator("[data-test=confirm-password]").fill(CLERK_NEW_PASSWORD)
    await pwd.locator("[data-test=password-save]").click()
    await page.wait_for_url(re.compile(r"/admin/login"))
    await ui_login(page, admin_url, login_name, CLERK_NEW_PASSWORD)
    await expect(page.locator(".el-dialog__title", has_text="请修改初始密码")).to_have_count(0)
    await assert_only_menus(page, {orgs_menu["code"], audit_menu["code"]})
    await shot(page, "09-dashboard-new-clerk")

    await page.locator(f'aside [data-menu="{audit_menu["code"]}"]').click()
    await page.wait_for_url(re.compile(r"/admin/audit$"))
    await expect(page.locator(".el-table__body")).to_be_visible()
    await page.goto(admin_url + "roles")
    await expect(page.locator("[data-test=forbidden]")).to_contain_text("无权访问")
    clerk_token = await page_token(page)
    assert (await api_get(api_url, clerk_token, "/api/v1/identity/roles")).status_code == 403
    assert (await api_get(api_url, clerk_token, "/api/v1/audit/logs")).status_code == 200


@pytest.mark.feature("GOV-13-05", "GOV-13-04")
async def test_a_builder_is_refused_the_gov_pages_and_their_api(page: Page, admin_url: str, api_url: str):
    await ui_login(page, admin_url, "builder_admin", DEMO_PASSWORD)
    await shot(page, "10-dashboard-builder")
    await page.goto(admin_url + "orgs")
    await expect(page.locator("[data-test=forbidden]")).to_contain_text("无权访问")
    assert page.url.endswith("/admin/orgs"), "the refused address stays in the address bar"
    await shot(page, "11-builder-orgs-forbidden")

    token = await page_token(page)
    for path in ("/api/v1/identity/orgs", "/api/v1/audit/logs"):
        r = await api_get(api_url, token, path)
        assert r.status_code == 403, (path, r.status_code, r.text)
        assert r.json()["error"]["message"]


@pytest.mark.feature("GOV-13-05")
async def test_gov_admin_locks_and_unlocks_an_org_main_account(page: Page, admin_url: str, api_url: str):
    await ui_login(page, admin_url, "gov_admin", DEMO_PASSWORD)
    await page.goto(admin_url + "orgs")
    row = page.locator(".el-table__body tr").filter(has=page.get_by_text("operator_admin", exact=True))
    await expect(row).to_have_count(1)
    await shot(page, "12-orgs")

    await row.locator(".el-link").first.click()
    drawer = page.locator(".el-drawer").filter(has_text="单位详情")
    await expect(drawer).to_contain_text("operator_admin")
    await shot(page, "13-org-detail")
    await drawer.locator(".el-drawer__close-btn").click()

    await row.locator("[data-test=lock]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect_success(page, "主账号已锁定")
    await expect(row).to_contain_text("已锁定")
    async with httpx.AsyncClient(base_url=api_url) as c:
        r = await c.post("/api/v1/auth/login", json={"username": "operator_admin", "password": DEMO_PASSWORD})
        assert r.status_code in (401, 403, 423), r.text
        assert r.json()["error"]["message"]

    await row.locator("[data-test=unlock]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect_success(page, "主账号已解锁")
    await expect(row).not_to_contain_text("已锁定")
    assert await api_token(api_url, "operator_admin", DEMO_PASSWORD)


@pytest.mark.feature("GOV-13-07")
async def test_gov_admin_disables_and_enables_an_account(page: Page, admin_url: str, api_url: str):
    await ui_login(page, admin_url, "gov_admin", DEMO_PASSWORD)
    await page.goto(admin_url + "accounts")
    await page.locator("[data-test=single-value] input").fill("gov_clerk")
    await page.locator("[data-test=search]").click()
    row = page.locator(".el-table__body tr").filter(has=page.get_by_text("gov_clerk", exact=True))
    await expect(row).to_have_count(1)
    await shot(page, "14-accounts")

    await row.locator("[data-test=account-disable]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect_success(page, "账号已停用")
    await expect(row).to_contain_text("已停用")
    async with httpx.AsyncClient(base_url=api_url) as c:
        r = await c.post("/api/v1/auth/login", json={"username": "gov_clerk", "password": DEMO_PASSWORD})
        assert r.status_code in (401, 403), r.text

    await row.locator("[data-test=account-enable]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect_success(page, "账号已启用")
    assert await api_token(api_url, "gov_clerk", DEMO_PASSWORD)

    # CA certificate: bind, disable, enable, unbind, each checked at the API.
    async def account_row_api() -> dict:
        r = await api_get(api_url, gov_token, "/api/v1/identity/accounts", login_name="gov_clerk")
        (item,) = r.json()["items"]
        return item

    async def more(command: str) -> None:
        await row.locator("[data-test=account-more]").click()
        await page.locator(f".el-dropdown-menu__item:visible[data-test={command}]").click()

    gov_token = await page_token(page)
    await more("account-ca-bind")
    d = await dialog(page, "绑定 CA 证书")
    await d.locator("[data-test=ca-sn]").fill("4f:2a:9c:01:7b")
    await d.locator("[data-test=ca-subject]").fill("CN=刘晓燕,O=江门市住房和城乡建设局")
    await d.locator(".el-date-editor input").fill("2030-12-31")
    await d.locator(".el-dialog__title").click()  # close the date panel
    await d.locator("[data-test=ca-save]").click()
    await expect_success(page, "CA 证书已绑定")
    await expect(row).to_contain_text("4F:2A:9C:01:7B")
    acc = await account_row_api()
    assert (acc["ca_cert_sn"], acc["ca_enabled"], acc["ca_valid_to"]) == ("4F:2A:9C:01:7B", True, "2030-12-31")

    for command, message, enabled in (("account-ca-disable", "CA 证书已停用", False),
                                      ("account-ca-enable", "CA 证书已启用", True)):
        await more(command)
        await page.locator(".el-message-box__btns .el-button--primary").click()
        await expect_success(page, message)
        assert (await account_row_api())["ca_enabled"] is enabled

    await more("account-ca-unbind")
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect_success(page, "CA 证书已解绑")
    await expect(row).to_contain_text("未绑定")
    assert (await account_row_api())["ca_cert_sn"] is None

    await more("account-phone")
    d = await dialog(page, "修改手机号")
    new_phone = "139" + "".join(random.choice("0123456789") for _ in range(8))
    await d.locator("[data-test=account-new-phone]").fill(new_phone)
    await d.locator("[data-test=account-phone-save]").click()
    await expect_success(page, "手机号已修改")
    await expect(row).to_contain_text(f"139****{new_phone[-4:]}")
    await shot(page, "15-accounts-after-changes")

    # Every one of those writes is in the audit log, and the chain holds.
    await page.goto(admin_url + "audit")
    enabled_row = page.locator(".el-table__body tr.el-table__row").filter(has_text="启用账号").filter(has_text="gov_clerk").first
    await expect(enabled_row).to_be_visible()
    await enabled_row.locator(".el-table__expand-icon").click()
    # The change reads as a clerk says it: the field's label and the values' words, not `enabled: false`.
    changed = page.locator(".el-table__expanded-cell [data-test=audit-changes] tr").filter(has_text="启用")
    await expect(changed).to_have_count(1)
    await expect(changed.locator("td")).to_have_text("否 → 是")
    await page.locator("[data-test=audit-verify]").click()
    # Whole either way: with anchors made by earlier tests it also names them, without it says there are none.
    await expect(page.locator("[data-test=verify-result]")).to_contain_text(re.compile(r"审计日志(哈希链)?完整："))
    await shot(page, "16-audit")
