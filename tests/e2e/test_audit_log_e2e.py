"""审计日志 in a real browser reads in Chinese (issue 10 §5): action labels, objects by business number
and name, changes as field labels with values; the codes only in the detail drawer for an admin."""
from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.api.test_housing_stock import make_stock
from tests.e2e.test_admin_shell import shot, ui_login
from tests.helpers import staff_token

pytestmark = [pytest.mark.e2e, pytest.mark.feature("GOV-13-04", "GOV-06-01")]


async def test_the_audit_log_reads_in_chinese(page: Page, admin_url: str, api_url: str):
    s = await make_stock(floors=1, per_floor=1)
    u = s["units"][0]
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as c:
        t = await staff_token(c, "operator_admin")
        r = await c.post(f"/api/v1/housing/units/{u.id}/lock", headers={"Authorization": f"Bearer {t}"},
                         json={"reason": "预留给人才引进"})
        assert r.status_code == 200, r.text
    await ui_login(page, admin_url, "gov_admin", "Demo@2026")
    await page.goto(admin_url + "audit")
    row = page.locator(".el-table__row", has_text="锁定房屋").first
    await expect(row).to_be_visible()
    await expect(row.locator("[data-test=audit-object]")).to_have_text("房屋 1栋1单元101")
    # No raw code in the table itself.
    table = page.locator(".el-table__body")
    await expect(table).not_to_contain_text("housing.unit.lock")
    await expect(table).not_to_contain_text("#")
    await expect(page.locator("[data-test=audit-action]").filter(has_text="登录").first).to_be_visible()
    await row.locator(".el-table__expand-icon").click()
    changes = page.locator("[data-test=audit-changes]").first
    await expect(changes).to_contain_text("状态")
    await expect(changes).to_contain_text("可配租 → 已锁定")
    await expect(changes).to_contain_text("锁定原因")
    await shot(page, "audit-log-chinese")
    await row.locator("[data-test=audit-detail]").click()
    drawer = page.locator(".el-drawer")
    await expect(drawer).to_contain_text("锁定房屋")
    codes = drawer.locator("[data-test=audit-codes]")
    await expect(codes).to_contain_text("housing.unit.lock")
    await expect(codes).to_contain_text("unit")
    await shot(page, "audit-log-drawer")
