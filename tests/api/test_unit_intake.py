"""Unit intake and unit change cases over HTTP, on the real case engine and the REA-01 sandbox.

Intake: a draft case, units attached (from the city's unit table, or one by one), submitted,
reviewed and approved; then the units are 可配租 and drawn in the unit table. A rejected case
leaves its units for the next intake. Change: a case naming a unit and the changed fields; on
completion the unit changes and its history keeps before and after.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from app.core.models import AuditLog, Job
from app.domains.housing.stock.models import Building, Community, Unit, UnitHistory
from app.workflow.models import Case, WorkItem
from tests.api.test_housing_stock import BASE, JH, PJ, make_project, make_stock, org, tag, zh


async def open_item(case_id: int, step: str) -> WorkItem:
    return await WorkItem.get(case_id=case_id, step_id=step, status="open")


async def act(api, t: str, case_id: int, step: str, action: str = "approve", opinion: str | None = None):  # noqa: ANN001, ANN201
    item = await open_item(case_id, step)
    return await api.post(f"/api/v1/work-items/{item.id}/act", t,
                          json={"action": action, **({"opinion": opinion} if opinion else {})})


async def draft_intake(api, t: str, org_key: str, district: str, subjects: dict | None = None) -> dict:  # noqa: ANN001
    r = await api.post("/api/v1/cases", t, json={
        "case_type": "unit_intake", "applicant": {"kind": "ORG", "org_id": (await org(org_key)).id},
        "district_code": district, "subjects": subjects or {}, "form": {"note": "保租房房源入库"}, "submit": False})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    return r.json()


async def approve_all(api, token, case_id: int, clerk: str = "pj_clerk", boss: str = "pj_supervisor") -> dict:  # noqa: ANN001
    r = await act(api, await token(clerk), case_id, "first_review")
    assert r.status_code == 200, r.text
    r = await act(api, await token(boss), case_id, "approval")
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- REA-01, end to end

@pytest.mark.feature("GOV-06-03", "GOV-06-04", "BLD-02-03", "BLD-02-04", "GOV-06-02")
async def test_builder_takes_two_buildings_from_the_city_unit_table_into_stock(api, token):
    t = await token("builder_admin")
    p = await make_project("builder", PJ, "operator")
    r = await api.get(f"{BASE}/rea/unit-table", t)
    assert r.status_code == 200 and r.json()["projects"] == [] and "请输入" in r.json()["hint"]
    r = await api.get(f"{BASE}/rea/unit-table?keyword=滨江保障", t)
    assert r.status_code == 200, r.text
    rea = r.json()["projects"]
    assert [x["project_code"] for x in rea] == ["JMP0001"]
    assert [(b["building_code"], b["unit_count"]) for b in rea[0]["buildings"]] == [("JMP0001-B01", 48),
                                                                                   ("JMP0001-B02", 48)]
    assert rea[0]["buildings"][0]["units"][0]["registered"] is None

    case = await draft_intake(api, t, "builder", PJ, {"project_id": p.id})
    cid = case["id"]
    # Nothing attached yet: the case cannot be submitted.
    r = await act(api, t, cid, "submission", "submit")
    assert r.status_code == 422 and "入库套数" in zh(r)

    r = await api.post(f"{BASE}/intakes/{cid}/rea", t, json={"project_code": "JMP0001",
                                                               "building_codes": ["JMP0001-B01", "JMP0001-B02"]})
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["added"], got["reused"], got["skipped"], got["unit_count"]) == (96, 0, [], 96)
    community = await Community.get(id=got["community_id"])
    assert (community.name, community.project_id, community.builder_id, community.operator_id) == \
        ("滨江保障公寓", p.id, p.builder_id, p.operator_id)
    row = await Case.get(id=cid)
    assert row.subjects["community_id"] == community.id and row.form["unit_count"] == 96
    assert row.form["project_name"] == p.name
    units = await Unit.filter(intake_case_id=cid)
    assert len(units) == 96 and {u.state for u in units} == {"not_in_stock"}
    assert {u.builder_id for u in units} == {p.builder_id} and all(len(u.register_id) == 28 for u in units)
    b1 = await Building.get(community_id=community.id, rea_building_code="JMP0001-B01")
    assert (b1.name, b1.floors) == ("1栋", 12)
    # Picking the same building again changes nothing; a foreign code is refused.
    r = await api.post(f"{BASE}/intakes/{cid}/rea", t, json={"project_code": "JMP0001",
                                                               "building_codes": ["JMP0001-B01"]})
    assert r.status_code == 201 and r.json()["unit_count"] == 96 and r.json()["added"] == 0
    r = await api.post(f"{BASE}/intakes/{cid}/rea", t, json={"project_code": "JMP0001", "building_codes": ["X-9"]})
    assert r.status_code == 422 and "X-9" in zh(r)
    summary = (await api.get(f"{BASE}/intakes/{cid}", t)).json()
    assert summary["unit_count"] == 96 and summary["editable"] is True
    assert [(b["name"], b["count"]) for b in summary["buildings"]] == [("1栋", 48), ("2栋", 48)]
    r = await api.get(f"{BASE}/rea/unit-table?project_code=JMP0001", t)
    reg = r.json()["projects"][0]["buildings"][0]["units"][0]["registered"]
    assert reg["state"] == "not_in_stock" and reg["intake_case_id"] == cid

    r = await act(api, t, cid, "submission", "submit")
    assert r.status_code == 200, r.text
    assert (await Case.get(id=cid)).status == "in_review"
    r = await api.post(f"{BASE}/intakes/{cid}/rea", t, json={"project_code": "JMP0001",
                                                               "building_codes": ["JMP0001-B01"]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_NOT_EDITABLE"
    # The builder finds its application in the case query (BLD-02-04); another builder does not.
    r = await api.get("/api/v1/cases?case_type=unit_intake&page_size=200", t)
    assert cid in {c["id"] for c in r.json()["items"]}
    r = await api.get("/api/v1/cases?case_type=unit_intake&page_size=200", await token("hs_builder_admin"))
    assert cid not in {c["id"] for c in r.json()["items"]}
    # Reviewers read the units of the case.
    r = await api.get(f"{BASE}/intakes/{cid}/units?page_size=5&building_id={b1.id}", await token("pj_clerk"))
    assert r.status_code == 200 and r.json()["total"] == 48

    done = await approve_all(api, token, cid)
    assert done["status"] == "complete"
    assert set(await Unit.filter(intake_case_id=cid).values_list("state", flat=True)) == {"available"}
    assert await UnitHistory.filter(case_id=cid, action="intake").count() == 96
    assert await AuditLog.filter(action="housing.unit.intake", object_id=str(cid)).exists()
    for who in ("builder_admin", "operator_admin", "pj_clerk"):
        r = await api.get(f"{BASE}/buildings/{b1.id}/table", await token(who))
        assert r.status_code == 200, (who, r.text)
        d = r.json()
        assert d["counts"] == {"available": 48} and [f["floor"] for f in d["floors"]][0] == 12
        assert [u["number"] for u in d["floors"][-1]["units"]] == ["101", "102", "103", "104"]
    r = await api.get(f"{BASE}/buildings/{b1.id}/table", await token("hs_builder_admin"))
    assert r.status_code == 404


@pytest.mark.feature("GOV-06-03", "GOV-06-04", "BLD-02-03")
async def test_a_rejected_intake_leaves_its_units_for_the_next_one(api, token):
    t = await token("builder_admin")
    p = await make_project("builder", JH, None)
    first = await draft_intake(api, t, "builder", JH, {"project_id": p.id})
    r = await api.post(f"{BASE}/intakes/{first['id']}/rea", t, json={"project_code": "JMP0002",
                                                                       "building_codes": ["JMP0002-B01"]})
    assert r.status_code == 201 and r.json()["added"] == 108, r.text
    # JMP0002's A座 is numbered per entrance: 1单元101 and 2单元101 are both taken in.
    twins = await Unit.filter(intake_case_id=first["id"], number="101").values_list("entrance__name", flat=True)
    assert sorted(twins) == ["1单元", "2单元"]
    r = await api.get(f"{BASE}/intakes/{first['id']}/units", t, params={"number": "101", "sort": "id"})
    assert [u["label"] for u in r.json()["items"]] == ["A座1单元101", "A座2单元101"]
    assert (await act(api, t, first["id"], "submission", "submit")).status_code == 200
    # While the first is open the same units cannot go into a second case.
    second = await draft_intake(api, t, "builder", JH, {"project_id": p.id})
    r = await api.post(f"{BASE}/intakes/{second['id']}/rea", t, json={"project_code": "JMP0002",
                                                                        "building_codes": ["JMP0002-B01"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "NOTHING_TO_ATTACH"
    assert first["number"] in zh(r)
    r = await act(api, await token("gov_clerk"), first["id"], "first_review", "reject", "产权材料不全")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert set(await Unit.filter(intake_case_id=first["id"]).values_list("state", flat=True)) == {"not_in_stock"}
    r = await api.post(f"{BASE}/intakes/{second['id']}/rea", t, json={"project_code": "JMP0002",
                                                                        "register_ids": [], "building_codes":
                                                                        ["JMP0002-B01"]})
    assert r.status_code == 201, r.text
    assert (r.json()["added"], r.json()["reused"], r.json()["unit_count"]) == (0, 108, 108)
    assert await Unit.filter(intake_case_id=first["id"]).count() == 0
    # Other builders' cases are out of reach.
    r = await api.post(f"{BASE}/intakes/{second['id']}/rea", await token("hs_builder_admin"),
                       json={"project_code": "JMP0002", "building_codes": ["JMP0002-B01"]})
    assert r.status_code == 404
    # Removing units from the draft: the rows go; a unit of another case is refused.
    some = await Unit.filter(intake_case_id=second["id"]).order_by("id").limit(2).values_list("id", flat=True)
    r = await api.post(f"{BASE}/intakes/{second['id']}/units/remove", t, json={"unit_ids": list(some)})
    assert r.status_code == 200 and r.json() == {"removed": 2, "unit_count": 106}
    r = await api.post(f"{BASE}/intakes/{second['id']}/units/remove", t, json={"unit_ids": [some[0]]})
    assert r.status_code == 422 and "不属于" in zh(r)
    assert (await Case.get(id=second["id"])).form["unit_count"] == 106


# ---------------------------------------------------------------- one by one, on site

@pytest.mark.feature("GOV-06-03", "GOV-06-04")
async def test_clerk_enters_units_one_by_one_on_site_for_a_builder(api, token):
    t = await token("pj_supervisor")
    builder = await org("builder")
    r = await api.post(f"{BASE}/communities", t, json={"name": f"窗口小区{tag()}", "address": "蓬江区建设路8号",
                                                        "district_code": PJ, "builder_id": builder.id})
    assert r.status_code == 201, r.text
    community_id = r.json()["id"]
    case = await draft_intake(api, t, "builder", PJ)
    cid = case["id"]
    one = {"building_name": "A栋", "entrance_name": "1单元", "floor": 3, "number": "301", "area": "45.60",
           "inner_area": "38", "layout": "一房一厅", "orientation": "南", "decoration": "简装",
           "facilities": ["空调"], "rent_standard": "900"}
    r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one)
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"community_id": "请选择小区"}
    n = await Unit.all().count()
    for bad, field in (({"area": "-1"}, "area"), ({"floor": 0}, "floor"), ({"rent_standard": "九百"}, "rent_standard"),
                       ({"register_id": "123"}, "register_id"), ({"decoration": "豪装"}, "decoration"),
                       ({"building_id": 999999999}, "_")):
        r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one | {"community_id": community_id} | bad)
        assert r.status_code == 422, (bad, r.text)
        zh(r)
        assert field == "_" or field in r.json()["error"]["fields"], r.json()
    assert await Unit.all().count() == n and not await Building.filter(community_id=community_id).exists()
    r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one | {"community_id": community_id})
    assert r.status_code == 201, r.text
    u = r.json()
    assert (u["building_name"], u["entrance_name"], u["number"], u["area"], u["rent_standard"], u["state"]) == \
        ("A栋", "1单元", "301", "45.60", "900.00", "not_in_stock")
    b = await Building.get(id=u["building_id"])
    assert b.floors == 3 and b.builder_id == builder.id and b.district_code == PJ
    r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one)
    assert r.status_code == 409 and r.json()["error"]["code"] == "UNIT_CLASH"
    assert zh(r) == "A栋1单元301 已在本入库申请中"
    # The same number in the building's other entrance is another unit.
    r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one | {"entrance_name": "2单元"})
    assert r.status_code == 201 and r.json()["label"] == "A栋2单元301", r.text
    # 户型 takes only a configured layout: an ID number typed there is refused.
    r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one | {"number": "309", "layout": "440703199001011234"})
    assert r.status_code == 422 and "不在配置的户型中" in r.json()["error"]["fields"]["layout"]
    r = await api.get(f"{BASE}/unit-options", t)
    assert r.status_code == 200 and "两房一厅" in r.json()["layouts"] and "南北" in r.json()["orientations"]
    r = await api.post(f"{BASE}/intakes/{cid}/units", t, json=one | {"number": "302", "building_id": b.id,
                                                                       "building_name": None})
    assert r.status_code == 201, r.text
    # Only the submitter edits the draft.
    r = await api.post(f"{BASE}/intakes/{cid}/units", await token("gov_admin"), json=one | {"number": "303"})
    assert r.status_code == 403 and "提交人" in zh(r)
    assert (await act(api, t, cid, "submission", "submit")).status_code == 200
    done = await approve_all(api, token, cid, "pj_clerk", "gov_admin")
    assert done["status"] == "complete"
    units = await Unit.filter(intake_case_id=cid).order_by("number", "entrance_id")
    assert [(x.number, x.state) for x in units] == [("301", "available"), ("301", "available"), ("302", "available")]
    r = await api.get(f"{BASE}/units/{units[0].id}", await token("builder_admin"))
    assert r.status_code == 200 and r.json()["unit"]["intake_case"]["number"] == case["number"]


# ---------------------------------------------------------------- unit change (GOV-06-05/06, BLD-02-05/06)

@pytest.mark.feature("BLD-02-05", "BLD-02-06", "GOV-06-06")
async def test_builder_changes_a_unit_and_the_history_keeps_before_and_after(api, token):
    s = await make_stock(floors=1, per_floor=2)
    u, other = s["units"]
    t = await token("builder_admin")
    body = {"changes": {"area": "70.20", "facilities": ["空调", "宽带"], "rent_standard": "1650", "decoration": "精装"},
            "reason": "测绘面积更正", "submit": True}
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", t, json=body)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["case_type"] == "unit_change" and case["status"] == "in_review" and case["subjects"]["unit_id"] == u.id
    assert case["form"]["area"] == 70.2 and case["form"]["unit_code"].endswith(" 1栋1单元101")
    # Refused up front: nothing changes, another builder's unit, a field out of its list.
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", t, json={"changes": {"layout": "两房一厅"}, "reason": "x"})
    assert r.status_code == 422 and "无需变更" in zh(r)
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", await token("hs_builder_admin"), json=body)
    assert r.status_code == 404
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", t, json=body | {"changes": {"orientation": "上"}})
    assert r.status_code == 422 and "orientation" in str(r.json()["error"]["fields"])
    done = await approve_all(api, token, case["id"])
    assert done["status"] == "complete", done
    row = await Unit.get(id=u.id)
    assert (str(row.area), row.rent_standard_fen, row.facilities, row.decoration, row.row_version) == \
        ("70.20", 165000, ["空调", "宽带"], "精装", 2)
    h = await UnitHistory.get(unit_id=u.id, action="change")
    assert h.case_id == case["id"] and h.reason == "测绘面积更正"
    assert h.before == {"area": "68.90", "facilities": [], "rent_standard": "1580.00", "decoration": None}
    assert h.after == {"area": "70.20", "facilities": ["空调", "宽带"], "rent_standard": "1650.00", "decoration": "精装"}
    assert await AuditLog.filter(action="housing.unit.change", object_id=str(u.id)).exists()
    cell = next(x for f in (await api.get(f"{BASE}/buildings/{s['building'].id}/table", t)).json()["floors"]
                for x in f["units"] if x["id"] == u.id)
    assert cell["area"] == "70.20"

    # An allocated unit keeps its area and rent: refused up front, and again at completion.
    r = await api.post(f"{BASE}/units/{other.id}/change-cases", t,
                       json={"changes": {"rent_standard": "1000"}, "reason": "调租"})
    assert r.status_code == 201, r.text
    late = r.json()
    await Unit.filter(id=other.id).update(state="allocated")
    r = await api.post(f"{BASE}/units/{other.id}/change-cases", t, json={"changes": {"area": "50"}, "reason": "x"})
    assert r.status_code == 422 and "房屋已配租，不能变更建筑面积" in zh(r)
    assert (await act(api, await token("pj_clerk"), late["id"], "first_review")).status_code == 200
    r = await act(api, await token("pj_supervisor"), late["id"], "approval")
    assert r.status_code == 422 and r.json()["error"]["code"] == "COMPLETION_FAILED" and "已配租" in zh(r)
    assert (await Case.get(id=late["id"])).status == "in_review"
    assert (await Unit.get(id=other.id)).rent_standard_fen == 98000
    # Descriptions may still change while let.
    r = await api.post(f"{BASE}/units/{other.id}/change-cases", t, json={"changes": {"orientation": "南北"},
                                                                           "reason": "朝向更正"})
    assert r.status_code == 201, r.text


@pytest.mark.feature("GOV-06-05", "GOV-06-06")
async def test_clerk_delists_and_relists_a_unit_on_site(api, token):
    s = await make_stock(floors=1, per_floor=1)
    u = s["units"][0]
    t = await token("pj_supervisor")
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", t, json={"changes": {"delist": True}, "reason": "结构安全隐患"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["channel"] == "onsite" and case["applicant_org_id"] == s["project"].builder_id
    assert case["form"]["delist"] == "下架"
    await approve_all(api, token, case["id"], "pj_clerk", "gov_admin")
    assert (await Unit.get(id=u.id)).state == "delisted"
    r = await api.post(f"{BASE}/units/{u.id}/lock", t, json={"reason": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "UNIT_NOT_AVAILABLE"
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", t,
                       json={"changes": {"delist": False}, "reason": "整改完成", "applicant_org_id": (await org("hs")).id})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"applicant_org_id": "不是房屋的建设或运营单位"}
    r = await api.post(f"{BASE}/units/{u.id}/change-cases", t, json={"changes": {"delist": False}, "reason": "整改完成"})
    assert r.status_code == 201
    await approve_all(api, token, r.json()["id"], "pj_clerk", "gov_admin")
    assert (await Unit.get(id=u.id)).state == "available"
    actions = await UnitHistory.filter(unit_id=u.id).order_by("id").values_list("after", flat=True)
    assert [a["state"] for a in actions] == ["delisted", "available"]


@pytest.mark.feature("GOV-06-03")
async def test_import_template_and_refused_uploads(api, token):
    t = await token("builder_admin")
    r = await api.get(f"{BASE}/unit-import/template", t)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert load_workbook(io.BytesIO(r.content))["房源"]["A1"].value == "楼栋*"
    assert (await api.get(f"{BASE}/unit-import/template", await token("operator_admin"))).status_code == 403
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PNG")
    r = await api.post("/api/v1/files", t, files={"file": ("房源.png", buf.getvalue(), "image/png")})
    png = r.json()["id"]
    case = await draft_intake(api, t, "builder", PJ)
    jobs_before = await Job.filter(kind="housing.unit_import").count()
    for body, field in (({"file_id": png}, "file_id"), ({"file_id": "00000000-0000-4000-8000-000000000000"}, "file_id"),
                        ({"file_id": png, "mode": "some"}, "mode")):
        r = await api.post(f"{BASE}/intakes/{case['id']}/imports", t, json=body)
        assert r.status_code == 422 and field in r.json()["error"]["fields"], r.text
        zh(r)
    r = await api.post(f"{BASE}/unit-imports/00000000-0000-4000-8000-000000000000/commit-valid", t)
    assert r.status_code == 404 and zh(r)
    assert await Job.filter(kind="housing.unit_import").count() == jobs_before


@pytest.mark.feature("GOV-06-03")
async def test_partner_down_is_a_clear_502_and_writes_nothing(api, token, sandbox):
    import httpx
    t = await token("builder_admin")
    case = await draft_intake(api, t, "builder", PJ)
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as sbx:
        r = await sbx.post("/sandbox/faults/real_estate_trading", json={"error_code": "SYSTEM_BUSY",
                                                                         "error_message": "楼盘表系统维护中"})
        assert r.status_code == 200, r.text
        try:
            r = await api.get(f"{BASE}/rea/unit-table?keyword=侨乡", t)
            assert r.status_code == 502 and r.json()["error"]["code"] == "PARTNER_UNAVAILABLE"
            assert "楼盘表系统维护中" in zh(r)
            r = await api.post(f"{BASE}/intakes/{case['id']}/rea", t, json={"project_code": "JMP0004",
                                                                             "building_codes": ["JMP0004-B01"]})
            assert r.status_code == 502 and zh(r)
        finally:
            assert (await sbx.delete("/sandbox/faults/real_estate_trading")).status_code == 200
    assert await Unit.filter(intake_case_id=case["id"]).count() == 0
    assert (await Case.get(id=case["id"])).subjects == {}
    # Bad search input is the clerk's, not the partner's.
    r = await api.get(f"{BASE}/rea/unit-table?district_code=12", t)
    assert r.status_code == 422 and zh(r)


@pytest.mark.feature("BLD-02-03", "BLD-02-05")
async def test_cases_naming_someone_elses_project_community_or_unit_are_refused_at_intake(api, token):
    t = await token("builder_admin")
    builder = (await org("builder")).id
    hs_project = await make_project("hs", "440784", None)
    theirs = await make_stock("hs", "440784", "xh", floors=1, per_floor=1)
    mine = await make_stock("builder", PJ, "operator", floors=1, per_floor=2)
    await Unit.filter(id=mine["units"][1].id).update(state="allocated")
    before = await Case.all().count()
    base = {"applicant": {"kind": "ORG", "org_id": builder}, "form": {}, "submit": False}
    attempts = [
        ({"case_type": "unit_intake", "district_code": "440784", "subjects": {"project_id": hs_project.id}},
         "subjects.project_id"),
        ({"case_type": "unit_intake", "district_code": "440784",
          "subjects": {"community_id": theirs["community"].id}}, "community_id"),
        ({"case_type": "unit_intake", "district_code": JH, "subjects": {"community_id": mine["community"].id}},
         "community_id"),
        ({"case_type": "unit_change", "district_code": "440784", "subjects": {"unit_id": theirs["units"][0].id}},
         "subjects.unit_id"),
        ({"case_type": "unit_change", "district_code": PJ, "subjects": {"unit_id": "一〇一"}}, "subjects.unit_id"),
        ({"case_type": "unit_change", "district_code": PJ, "subjects": {"unit_id": mine["units"][1].id},
          "form": {"unit_code": "101", "area": 50, "reason": "x"}}, None),
    ]
    for body, field in attempts:
        r = await api.post("/api/v1/cases", t, json=base | body)
        assert r.status_code == 422, (body, r.text)
        zh(r)
        assert field is None or field in r.json()["error"]["fields"], (body, r.json())
    assert await Case.all().count() == before
    # The same builder naming its own community and unit is let in.
    r = await api.post("/api/v1/cases", t, json=base | {"case_type": "unit_intake", "district_code": PJ,
                                                        "subjects": {"community_id": mine["community"].id}})
    assert r.status_code == 201, r.text
    r = await api.post("/api/v1/cases", t, json=base | {"case_type": "unit_change", "district_code": PJ,
                                                        "subjects": {"unit_id": mine["units"][0].id}})
    assert r.status_code == 201, r.text
