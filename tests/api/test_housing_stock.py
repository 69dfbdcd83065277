"""Housing stock over HTTP: communities → buildings → units, the unit list and card, the graphic unit
table, lock/unlock (with a real race), the unit KPI cards, and data scope for every caller.

Builders see what they build, operators what they serve, a district its district: by list, by id,
by export and by write. Rows are made straight in the database (a project, its community, a
building and units) where a test is about reading them; the intake tests make them the real way.
"""
from __future__ import annotations

import asyncio
import io
import os
import re
import secrets
from decimal import Decimal

import asyncpg
import pytest
from openpyxl import load_workbook

from app.core.db import conn
from app.core.lists import invalidate_counts
from app.core.models import AuditLog
from app.domains.housing.projects.models import Project
from app.domains.housing.stock.models import Building, Community, Entrance, Unit, UnitHistory
from app.identity.models import Org

PJ, JH, HS = "440703", "440704", "440784"
ORGS = {"builder": "江门市安居建设有限公司", "hs": "鹤山市城建开发有限公司", "operator": "江门市保障房运营管理有限公司",
        "xh": "新会区安居物业服务有限公司"}
BASE = "/api/v1/housing"


def tag() -> str:
    return secrets.token_hex(3)


async def org(key: str) -> Org:
    return await Org.get(name=ORGS[key])


async def make_project(builder: str = "builder", district: str = PJ, operator: str | None = "operator") -> Project:
    code = f"XMBH-T{tag()}"
    return await Project.create(code=code, name=f"测试项目{code[-6:]}", district_code=district, address="江门市测试路1号",
                                builder_id=(await org(builder)).id,
                                operator_id=(await org(operator)).id if operator else None,
                                supply_mode="new_build", state="recognized")


async def make_stock(builder: str = "builder", district: str = PJ, operator: str | None = "operator",
                     floors: int = 3, per_floor: int = 2, state: str = "available") -> dict:
    """A project with one community, one building and floors × per_floor units in `state`."""
    p = await make_project(builder, district, operator)
    cols = {"district_code": p.district_code, "builder_id": p.builder_id, "operator_id": p.operator_id}
    c = await Community.create(name=f"测试小区{tag()}", address="江门市测试路1号", project_id=p.id, **cols)
    b = await Building.create(community_id=c.id, name="1栋", floors=floors, project_id=p.id, **cols)
    e = await Entrance.create(building_id=b.id, name="1单元", sort_order=1)
    us = []
    for f in range(1, floors + 1):
        for i in range(1, per_floor + 1):
            us.append(await Unit.create(
                building_id=b.id, entrance_id=e.id, community_id=c.id, project_id=p.id, floor=f, number=f"{f}{i:02d}",
                layout="两房一厅" if i % 2 else "一房一厅", area=Decimal("68.90") if i % 2 else Decimal("45.60"),
                rent_standard_fen=158000 if i % 2 else 98000, state=state, **cols))
    await invalidate_counts("unit")
    return {"project": p, "community": c, "building": b, "entrance": e, "units": us}


def zh(r) -> str:  # noqa: ANN001
    msg = r.json()["error"]["message"]
    assert re.search(r"[\u4e00-\u9fff]", msg), msg
    return msg


async def audits(action: str, object_id: object) -> int:
    return await AuditLog.filter(action=action, object_id=str(object_id)).count()


# ---------------------------------------------------------------- communities (GOV-06-01, BLD-02-01, OPS-04-01)

