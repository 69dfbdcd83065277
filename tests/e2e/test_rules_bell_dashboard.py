"""工作台, the message bell and 规则配置 in a real browser against the real backend.

The city admin lands on the dashboard and sees the KPI cards (honest "—" where the data has not
landed). A message written by this test process reaches the open tab through Redis and the push
socket: the bell counts it and a notification pops up; clicking it opens 规则配置. There the admin
breaks a rule, sees the problem on the rule's own cell, puts it right and tries the rule set on
sample inputs, amounts in 元 (stored in 分). A 蓬江区 version of the qualification rule set is
listed beside the city's; its trial picks the supply mode from Chinese labels and says whose
rule set decided. Screenshots land in var/screenshots/.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from app.core.db import uow
from app.identity.models import Account
from app.core.context import SystemActor
from app.domains.housing.projects import alerts
from app.rules import service as rules
from app.rules.models import RuleSetVersion
from channels.messages import service as messages
from tests.helpers import submit_login

pytestmark = [pytest.mark.e2e, pytest.mark.feature("SYS-01", "GOV-01-01")]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"
KEY = "eligibility.application_condition"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def ui_login(page: Page, admin_url: str, username: str) -> None:
    await page.goto(admin_url + "login")
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(DEMO_PASSWORD)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))


async def test_dashboard_bell_and_rules_editor(page: Page, admin_url: str, api_url: str):
    await ui_login(page, admin_url, "gov_admin")

    # dashboard: the cards whose data lands later say so
    cards = page.locator("[data-test=kpi-cards]")
    await expect(cards.locator("[data-kpi=beneficiary_households] .num")).to_have_text("—")
    await expect(cards.locator("[data-kpi=arrears_amount] .kpi-title")).to_have_text("欠租金额")
    assert await cards.locator("[data-kpi]").count() >= 8
    await expect(page.locator("[data-test=welcome]")).to_be_visible()
    await shot(page, "dashboard-kpi-cards")

    # the bell: a message from another process arrives live
    admin = await Account.get(login_name="gov_admin")
    title = f"规则集待复核 {secrets.token_hex(2)}"
    await page.wait_for_timeout(1500)  # the socket is open and subscribed
    async with uow() as tx:
        msgs = await messages.notify([admin.id], kind="todo", title=title, body="请复核申请条件", link="/rules",
                                     ref_type="rule_set", ref_id=KEY, using=tx)
    assert await messages.publish(msgs) == 1
    note = page.locator(".arh-push-note", has_text=title)
    await expect(note).to_be_visible(timeout=15000)
    await expect(page.locator("[data-test=message-unread] sup")).to_be_visible()
    await shot(page, "message-bell-notification")
    await page.locator("[data-test=message-bell]").click()
    item = page.locator(f"[data-message='{msgs[0].id}']")
    await expect(item).to_contain_text(title)
    await shot(page, "message-bell-dropdown")
    await item.click()
    await page.wait_for_url(re.compile(r"/admin/rules$"))
    for _ in range(50):  # clicking the item marked it read
        if await _read(msgs[0].id):
            break
        await page.wait_for_timeout(100)
    else:
        raise AssertionError("the clicked message was not marked read")

    # 规则配置: the seeded rule sets
    row = page.locator(".el-table__row", has_text=KEY)
    await expect(row).to_be_visible()
    await shot(page, "rules-list")
    before = await RuleSetVersion.filter(key=KEY).count()
    await row.locator("[data-test=ruleset-edit]").click()
    editor = page.locator("[data-test=ruleset-editor]")
    await expect(editor.locator("[data-test=ruleset-inputs] .el-table__row")).to_have_count(8)
    expr = editor.locator("textarea[data-test=rule-expression]").first
    original = await expr.input_value()
    await expr.fill("age(applicant_birth_date, application_date) >= spouse_age")
    await page.locator("[data-test=ruleset-validate]").click()
    err = editor.locator("[data-test=rule-error]").first
    await expect(err).to_contain_text("spouse_age")
    await shot(page, "rules-editor-problem")

    await expr.fill(original)
    await page.locator("[data-test=ruleset-validate]").click()
    await expect(editor.locator("[data-test=ruleset-ok]")).to_be_visible()
    await page.locator("[data-test=ruleset-editor-try]").click()
    trial = page.locator("[data-test=ruleset-trial]")
    await expect(trial.locator("[data-input=household_size]")).to_be_visible()
    # money is typed and shown in 元: the sample 800000 分 reads 8000.00
    income = trial.locator("[data-input=household_monthly_income_fen]")
    await expect(income.locator(".el-form-item__label")).to_contain_text("家庭月收入（元）")
    await expect(income.locator("input")).to_have_value("8000.00")
    await page.locator("[data-test=trial-run]").click()
    await expect(trial.locator("[data-test=trial-verdict]")).to_contain_text("结论：符合全部条件")
    await expect(trial.locator("[data-test=trial-outcomes] .el-table__row")).to_have_count(5)
    await expect(trial.locator("[data-test=trial-outcomes]")).to_contain_text("家庭月收入（元） = 8000.00 元")
    await expect(trial.locator("[data-test=trial-outcomes]")).not_to_contain_text("800000")
    await shot(page, "rules-trial")
    # nothing was saved by validating or trying
    assert await RuleSetVersion.filter(key=KEY).count() == before
    await page.keyboard.press("Escape")
    await page.keyboard.press("Escape")

    # a district's own rule set beside the city's; its trial picks the supply mode by name
    city = await rules.latest(alerts.RULE_KEY)
    district = await rules.create(SystemActor(), alerts.RULE_KEY, city.definition, note="蓬江区按全市标准执行",
                                  district_code="440703")
    try:
        await page.goto(admin_url + "rules")
        both = page.locator(".el-table__row", has_text=alerts.RULE_KEY)
        await expect(both).to_have_count(2)
        await expect(both.filter(has_text="蓬江区").locator("[data-test=ruleset-scope]")).to_have_text("蓬江区")
        await expect(both.filter(has_text="全市").locator("[data-test=ruleset-scope]")).to_have_text("全市")
        await shot(page, "rules-list-districts")
        await both.filter(has_text="蓬江区").locator("[data-test=ruleset-try]").click()
        trial = page.locator("[data-test=ruleset-trial]")
        select = trial.locator("[data-test=trial-select-supply_mode]")
        await expect(select).to_contain_text("新建")
        await select.click()
        await page.locator(".el-select-dropdown__item:visible", has_text="闲置房源盘活").click()
        await page.locator("[data-test=trial-run]").click()
        verdict = trial.locator("[data-test=trial-verdict]")
        await expect(verdict).to_contain_text(f"按蓬江区规则第 {district.version} 版")
        await expect(select).to_contain_text("闲置房源盘活")
        await expect(trial.locator("[data-test=trial-outcomes] .el-table__row")).to_have_count(3)
        await shot(page, "rules-trial-district-select")
    finally:
        await rules.set_enabled(SystemActor(), alerts.RULE_KEY, False, district_code="440703")

    # 站内消息: the whole list behind the bell, unread ones first to find, marked read from the row
    notice = f"系统维护通知 {secrets.token_hex(2)}"
    async with uow() as tx:
        later = await messages.notify([admin.id], kind="notice", title=notice, body="今晚22:00起维护", using=tx)
    await page.goto(admin_url)  # leave the editor and its trial dialog behind
    await page.locator("[data-test=message-bell]").click()
    await page.locator("[data-test=message-all]").click()
    await page.wait_for_url(re.compile(r"/admin/messages$"))
    await page.locator("[data-test=messages-unread-only]").click()
    row = page.locator(".el-table__row", has_text=notice)
    await expect(row).to_contain_text("未读")
    await expect(page.locator(".el-table__row", has_text=title)).to_have_count(0)  # read already
    await shot(page, "messages-list")
    await row.locator("[data-test=message-mark]").click()
    await expect(row.locator("[data-test=message-mark]")).to_have_count(0)  # its button says 标为已读
    await expect(row.locator("td").nth(5)).to_have_text("已读")
    assert await _read(later[0].id)


async def _read(message_id: int) -> bool:
    from channels.messages.models import Message
    m = await Message.get(id=message_id)
    return m.read_at is not None
