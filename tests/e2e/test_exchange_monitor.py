"""数据交换监控 in a real browser against the real backend.

The test writes two outbound messages through the real outbox: one waiting to be sent, and one
whose partner key was withdrawn so that the relay gave up on it (a dead letter). The city admin
opens the page from the menu, finds the first by its business number, reads it (masked, then in
full), and replays the dead letter from the dead-letter tab.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from app.core.context import SystemActor, current_actor
from exchange.models import ExchangeMessage
from tests.exchange.support import dead, pending
from tests.helpers import make_id_number, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(350)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def ui_login(page: Page, admin_url: str, username: str) -> None:
    await page.goto(admin_url + "login")
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(DEMO_PASSWORD)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))


@pytest.mark.feature("SYS-10", "INT-09", "INT-12")
async def test_gov_admin_finds_a_message_and_replays_a_dead_letter(page: Page, admin_url: str, api_url: str):
    suffix = time.strftime("%H%M%S") + secrets.token_hex(2).upper()
    bn_pending, bn_dead = f"ZJB-{suffix}", f"KJ-{suffix}"
    idn = make_id_number()
    current_actor.set(SystemActor())
    try:
        waiting = await pending("mohurd", "beneficiary.push", {"name": "陈明", "id_number": idn}, bn_pending)
        letter = await dead("accounting", "rent.collection", {"month": "2026-11", "amount_fen": 158000}, bn_dead)
    finally:
        current_actor.set(None)

    await ui_login(page, admin_url, "gov_admin")
    await page.locator('aside [data-menu="exchange.monitor"]').click()
    await page.wait_for_url(re.compile(r"/admin/exchange$"))
    card = page.locator('[data-test=exchange-stats] [data-partner="accounting"]')
    await expect(card).to_contain_text("会计系统")
    await expect(card).to_contain_text(re.compile(r"死信\s*[1-9]"))
    await shot(page, "exchange-01-overview")

    # Search by business number.
    pane = page.locator("#pane-messages")
    await pane.locator("[data-test=single-value] input").fill(bn_pending)
    await pane.locator("[data-test=search]").click()
    row = pane.locator(".el-table__body tr").filter(has_text=bn_pending)
    await expect(row).to_have_count(1)
    await expect(pane.locator(".el-table__body tr")).to_have_count(1)
    await expect(row).to_contain_text("住建部数据上报")
    await expect(row).to_contain_text("beneficiary.push")
    await expect(row.locator("[data-test=exchange-status]")).to_have_text("待发送")
    await shot(page, "exchange-02-search")

    # The body is masked; the full text is one audited click away for a holder of pii.view.
    await row.locator("[data-test=message-detail]").click()
    drawer = page.locator(".el-drawer").filter(has_text="报文详情")
    body = drawer.locator("[data-test=message-body]")
    await expect(body).to_contain_text(idn[:4] + "*" * 10 + idn[-4:])
    await expect(body).not_to_contain_text(idn)
    await drawer.locator("[data-test=reveal]").click()
    await expect(body).to_contain_text(idn)
    await shot(page, "exchange-03-detail")
    await drawer.locator(".el-drawer__close-btn").click()
    await expect(drawer).to_be_hidden()

    # The dead letter, replayed from its tab.
    await page.locator("[data-test=tab-dead]").click()
    dpane = page.locator("#pane-dead")
    await dpane.locator("[data-test=single-value] input").fill(bn_dead)
    await dpane.locator("[data-test=search]").click()
    drow = dpane.locator(".el-table__body tr").filter(has_text=bn_dead)
    await expect(drow).to_have_count(1)
    await expect(drow.locator("[data-test=exchange-status]")).to_have_text("死信")
    await expect(drow.locator("[data-test=attempts]")).to_have_text("8")
    await expect(drow).to_contain_text("封装失败")
    await shot(page, "exchange-04-dead-letters")
    await drow.locator("[data-test=replay]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect(page.locator(".el-message--success").filter(has_text="已重新投递").first).to_be_visible()
    await expect(drow).to_have_count(0)
    await shot(page, "exchange-05-replayed")

    replayed = await ExchangeMessage.get(id=letter.id)
    assert (replayed.status, replayed.attempts) == ("pending", 0)
    assert (await ExchangeMessage.get(id=waiting.id)).status == "pending"

    # Back on the message list the replayed one is waiting to go out again.
    await page.locator("[data-test=tab-messages]").click()
    await pane.locator("[data-test=single-value] input").fill(bn_dead)
    await pane.locator("[data-test=search]").click()
    await expect(pane.locator(".el-table__body tr").filter(has_text=bn_dead)
                 .locator("[data-test=exchange-status]")).to_have_text("待发送")


@pytest.mark.feature("SYS-10")
async def test_a_clerk_without_the_menu_is_refused(page: Page, admin_url: str, api_url: str):
    await ui_login(page, admin_url, "gov_clerk")
    await expect(page.locator('aside [data-menu="exchange.monitor"]')).to_have_count(0)
    await page.goto(admin_url + "exchange")
    await expect(page.locator("[data-test=forbidden]")).to_contain_text("无权访问")
    token = await page.evaluate("localStorage.getItem('arh_admin_token')")
    async with httpx.AsyncClient(base_url=api_url) as c:
        r = await c.get("/api/v1/exchange/messages", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