@pytest.mark.feature("BLD-02-01", "GOV-06-01")
async def test_builder_adds_a_community_of_its_project_with_buildings_copied_down(api, token):
    t = await token("builder_admin")
    p = await make_project("builder", PJ, "operator")
    r = await api.post(f"{BASE}/communities", t, json={"name": f"滨江花园{tag()}", "address": "蓬江区白沙大道1号",
                                                        "project_id": p.id, "district_code": PJ})
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["district_code"], c["builder_id"], c["operator_id"], c["project_id"]) == \
        (PJ, p.builder_id, p.operator_id, p.id)
    assert c["builder_name"] == ORGS["builder"] and c["operator_name"] == ORGS["operator"]
    assert c["buildings"] == [] and c["unit_count"] == 0
    assert await audits("housing.community.create", c["id"]) == 1

    r = await api.post(f"{BASE}/communities/{c['id']}/buildings", t,
                       json={"name": "1栋", "floors": 6, "entrances": ["1单元", "2单元", "1单元"]})
    assert r.status_code == 201, r.text
    b = r.json()
    assert [e["name"] for e in b["entrances"]] == ["1单元", "2单元"]
    assert [f["floor"] for f in b["floors"]] == [6, 5, 4, 3, 2, 1]
    row = await Building.get(id=b["id"])
    assert (row.district_code, row.builder_id, row.operator_id, row.project_id) == (PJ, p.builder_id, p.operator_id, p.id)
    r = await api.post(f"{BASE}/communities/{c['id']}/buildings", t, json={"name": "1栋", "floors": 3})
    assert r.status_code == 409 and "已有楼栋" in zh(r)

    # Another builder's project cannot be linked, nor another builder named.
    hs_p = await make_project("hs", HS, None)
    r = await api.post(f"{BASE}/communities", t, json={"name": "越权小区", "address": "x", "project_id": hs_p.id})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"project_id": "项目不存在或无权使用"}
    r = await api.post(f"{BASE}/communities", t, json={"name": "越权小区", "address": "x", "district_code": PJ,
                                                        "builder_id": (await org("hs")).id})
    assert r.status_code == 403 and "本单位" in zh(r)
    assert not await Community.filter(name="越权小区").exists()

    # Edits are audited; renaming within the district onto an existing name is refused.
    r = await api.put(f"{BASE}/communities/{c['id']}", t, json={"description": "临江", "lng_bd09": "113.080000"})
    assert r.status_code == 200 and r.json()["description"] == "临江" and r.json()["lng_bd09"] == "113.080000"
    assert await audits("housing.community.update", c["id"]) == 1


@pytest.mark.feature("GOV-06-01")
async def test_moving_a_community_to_another_project_rewrites_buildings_and_units(api, token):
    s = await make_stock("builder", PJ, "operator")
    other = await make_project("builder", PJ, "xh")
    t = await token("gov_admin")
    r = await api.put(f"{BASE}/communities/{s['community'].id}", t, json={"project_id": other.id})
    assert r.status_code == 200, r.text
    xh = (await org("xh")).id
    assert r.json()["operator_id"] == xh and r.json()["project_id"] == other.id
    assert set(await Unit.filter(community_id=s["community"].id).values_list("operator_id", flat=True)) == {xh}
    assert (await Building.get(id=s["building"].id)).operator_id == xh
    # Now the new operator sees the units, the old one does not.
    u = s["units"][0].id
    assert (await api.get(f"{BASE}/units/{u}", await token("xh_operator_admin"))).status_code == 200
    assert (await api.get(f"{BASE}/units/{u}", await token("operator_admin"))).status_code == 404
    # A linked community's orgs follow the project and cannot be set alone.
    r = await api.put(f"{BASE}/communities/{s['community'].id}", t, json={"operator_id": (await org("operator")).id})
    assert r.status_code == 422 and "随项目" in zh(r)


@pytest.mark.feature("GOV-06-01", "BLD-02-01", "OPS-04-01")
async def test_deleting_a_community_or_building_with_units_is_refused_with_the_reason(api, token):
    s = await make_stock(floors=2, per_floor=2)
    t = await token("builder_admin")
    cid, bid = s["community"].id, s["building"].id
    r = await api.delete(f"{BASE}/communities/{cid}", t)
    assert r.status_code == 409 and r.json()["error"]["code"] == "COMMUNITY_HAS_UNITS"
    assert "还有4套房屋" in zh(r)
    r = await api.delete(f"{BASE}/buildings/{bid}", t)
    assert r.status_code == 409 and r.json()["error"]["code"] == "BUILDING_HAS_UNITS"
    r = await api.delete(f"{BASE}/entrances/{s['entrance'].id}", t)
    assert r.status_code == 409 and "还有4套房屋" in zh(r)
    assert await Community.filter(id=cid).exists() and await Building.filter(id=bid).exists()
    # Floors cannot shrink below a unit.
    r = await api.put(f"{BASE}/buildings/{bid}", t, json={"floors": 1})
    assert r.status_code == 422 and "不能少于2" in r.json()["error"]["fields"]["floors"]
    # Without units both go, empty buildings with the community.
    await Unit.filter(community_id=cid).delete()
    await Building.create(community_id=cid, name="2栋", floors=3, district_code=PJ)
    r = await api.delete(f"{BASE}/communities/{cid}", t)
    assert r.status_code == 200, r.text
    assert not await Community.filter(id=cid).exists() and not await Building.filter(community_id=cid).exists()
    assert await audits("housing.community.delete", cid) == 1


