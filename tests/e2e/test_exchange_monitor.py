"""数据交换监控 in a real browser against the real backend.

The test writes two outbound messages through the real outbox: one waiting to be sent, and one
whose partner key was withdrawn so that the relay gave up on it (a dead letter). The city admin
opens the page from the menu, finds the first by its business number, reads it (masked, then in
full), and replays the dead letter from the dead-letter tab.

A clerk reads Chinese (issue 10 §5): a 楼盘表 query the trading system answered with
"[SYSTEM_BUSY] 忙" and a door system's push show as 楼盘表查询 / 门禁通行记录 with a sentence,
and the codes (unit_table.query, access.events, SYSTEM_BUSY) only in the detail drawer.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from app.core.cache import redis
from app.core.context import SystemActor, current_actor
from exchange import handlers  # noqa: F401 - registers the inbox handlers
from exchange import inbox, journal
from exchange.adapters import access_control as ac
from exchange.adapters import mohurd
from exchange.adapters import real_estate_trading as rea
from exchange.envelope import Header, seal
from exchange.models import ExchangeMessage
from exchange.partners import PLATFORM
from tests.exchange.support import dead, keyring, pending
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
        waiting = await pending("mohurd", mohurd.T_REPORT_BENEFICIARIES, {"name": "陈明", "id_number": idn},
                                bn_pending)
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
    await expect(row).to_contain_text("保障对象数据上报")
    await expect(row).not_to_contain_text("report.beneficiaries")
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


RAW_CODES = ("unit_table.query", "access.events", "SYSTEM_BUSY", "real_estate_trading", "access_control", "[")


@pytest.mark.feature("SYS-10", "INT-14", "REA-01")
async def test_the_monitor_shows_chinese_names_and_sentences_and_keeps_codes_in_the_drawer(
        page: Page, admin_url: str, api_url: str):
    bn = "CN-" + time.strftime("%H%M%S") + secrets.token_hex(2).upper()
    kr = keyring()
    current_actor.set(SystemActor())
    try:
        # A 楼盘表 query the trading system answered with [SYSTEM_BUSY] 忙, recorded as the client does.
        h = Header(sender=PLATFORM, receiver=rea.PARTNER, partner=rea.PARTNER, type=rea.T_UNIT_TABLE_QUERY,
                   key_id=kr.active_key_id(rea.PARTNER), business_no=f"{bn}-LPB")
        await journal.record("request", h, {"body": {"project_code": "JM-2026-001"}})
        await journal.record("partner_error", h, {"reply": {"ok": False, "error": {"code": "SYSTEM_BUSY",
                                                                                   "message": "忙"}},
                                                  "latency_ms": 42})
        # A door system's push, through the real inbox.
        hd = Header(sender=ac.PARTNER, receiver=PLATFORM, partner=ac.PARTNER, type=ac.T_ACCESS_EVENTS,
                    key_id=kr.active_key_id(ac.PARTNER), business_no=f"{bn}-MJ")
        ev = {"event_id": f"{bn}-1", "person_id_number": make_id_number(), "door": "3栋1单元大门",
              "community_code": "C001", "occurred_at": "2026-11-26T08:00:00+08:00", "direction": "in"}
        assert await inbox.receive(seal(hd, {"events": [ev]}, kr), kr, redis()) == "applied"
    finally:
        current_actor.set(None)

    await ui_login(page, admin_url, "gov_admin")
    await page.goto(admin_url + "exchange")
    pane = page.locator("#pane-messages")
    await pane.locator("[data-test=single-value] input").fill(bn)
    await pane.locator("[data-test=search]").click()
    rows = pane.locator(".el-table__body tr")
    await expect(rows).to_have_count(2)
    busy = rows.filter(has_text=f"{bn}-LPB")
    await expect(busy).to_contain_text("房地产交易系统")
    await expect(busy).to_contain_text("楼盘表查询")
    await expect(busy).to_contain_text("房地产交易系统繁忙，暂时无法处理，请稍后再试")
    await expect(busy.locator("[data-test=exchange-status]")).to_have_text("失败")
    door = rows.filter(has_text=f"{bn}-MJ")
    await expect(door).to_contain_text("门禁监控")
    await expect(door).to_contain_text("门禁通行记录")
    await expect(door.locator("[data-test=exchange-status]")).to_have_text("已处理")
    table = pane.locator(".el-table__body")
    for code in RAW_CODES:
        await expect(table).not_to_contain_text(code)
    await shot(page, "exchange-06-chinese-labels")

    # The per-type breakdown is in Chinese too.
    await page.locator("[data-test=stats-detail]").click()
    breakdown = page.locator("[data-test=stats-rows]")
    await expect(breakdown).to_contain_text("楼盘表查询")
    await expect(breakdown).to_contain_text("门禁通行记录")
    for code in ("unit_table.query", "access.events"):
        await expect(breakdown).not_to_contain_text(code)

    await page.locator("[data-test=stats-detail]").click()  # 收起明细

    # An admin finds the codes in the detail drawer.
    await busy.locator("[data-test=message-detail]").click()
    drawer = page.locator(".el-drawer").filter(has_text="报文详情")
    codes = drawer.locator("[data-test=message-codes]")
    await expect(codes).to_contain_text("unit_table.query")
    await expect(codes).to_contain_text("real_estate_trading")
    await expect(drawer.locator("[data-test=error-code]")).to_have_text("SYSTEM_BUSY")
    await expect(drawer.locator("[data-test=raw-error]")).to_have_text("忙")
    await expect(drawer).to_contain_text("房地产交易系统繁忙")
    await shot(page, "exchange-07-detail-codes")
