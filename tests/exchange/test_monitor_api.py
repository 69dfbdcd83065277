"""数据交换监控 over HTTP: the live API, with rows written through the real outbox and inbox."""
from __future__ import annotations

import io
import secrets
import time

import pytest
from openpyxl import load_workbook

from app import seed
from app.core.cache import redis
from app.core.context import SystemActor, current_actor
from app.core.models import AuditLog
from app.identity.models import Org, Role
from exchange import handlers  # noqa: F401 - registers the inbox handlers
from exchange import inbox, journal
from exchange.adapters import access_control as ac
from exchange.adapters import real_estate_trading as rea
from exchange.envelope import Header, seal
from exchange.models import ExchangeMessage
from exchange.partners import PARTNERS, PLATFORM
from tests.exchange.support import dead, keyring, pending
from tests.helpers import make_id_number

BASE = "/api/v1/exchange"
pytestmark = pytest.mark.feature("SYS-10")


def tag() -> str:
    return f"JK{time.strftime('%H%M%S')}{secrets.token_hex(3).upper()}"


async def test_gov_admin_finds_a_message_by_business_number_and_exports(api, token):
    bn = tag()
    idn = make_id_number()
    row = await pending("mohurd", "beneficiary.push", {"name": "陈明", "id_number": idn}, bn)
    t = await token("gov_admin")

    r = await api.get(f"{BASE}/messages", t, params={"business_no": bn})
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert item["id"] == row.id and item["partner_name"] == "住建部数据上报"
    assert (item["direction"], item["status"], item["attempts"]) == ("out", "pending", 0)
    assert "body" not in item and idn not in r.text

    r = await api.get(f"{BASE}/messages", t, params={"q": bn[2:10], "partner": "mohurd", "status__in": "pending,dead",
                                                     "direction": "out", "created_at__gte": "2020-01-01"})
    assert row.id in [i["id"] for i in r.json()["items"]]
    r = await api.get(f"{BASE}/messages", t, params={"business_no": bn, "status": "sent"})
    assert r.json()["total"] == 0
    r = await api.get(f"{BASE}/messages", t, params={"body": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_INPUT"

    r = await api.get(f"{BASE}/messages", t, params={"business_no": bn, "format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header, values = [c.value for c in ws[1]], [c.value for c in ws[2]]
    assert "业务编号" in header and "对方系统" in header
    assert values[header.index("业务编号")] == bn
    assert values[header.index("状态")] == "待发送" and values[header.index("对方系统")] == "住建部数据上报"


async def test_a_body_is_masked_unless_revealed_by_pii_view_which_is_audited(api, token, new_staff):
    bn = tag()
    idn = make_id_number()
    row = await pending("smart_community", "beneficiary.push", {"name": "陈明", "id_number": idn,
                                                                 "phone": "13800000001"}, bn)
    t = await token("gov_admin")
    r = await api.get(f"{BASE}/messages/{row.id}", t)
    assert r.status_code == 200
    d = r.json()
    assert d["masked"] is True and d["body"]["id_number"] == idn[:4] + "*" * 10 + idn[-4:]
    assert d["body"]["phone"] == "138****0001" and idn not in r.text

    r = await api.get(f"{BASE}/messages/{row.id}", t, params={"unmask": "1"})
    assert r.status_code == 200 and r.json()["body"]["id_number"] == idn and r.json()["masked"] is False
    log = await AuditLog.filter(action="pii.view", object_type="exchange_message", object_id=str(row.id)).first()
    assert log is not None and log.actor_name == "王建华"

    login, password, _ = await new_staff(permissions=["exchange.message.read"])
    reader = await api.login(login, password)
    assert (await api.get(f"{BASE}/messages/{row.id}", reader)).status_code == 200
    r = await api.get(f"{BASE}/messages/{row.id}", reader, params={"unmask": "1"})
    assert r.status_code == 403
    assert (await api.get(f"{BASE}/messages/999999999", t)).status_code == 404


async def test_others_are_refused(api):
    for who in ("gov_clerk", "pj_clerk", "builder_admin", "operator_admin"):
        t = await api.login(who)  # fresh: other tests disable and re-enable these accounts
        for path in ("/messages", "/stats", "/dead-letters", "/partners"):
            r = await api.get(BASE + path, t)
            assert r.status_code == 403, (who, path, r.status_code)
            assert r.json()["error"]["message"]
    assert (await api.get(f"{BASE}/messages")).status_code == 401


async def test_dead_letters_are_listed_and_replayed_once(api, token, new_staff):
    bn = tag()
    row = await dead("accounting", "rent.collection", {"month": "2026-11", "amount_fen": 158000}, bn)
    alive = await pending("accounting", "rent.collection", {"month": "2026-11"}, bn + "L")
    t = await token("gov_admin")
    r = await api.get(f"{BASE}/dead-letters", t, params={"q": bn})
    items = r.json()["items"]
    assert [i["id"] for i in items] == [row.id]
    assert items[0]["attempts"] == 8 and "封装失败" in items[0]["last_error"]
    assert alive.id not in [i["id"] for i in items]

    login, password, _ = await new_staff(permissions=["exchange.message.read"])
    reader = await api.login(login, password)
    assert (await api.post(f"{BASE}/messages/{row.id}/replay", reader)).status_code == 403

    r = await api.post(f"{BASE}/messages/{row.id}/replay", t)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
    db = await ExchangeMessage.get(id=row.id)
    assert (db.status, db.attempts, db.finished_at) == ("pending", 0, None)
    log = await AuditLog.filter(action="exchange.replay", object_id=str(row.id)).first()
    assert log.actor_name == "王建华" and log.before["status"] == "dead" and log.after["status"] == "pending"
    assert (await api.get(f"{BASE}/dead-letters", t, params={"q": bn})).json()["total"] == 0

    r = await api.post(f"{BASE}/messages/{row.id}/replay", t)
    assert r.status_code == 409 and r.json()["error"]["code"] == "NOT_DEAD_LETTER"
    r = await api.post(f"{BASE}/messages/{alive.id}/replay", t)
    assert r.status_code == 409


@pytest.mark.feature("SYS-10", "INT-14")
async def test_stats_count_per_partner_type_and_status_with_latency(api, token):
    t = await token("gov_admin")
    before = (await api.get(f"{BASE}/stats", t)).json()
    kr = keyring()
    current_actor.set(SystemActor())
    for i in range(3):
        h = Header(sender=ac.PARTNER, receiver=PLATFORM, partner=ac.PARTNER, type=ac.T_ACCESS_EVENTS,
                   key_id=kr.active_key_id(ac.PARTNER))
        ev = {"event_id": f"{tag()}-{i}", "person_id_number": make_id_number(), "door": "东门",
              "community_code": "C001", "occurred_at": "2026-11-26T08:00:00+08:00", "direction": "in"}
        assert await inbox.receive(seal(h, {"events": [ev]}, kr), kr, redis()) == "applied"
    current_actor.set(None)

    r = await api.get(f"{BASE}/stats", t)
    assert r.status_code == 200
    s = r.json()
    assert {p["code"] for p in s["partners"]} >= set(PARTNERS)
    door = next(p for p in s["partners"] if p["code"] == ac.PARTNER)
    old = next(p for p in before["partners"] if p["code"] == ac.PARTNER)
    assert door["name"] == "门禁监控" and door["feature"] == "INT-14"
    assert door["in"] == old["in"] + 3
    assert door["by_status"].get("applied", 0) == old["by_status"].get("applied", 0) + 3
    assert door["in_p50_ms"] is not None and door["in_p99_ms"] >= door["in_p50_ms"]
    cell = next(x for x in s["rows"] if x["partner"] == ac.PARTNER and x["type"] == ac.T_ACCESS_EVENTS
                and x["status"] == "applied")
    assert cell["count"] >= 3 and cell["partner_name"] == "门禁监控"
    assert s["statuses"]["dead"] == "死信"

    for bad in ("0", "721", "x"):
        r = await api.get(f"{BASE}/stats", t, params={"hours": bad})
        assert r.status_code == 422, bad


async def test_an_existing_database_gives_the_city_admin_role_the_new_codes(api, token):
    city = await Org.get(name=seed.CITY[0])
    role = await Role.get(org_id=city.id, name="系统管理员")
    role.permissions = [c for c in role.permissions if not c.startswith("exchange.")]
    await role.save()
    current_actor.set(SystemActor())
    try:
        await seed.seed()
    finally:
        current_actor.set(None)
    role = await Role.get(id=role.id)
    assert {"exchange.message.read", "exchange.message.replay"} <= set(role.permissions)
    assert await AuditLog.filter(action="role.update", object_id=str(role.id), summary__contains="补充").exists()
    me = (await api.get("/api/v1/auth/me", await api.login("gov_admin"))).json()
    assert any(m["code"] == "exchange.monitor" and m["path"] == "/exchange" for m in me["menus"])


@pytest.mark.feature("SYS-10", "REA-01")
async def test_rows_carry_chinese_names_and_a_readable_error_with_the_codes_kept_for_the_detail(api, token):
    """A 楼盘表 query the trading system answered with [SYSTEM_BUSY] 忙, recorded as the client records it."""
    bn = tag()
    kr = keyring()
    h = Header(sender=PLATFORM, receiver=rea.PARTNER, partner=rea.PARTNER, type=rea.T_UNIT_TABLE_QUERY,
               key_id=kr.active_key_id(rea.PARTNER), business_no=bn)
    await journal.record("request", h, {"body": {"project_code": "JM-2026-001"}})
    await journal.record("partner_error", h, {"reply": {"ok": False, "error": {"code": "SYSTEM_BUSY", "message": "忙"}},
                                              "latency_ms": 35})
    t = await token("gov_admin")
    r = await api.get(f"{BASE}/messages", t, params={"business_no": bn})
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert (item["type"], item["type_name"]) == ("unit_table.query", "楼盘表查询")
    assert (item["partner_name"], item["status_name"], item["direction_name"]) == ("房地产交易系统", "失败", "发送")
    assert item["error_text"] == "房地产交易系统繁忙，暂时无法处理，请稍后再试"
    assert (item["error_code"], item["error_name"], item["last_error"]) == ("SYSTEM_BUSY", "对方系统繁忙", "忙")
    db = await ExchangeMessage.get(id=item["id"])
    assert (db.status, db.error_code, db.last_error) == ("failed", "SYSTEM_BUSY", "忙")

    d = (await api.get(f"{BASE}/messages/{item['id']}", t)).json()
    assert d["type_name"] == "楼盘表查询" and d["error_code"] == "SYSTEM_BUSY" and d["reply"]["error"]["message"] == "忙"

    # The export is in Chinese: names, not codes.
    r = await api.get(f"{BASE}/messages", t, params={"business_no": bn, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    header, values = [c.value for c in ws[1]], [c.value for c in ws[2]]
    assert values[header.index("报文类型")] == "楼盘表查询" and values[header.index("状态")] == "失败"
    assert values[header.index("错误说明")] == "房地产交易系统繁忙，暂时无法处理，请稍后再试"
    assert not {"unit_table.query", "SYSTEM_BUSY", "real_estate_trading"} & {str(v) for v in values}

    # The statistics and the partner list carry the names for the cards, filters and breakdown.
    s = (await api.get(f"{BASE}/stats", t)).json()
    assert s["types"]["access.events"] == "门禁通行记录" and s["errors"]["SYSTEM_BUSY"] == "对方系统繁忙"
    cell = next(x for x in s["rows"] if x["type"] == "unit_table.query" and x["status"] == "failed")
    assert cell["type_name"] == "楼盘表查询"
    trading = next(p for p in s["partners"] if p["code"] == rea.PARTNER)
    assert trading["interface_name"] == "双向接口"
    p = (await api.get(f"{BASE}/partners", t)).json()
    assert {"code": "unit_table.query", "name": "楼盘表查询"} in p["types"]
    assert all(i["interface_name"] for i in p["items"])