@pytest.mark.feature("GOV-06-01", "BLD-02-01", "OPS-04-01")
async def test_browse_level_by_level_with_counts_by_state(api, token):
    s = await make_stock(floors=3, per_floor=2)
    await Unit.filter(id=s["units"][0].id).update(state="locked")
    t = await token("operator_admin")
    r = await api.get(f"{BASE}/communities?id={s['community'].id}", t)
    row = r.json()["items"][0]
    assert row["unit_count"] == 6 and row["counts"] == {"available": 5, "locked": 1} and row["building_count"] == 1
    r = await api.get(f"{BASE}/communities/{s['community'].id}", t)
    assert r.status_code == 200
    b = r.json()["buildings"][0]
    assert b["id"] == s["building"].id and b["counts"] == {"available": 5, "locked": 1}
    r = await api.get(f"{BASE}/communities/{s['community'].id}/buildings", t)
    assert [x["id"] for x in r.json()["items"]] == [s["building"].id]
    r = await api.get(f"{BASE}/buildings/{s['building'].id}", t)
    d = r.json()
    assert d["entrances"][0]["name"] == "1单元" and d["entrances"][0]["unit_count"] == 6
    assert [f["floor"] for f in d["floors"]] == [3, 2, 1]
    assert d["floors"][2] == {"floor": 1, "total": 2, "counts": {"locked": 1, "available": 1}}
    assert d["table_url"].endswith(f"/buildings/{s['building'].id}/table")
    r = await api.get(f"{BASE}/units?building_id={s['building'].id}&floor=1&sort=number", t)
    assert [u["number"] for u in r.json()["items"]] == ["101", "102"]


# ---------------------------------------------------------------- scope, every way in

@pytest.mark.feature("BLD-02-01", "BLD-02-02", "OPS-04-01", "OPS-04-02", "GOV-06-01", "GOV-06-02")
async def test_each_caller_sees_only_its_own_stock_by_list_id_export_and_write(api, token):
    mine = await make_stock("builder", PJ, "operator")
    theirs = await make_stock("hs", HS, "xh")
    jh = await make_stock("builder", JH, None)
    cases = {  # caller -> (stock it must see, stock it must not)
        "builder_admin": ([mine, jh], [theirs]),
        "hs_builder_admin": ([theirs], [mine, jh]),
        "operator_admin": ([mine], [theirs, jh]),
        "xh_operator_admin": ([theirs], [mine, jh]),
        "pj_clerk": ([mine], [theirs, jh]),
        "gov_admin": ([mine, theirs, jh], []),
    }
    for who, (seen, unseen) in cases.items():
        t = await token(who)
        r = await api.get(f"{BASE}/communities?page_size=200&sort=-id", t)
        ids = {c["id"] for c in r.json()["items"]}
        r = await api.get(f"{BASE}/units?page_size=200&sort=-id", t)
        unit_ids = {u["id"] for u in r.json()["items"]}
        r = await api.get(f"{BASE}/units?format=xlsx&community_id__in="
                          + ",".join(str(s["community"].id) for s in [mine, theirs, jh]), t)
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).active
        col = [c.value for c in ws[1]].index("小区")
        exported = {row[col] for row in ws.iter_rows(min_row=2, values_only=True)}
        for s in seen:
            assert s["community"].id in ids, who
            assert {u.id for u in s["units"]} <= unit_ids, who
            assert s["community"].name in exported, who
            assert (await api.get(f"{BASE}/buildings/{s['building'].id}/table", t)).status_code == 200, who
        for s in unseen:
            assert s["community"].id not in ids, who
            assert not {u.id for u in s["units"]} & unit_ids, who
            assert s["community"].name not in exported, who
            for path in (f"/communities/{s['community'].id}", f"/communities/{s['community'].id}/buildings",
                         f"/buildings/{s['building'].id}", f"/buildings/{s['building'].id}/table",
                         f"/units/{s['units'][0].id}", f"/units/{s['units'][0].id}/history"):
                r = await api.get(BASE + path, t)
                assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", (who, path, r.text)


