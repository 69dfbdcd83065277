"""工作台指标 (GOV-01-01 gov dashboard, OPS-01-01 operator dashboard): the KPI card mechanism."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.dashboard import kpis
from app.dashboard import pending  # noqa: F401 - the same cards the server registers
from app.identity.scope import Actor

pytestmark = pytest.mark.feature("GOV-01-01", "OPS-01-01")

PENDING = ["beneficiary_households", "beneficiary_persons", "arrears_households", "arrears_amount",
           "leases_expiring"]
TITLES = {"beneficiary_households": "保障户数", "beneficiary_persons": "保障人数", "arrears_households": "欠租户数",
          "arrears_amount": "欠租金额", "leases_expiring": "即将到期合同"}


@pytest.mark.parametrize("login", ["gov_admin", "gov_clerk", "pj_clerk", "operator_admin", "builder_admin"])
async def test_cards_for_gov_and_operator_staff(api, token, login):
    r = await api.get("/api/v1/dashboard/kpis", await token(login))
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    by = {c["key"]: c for c in cards}
    # the cards whose data lands later are there, in order, honestly empty
    assert [c["key"] for c in cards if c["key"] in PENDING] == PENDING
    for key in PENDING:
        c = by[key]
        assert c["title"] == TITLES[key]
        assert c["value"] is None and c["available"] is False and c["note"].endswith("上线后显示")
        assert set(c) == {"key", "title", "value", "unit", "link", "available", "note"}
    assert by["arrears_amount"]["unit"] == "元" and by["units_total"]["unit"] == "套"
    # the housing register's cards are real counts now
    assert isinstance(by["units_total"]["value"], int) and by["units_total"]["available"] is True
    assert by["leases_expiring"]["unit"] == "份" and by["beneficiary_persons"]["unit"] == "人"
    # any other card (todo / done from the cases module) has the same shape and a real value
    for c in cards:
        if c["key"] not in PENDING:
            assert set(c) >= {"key", "title", "value", "unit", "link", "available"}
            assert c["available"] is (c["value"] is not None)


async def test_refused_without_the_permission(api, new_staff):
    login, pw, _ = await new_staff(permissions=["identity.org.read"])
    t = await api.login(login, pw)
    r = await api.get("/api/v1/dashboard/kpis", t)
    assert r.status_code == 403 and "工作台指标" in r.json()["error"]["message"]
    assert (await api.get("/api/v1/dashboard/kpis")).status_code == 401
    person = await api.person_login("440703199001011239")
    assert (await api.get("/api/v1/dashboard/kpis", person)).status_code == 403


def _actor(*perms: str) -> Actor:
    return Actor(account_id=1, kind="STAFF", name="测试", scope="CITY", org_kind="GOV",
                 permissions=frozenset({"dashboard.kpi.read", *perms}))


async def test_registry_money_decimals_failures_permissions_and_shared_queries():
    """The mechanism in-process: rendering, a broken card, permission filtering, one query for several cards."""
    loads = []

    async def load_units():
        loads.append(1)
        await asyncio.sleep(0.01)
        return {"total": 120, "allocated": 100}

    @kpis.kpi("t_total", "测试总数", "套", link="/units", order=1)
    async def t_total(actor):  # noqa: ANN001, ANN202
        return (await kpis.shared("units", load_units))["total"]

    @kpis.kpi("t_alloc", "测试已配租", "套", order=2)
    async def t_alloc(actor):  # noqa: ANN001, ANN202
        return (await kpis.shared("units", load_units))["allocated"]

    @kpis.kpi("t_money", "测试金额", "元", order=3)
    async def t_money(actor):  # noqa: ANN001, ANN202
        return 158000

    @kpis.kpi("t_rate", "测试比例", "%", order=4)
    async def t_rate(actor):  # noqa: ANN001, ANN202
        return Decimal("95.5")

    @kpis.kpi("t_broken", "测试出错", "件", order=5)
    async def t_broken(actor):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    @kpis.kpi("t_float", "测试浮点", "件", order=6)
    async def t_float(actor):  # noqa: ANN001, ANN202
        return 1.5  # floats are refused: money and counts are exact

    @kpis.kpi("t_secret", "测试仅主管", "件", order=7, permissions=("case.work.supervise",))
    async def t_secret(actor):  # noqa: ANN001, ANN202
        return 3

    try:
        cards = {c["key"]: c for c in await kpis.cards(_actor())}
        assert cards["t_total"] == {"key": "t_total", "title": "测试总数", "value": 120, "unit": "套",
                                    "link": "/units", "available": True, "note": None}
        assert cards["t_alloc"]["value"] == 100
        assert loads == [1]  # two cards, one query
        assert cards["t_money"]["value"] == "1580.00"
        assert cards["t_rate"]["value"] == "95.5"
        assert cards["t_broken"]["value"] is None and cards["t_broken"]["note"] == "暂时无法计算，请稍后刷新"
        assert cards["t_float"]["available"] is False
        assert "t_secret" not in cards
        keys = [c["key"] for c in await kpis.cards(_actor("case.work.supervise"))]
        assert keys.index("t_total") < keys.index("t_money") < keys.index("t_secret") < keys.index("beneficiary_households")
        # outside a dashboard load shared() simply runs
        n = len(loads)
        assert await t_total(None) == 120 and len(loads) == n + 1

        with pytest.raises(ValueError, match="already registered"):
            @kpis.kpi("t_total", "别的", "套")
            async def other(actor):  # noqa: ANN001, ANN202
                return 1
        with pytest.raises(ValueError, match="admin route"):
            kpis.kpi("t_bad_link", "x", "件", link="https://example.com")(t_secret)
    finally:
        for k in ("t_total", "t_alloc", "t_money", "t_rate", "t_broken", "t_float", "t_secret", "t_bad_link"):
            kpis.unregister(k)
    assert kpis.fen_to_yuan(0) == "0.00" and kpis.fen_to_yuan(5) == "0.05" and kpis.fen_to_yuan(-12345) == "-123.45"