@pytest.mark.feature("BLD-02-01", "OPS-04-01")
async def test_writes_outside_scope_change_nothing_and_write_no_audit(api, token):
    theirs = await make_stock("hs", HS, "xh")
    c, b, u = theirs["community"], theirs["building"], theirs["units"][0]
    tokens = {who: await token(who) for who in ("builder_admin", "operator_admin", "pj_supervisor")}
    n = await AuditLog.all().count()
    for who, t in tokens.items():
        attempts = [
            ("PUT", f"/communities/{c.id}", {"name": "越权改名"}),
            ("DELETE", f"/communities/{c.id}", None),
            ("POST", f"/communities/{c.id}/buildings", {"name": "越权楼", "floors": 3}),
            ("PUT", f"/buildings/{b.id}", {"name": "越权楼"}),
            ("DELETE", f"/buildings/{b.id}", None),
            ("POST", f"/buildings/{b.id}/entrances", {"name": "9单元"}),
            ("PUT", f"/entrances/{theirs['entrance'].id}", {"name": "9单元"}),
            ("DELETE", f"/entrances/{theirs['entrance'].id}", None),
            ("POST", f"/units/{u.id}/lock", {"reason": "越权锁定"}),
            ("POST", f"/units/{u.id}/change-cases", {"changes": {"layout": "三房两厅"}, "reason": "越权"}),
        ]
        for method, path, body in attempts:
            r = await api.client.request(method, BASE + path, headers=api._h(t), **({"json": body} if body else {}))
            assert r.status_code in (403, 404), (who, method, path, r.status_code, r.text)
    assert (await Community.get(id=c.id)).name == c.name and (await Building.get(id=b.id)).name == "1栋"
    assert (await Unit.get(id=u.id)).state == "available" and not await Entrance.filter(name="9单元").exists()
    assert await AuditLog.all().count() == n


# ---------------------------------------------------------------- the unit list (GOV-06-02 list view)

@pytest.mark.feature("GOV-06-02", "BLD-02-02", "OPS-04-02")
async def test_unit_list_combined_filters_and_export(api, token):
    s = await make_stock(floors=4, per_floor=2)
    t = await token("gov_clerk")
    cid = s["community"].id
    r = await api.get(f"{BASE}/units?community_id={cid}&layout=两房一厅&floor__gte=2&area__gte=60&"
                      f"rent_standard__lte=1600&state__in=available,locked&sort=-floor", t)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [u["number"] for u in body["items"]] == ["401", "301", "201"] and body["total"] == 3
    u = body["items"][0]
    assert u["area"] == "68.90" and u["rent_standard"] == "1580.00" and u["state_name"] == "可配租"
    assert u["community_name"] == s["community"].name and u["building_name"] == "1栋" and u["entrance_name"] == "1单元"
    r = await api.get(f"{BASE}/units?community_id={cid}&q=102", t)
    assert [x["number"] for x in r.json()["items"]] == ["102"]
    r = await api.get(f"{BASE}/units?community_id={cid}&area__lte=50&residential=1&page_size=2", t)
    assert r.json()["total"] == 4 and len(r.json()["items"]) == 2
    r = await api.get(f"{BASE}/units?community_id={cid}&rent_standard__gte=1000&format=xlsx", t)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    head = [c.value for c in ws[1]]
    assert head[:4] == ["所属区", "小区", "楼栋", "单元"] and "租金标准（元/月）" in head
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4 and {row[head.index("状态")] for row in rows} == {"可配租"}
    for bad in ("area__gte=大", "floor__gte=x", "state=gone&format=pdf", "colour=red", "rent_standard__lte=1.234"):
        r = await api.get(f"{BASE}/units?{bad}", t)
        assert r.status_code == 422, (bad, r.text)
        zh(r)


@pytest.mark.feature("GOV-06-02")
async def test_unit_list_total_is_reused_until_the_unit_epoch_moves(api, token):
    s = await make_stock(floors=1, per_floor=2)
    t = await token("gov_clerk")
    url = f"{BASE}/units?building_id={s['building'].id}"
    assert (await api.get(url, t)).json()["total"] == 2
    u = s["units"][0]
    await Unit.create(building_id=u.building_id, entrance_id=u.entrance_id, community_id=u.community_id,
                      project_id=u.project_id, floor=1, number="199", layout="一房一厅", area=Decimal("40"),
                      state="available", district_code=u.district_code, builder_id=u.builder_id,
                      operator_id=u.operator_id)
    body = (await api.get(url, t)).json()
    assert body["total"] == 2 and len(body["items"]) == 3  # the page is live; the total came from the cache
    await invalidate_counts("unit")  # what every unit write does
    assert (await api.get(url, t)).json()["total"] == 3


# ---------------------------------------------------------------- the unit card (SYS-03)

@pytest.mark.feature("SYS-03", "GOV-06-02")
async def test_unit_card_shows_basic_data_history_repairs_and_honest_empty_tabs(api, token):
    s = await make_stock(floors=1, per_floor=1)
    u = s["units"][0]
    op = await token("operator_admin")
    r = await api.post("/api/v1/cases", op, json={
        "case_type": "repair", "district_code": PJ, "org_id": (await org("operator")).id,
        "applicant": {"kind": "PERSON", "name": "黄丽", "id_number": "440703199001011239"},
        "subjects": {"unit_id": u.id}, "form": {"location": "卫生间", "category": "水电", "description": "漏水"},
        "submit": True})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = await api.get(f"{BASE}/units/{u.id}", op)
    assert r.status_code == 200, r.text
    card = r.json()
    assert card["unit"]["number"] == "101" and card["unit"]["community_name"] == s["community"].name
    assert card["tenancy"] == {"available": False, "note": "租赁合同管理上线后显示", "items": []}
    assert card["rent_records"]["available"] is False and card["rent_records"]["items"] == []
    rep = card["repair_records"]
    assert rep["available"] is True and [x["number"] for x in rep["items"]] == [number]
    assert rep["items"][0]["category"] == "水电" and "applicant_name" not in rep["items"][0]
    assert card["can_lock"] is True and card["can_unlock"] is False
    # The builder reads the same card but may not lock.
    r = await api.get(f"{BASE}/units/{u.id}", await token("builder_admin"))
    assert r.status_code == 200 and r.json()["can_lock"] is False


# ---------------------------------------------------------------- lock / unlock

@pytest.mark.feature("GOV-06-01", "OPS-04-01")
async def test_operator_locks_and_unlocks_with_reason_history_and_audit(api, token):
    s = await make_stock(floors=1, per_floor=2)
    u = s["units"][0]
    t = await token("operator_admin")
    table = (await api.get(f"{BASE}/buildings/{s['building'].id}/table", t)).json()
    assert table["counts"] == {"available": 2}
    r = await api.post(f"{BASE}/units/{u.id}/lock", t, json={"reason": "预留给人才引进", "row_version": 1})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "locked" and r.json()["lock_reason"] == "预留给人才引进" and r.json()["row_version"] == 2
    row = await Unit.get(id=u.id)
    assert row.state == "locked" and row.locked_by_id is not None and row.locked_at is not None
    # The table shows it at once (the cache keys itself on the rows).
    table = (await api.get(f"{BASE}/buildings/{s['building'].id}/table", t)).json()
    assert table["counts"] == {"available": 1, "locked": 1}
    cell = next(x for f in table["floors"] for x in f["units"] if x["id"] == u.id)
    assert cell["state"] == "locked"
    r = await api.post(f"{BASE}/units/{u.id}/lock", t, json={"reason": "再锁一次"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "UNIT_ALREADY_LOCKED"
    r = await api.post(f"{BASE}/units/{u.id}/unlock", t, json={"reason": "人才已入住他处", "row_version": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"
    r = await api.post(f"{BASE}/units/{u.id}/unlock", t, json={"reason": "人才已入住他处"})
    assert r.status_code == 200 and r.json()["state"] == "available" and r.json()["lock_reason"] is None
    r = await api.post(f"{BASE}/units/{u.id}/unlock", t, json={})
    assert r.status_code == 409 and r.json()["error"]["code"] == "UNIT_NOT_LOCKED"
    hist = (await api.get(f"{BASE}/units/{u.id}/history", t)).json()["items"]
    assert [(h["action"], h["action_name"]) for h in hist] == [("unlock", "解锁"), ("lock", "锁定")]
    assert hist[1]["reason"] == "预留给人才引进" and hist[1]["after"]["state"] == "locked"
    assert await audits("housing.unit.lock", u.id) == 1 and await audits("housing.unit.unlock", u.id) == 1
    # No reason, no lock; an allocated or not-yet-stocked unit cannot be locked; builders may not lock.
    r = await api.post(f"{BASE}/units/{u.id}/lock", t, json={"reason": ""})
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    await Unit.filter(id=s["units"][1].id).update(state="allocated")
    r = await api.post(f"{BASE}/units/{s['units'][1].id}/lock", t, json={"reason": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "UNIT_ALLOCATED" and "已配租" in zh(r)
    r = await api.post(f"{BASE}/units/{u.id}/lock", await token("builder_admin"), json={"reason": "x"})
    assert r.status_code == 403 and "房屋锁定与解锁" in zh(r)
    assert (await Unit.get(id=u.id)).state == "available"


@pytest.mark.feature("GOV-06-01", "OPS-04-01")
async def test_racing_lockers_exactly_one_wins(api, token):
    s = await make_stock(floors=1, per_floor=1)
    u = s["units"][0]
    tokens = [await token("operator_admin"), await token("pj_supervisor"), await token("gov_admin")] * 3
    rs = await asyncio.gather(*(api.post(f"{BASE}/units/{u.id}/lock", t, json={"reason": f"并发锁定{i}"})
                                for i, t in enumerate(tokens)))
    codes = sorted(r.status_code for r in rs)
    assert codes == [200] + [409] * (len(tokens) - 1), [r.text for r in rs]
    assert {r.json()["error"]["code"] for r in rs if r.status_code == 409} == {"UNIT_ALREADY_LOCKED"}
    row = await Unit.get(id=u.id)
    assert row.state == "locked" and row.row_version == 2
    assert await UnitHistory.filter(unit_id=u.id, action="lock").count() == 1
    assert await audits("housing.unit.lock", u.id) == 1


@pytest.mark.feature("GOV-06-01", "OPS-04-01")
async def test_a_deadlock_in_one_building_is_a_clear_retry_and_writes_nothing(api, token):
    # Every unit write also bumps its building's table version, so two transactions writing units of
    # one building in opposite orders can deadlock. PostgreSQL breaks it by rolling one back; the
    # clerk whose request lost gets a Chinese "retry" and nothing of it is kept.
    s = await make_stock(floors=1, per_floor=2)
    x, y = s["units"]
    t = await token("operator_admin")
    other = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("SET LOCAL deadlock_timeout = '20s'")  # so the API request is the one rolled back
        await other.execute("UPDATE unit SET floor = floor WHERE id = $1", x.id)  # holds x and the building
        lock = asyncio.create_task(api.post(f"{BASE}/units/{y.id}/lock", t, json={"reason": "预留"}))
        for _ in range(100):  # until the request waits for the building row
            if await other.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    " AND pid <> pg_backend_pid()"):
                break
            await asyncio.sleep(0.05)
        waiting_on_y = asyncio.create_task(other.execute("UPDATE unit SET floor = floor WHERE id = $1", y.id))
        r = await lock
        await waiting_on_y
        await tx.rollback()
    finally:
        await other.close()
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONTENDED", r.text
    assert "重试" in zh(r)
    row = await Unit.get(id=y.id)
    assert row.state == "available" and row.row_version == 1
    assert await UnitHistory.filter(unit_id=y.id).count() == 0 and await audits("housing.unit.lock", y.id) == 0
    r = await api.post(f"{BASE}/units/{y.id}/lock", t, json={"reason": "预留"})
    assert r.status_code == 200 and r.json()["state"] == "locked"


@pytest.mark.feature("GOV-06-01", "OPS-04-01")
async def test_a_unit_held_by_a_long_transaction_answers_retry_instead_of_hanging(api, token):
    # e.g. a 10,000-row import holding the building: past DB_LOCK_TIMEOUT_MS (5 s) the clerk hears so.
    s = await make_stock(floors=1, per_floor=1)
    u = s["units"][0]
    other = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        async with other.transaction():
            await other.execute("SELECT 1 FROM unit WHERE id = $1 FOR UPDATE", u.id)
            r = await api.post(f"{BASE}/units/{u.id}/lock", await token("operator_admin"), json={"reason": "预留"})
    finally:
        await other.close()
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONTENDED", r.text
    assert "重试" in zh(r)
    assert (await Unit.get(id=u.id)).state == "available" and await audits("housing.unit.lock", u.id) == 0


# ---------------------------------------------------------------- the graphic unit table

@pytest.mark.feature("GOV-06-02", "BLD-02-02", "OPS-04-02")
async def test_unit_table_is_one_picture_of_floors_units_counts_and_legend(api, token):
    s = await make_stock(floors=5, per_floor=3)
    b = s["building"]
    await Building.filter(id=b.id).update(basement_floors=1)
    await Unit.filter(building_id=b.id, floor=5).update(state="locked")
    await Unit.filter(id=s["units"][0].id).update(state="allocated", row_version=5)
    t = await token("builder_admin")
    r = await api.get(f"{BASE}/buildings/{b.id}/table", t)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    d = r.json()
    assert d["building"]["name"] == "1栋" and d["building"]["community_name"] == s["community"].name
    assert d["building"]["district_name"] == "蓬江区" and d["entrances"] == [{"id": s["entrance"].id, "name": "1单元"}]
    assert [f["floor"] for f in d["floors"]] == [5, 4, 3, 2, 1, -1]
    assert [u["number"] for u in d["floors"][0]["units"]] == ["501", "502", "503"]
    assert d["floors"][-1]["units"] == [] and d["columns"] == 3 and d["total"] == 15
    assert d["counts"] == {"available": 11, "allocated": 1, "locked": 3}
    assert set(d["floors"][0]["units"][0]) >= {"id", "number", "state", "layout", "area", "entrance_id", "residential"}
    assert [x["state"] for x in d["legend"]][:2] == ["not_in_stock", "available"]
    # Renaming the community or an entrance shows too: the cache key covers them.
    await Entrance.filter(id=s["entrance"].id).update(name="甲单元")
    d2 = (await api.get(f"{BASE}/buildings/{b.id}/table", t)).json()
    assert d2["entrances"][0]["name"] == "甲单元" and d2["version"] != d["version"]
    r = await api.get(f"{BASE}/buildings/999999999/table", t)
    assert r.status_code == 404 and zh(r)


@pytest.mark.feature("GOV-06-02", "BLD-02-02")
async def test_unit_table_follows_every_write_and_is_sent_compressed_and_revalidated(api, token):
    s = await make_stock(floors=2, per_floor=2)
    b, url = s["building"], f"{BASE}/buildings/{s['building'].id}/table"
    t = await token("builder_admin")

    async def get(tok: str, **headers: str):  # noqa: ANN202
        return await api.client.get(url, headers={"Authorization": f"Bearer {tok}", **headers})

    r = await get(t, **{"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip" and r.json()["counts"] == {"available": 4}
    etag = r.headers["etag"]
    assert "no-cache" in r.headers["cache-control"] and "no-store" not in r.headers["cache-control"]
    # Unchanged: a 304 with no body, after the scope check.
    r = await get(t, **{"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    other = await token("hs_builder_admin")
    r = await get(other, **{"If-None-Match": etag})
    assert r.status_code == 404 and zh(r)
    # A write by raw SQL, past the ORM, still moves the table on: the version is kept by triggers.
    before = (await Building.get(id=b.id)).table_version
    await conn().execute_query("UPDATE unit SET state = 'repairing' WHERE id = $1", [s["units"][0].id])
    assert (await Building.get(id=b.id)).table_version == before + 1
    r = await get(t, **{"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert r.json()["counts"] == {"available": 3, "repairing": 1}
    await conn().execute_query("DELETE FROM unit WHERE id = $1", [s["units"][1].id])
    assert (await api.get(url, t)).json()["counts"] == {"available": 2, "repairing": 1}


# ---------------------------------------------------------------- KPI cards

@pytest.mark.feature("GOV-01-01", "OPS-01-01")
async def test_unit_cards_count_the_callers_stock(api, token):
    await make_stock("hs", HS, "xh", floors=2, per_floor=2)
    await make_stock("builder", PJ, "operator", floors=1, per_floor=1, state="not_in_stock")

    async def cards(who: str) -> dict:
        r = await api.get("/api/v1/dashboard/kpis", await token(who))
        assert r.status_code == 200, r.text
        return {c["key"]: c for c in r.json()["cards"]}

    for who, org_key, col in (("hs_builder_admin", "hs", "builder_id"), ("operator_admin", "operator", "operator_id")):
        c = await cards(who)
        qs = Unit.filter(**{col: (await org(org_key)).id})
        assert c["units_total"]["value"] == await qs.exclude(state="not_in_stock").count() > 0
        assert c["units_allocated"]["value"] == await qs.filter(state="allocated").count()
        assert c["units_unallocated"]["value"] == await qs.filter(state="available").count()
        assert c["units_total"]["available"] is True and c["units_total"]["unit"] == "套"
        assert c["units_unallocated"]["link"] == "/units?state=available"
    c = await cards("gov_admin")
    assert c["units_total"]["value"] == await Unit.exclude(state="not_in_stock").count()
