"""规则配置 (SYS-01 业务规则自定义): stored, versioned, validated rule sets, administered over the API."""
from __future__ import annotations

import copy
import io
import json
import secrets

import pytest
from openpyxl import load_workbook

from app.core.models import AuditLog
from app.rules import service
from app.rules.examples import ALL, APPLICATION_CONDITIONS
from app.rules.models import RuleSetVersion

pytestmark = pytest.mark.feature("SYS-01")
BASE = "/api/v1/rule-sets"

GOOD = {
    "kind": "condition", "title": "测试申请条件",
    "inputs": [
        {"name": "age_years", "type": "int", "title": "年龄", "sample": 30},
        {"name": "has_house", "type": "bool", "title": "是否有房", "sample": False},
        {"name": "birth", "type": "date", "title": "出生日期", "sample": "1990-05-01"},
    ],
    "rules": [
        {"code": "adult", "title": "已成年", "expression": "age_years >= 18", "result_type": "bool",
         "failure_message": "未满 18 周岁"},
        {"code": "no_house", "title": "无房", "expression": "!has_house", "result_type": "bool",
         "failure_message": "名下有住房"},
    ],
}
INPUTS_OK = {"age_years": 30, "has_house": False, "birth": "1990-05-01"}


def new_key() -> str:
    return f"test.cond_{secrets.token_hex(4)}"


async def _audits(action: str, key: str) -> list[AuditLog]:
    return await AuditLog.filter(action=action, object_type="rule_set", object_id=key).order_by("id")


async def test_seeded_examples_are_listed_filtered_and_exported(api, token):
    t = await token("gov_admin")
    r = await api.get(BASE, t, params={"page_size": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    keys = {i["key"]: i for i in body["items"]}
    for rs in ALL:
        assert rs.name in keys, rs.name
        row = keys[rs.name]
        assert row["name"] == rs.title and row["kind"] == rs.kind and row["enabled"] is True
        assert row["rule_count"] == len(rs.rules) and row["version"] >= 1
    # one row per rule set (the city's or a district's): the list never shows older versions
    assert len({(i["key"], i["district_code"]) for i in body["items"]}) == len(body["items"]) == body["total"]

    r = await api.get(BASE, t, params={"kind": "scoring", "key__in": ",".join(rs.name for rs in ALL)})
    assert [i["key"] for i in r.json()["items"]] == ["allocation.scoring_rule"]
    r = await api.get(BASE, t, params={"name__contains": "租金", "key__in": ",".join(rs.name for rs in ALL)})
    assert {i["key"] for i in r.json()["items"]} == {"eligibility.benefit_standard", "supervision.rent_alert"}
    r = await api.get(BASE, t, params={"q": "申请条件", "enabled": "1", "updated_at__gte": "2000-01-01"})
    assert "eligibility.application_condition" in {i["key"] for i in r.json()["items"]}
    r = await api.get(BASE, t, params={"updated_at__lte": "2000-01-01"})
    assert r.json()["total"] == 0

    r = await api.get(BASE, t, params={"kind": "condition", "format": "xlsx"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][:4] == ("规则集编码", "适用范围", "规则集名称", "类型")
    assert {x[0] for x in rows[1:]} >= {"eligibility.application_condition", "supervision.rent_alert"}
    assert {x[3] for x in rows[1:]} == {"条件"}
    assert "全市" in {x[1] for x in rows[1:]}

    r = await api.get(BASE, t, params={"enabled": "maybe"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"enabled": "格式有误"}


async def test_detail_versions_and_seed_is_idempotent(api, token):
    t = await token("gov_admin")
    key = APPLICATION_CONDITIONS.name
    before = await RuleSetVersion.filter(key=key).count()
    from app.rules import seed
    await seed.seed()  # a second run adds nothing
    assert await RuleSetVersion.filter(key=key).count() == before

    r = await api.get(f"{BASE}/{key}", t)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["definition"]["rules"][0]["code"] == "adult" and d["kind_name"] == "条件"
    assert [i["name"] for i in d["definition"]["inputs"]][:2] == ["applicant_birth_date", "application_date"]
    r = await api.get(f"{BASE}/{key}/versions/1", t)
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["definition"]["name"] == key
    r = await api.get(f"{BASE}/{key}/versions/999", t)
    assert r.status_code == 404 and r.json()["error"]["code"] == "RULESET_NOT_FOUND"
    r = await api.get(f"{BASE}/no.such_key", t)
    assert r.status_code == 404 and "不存在" in r.json()["error"]["message"]
    r = await api.get(f"{BASE}/BAD%20KEY", t)
    assert r.status_code == 404
    r = await api.get(f"{BASE}/no.such_key/versions", t)
    assert r.status_code == 404


async def test_validate_lists_every_problem_with_its_field(api, token):
    t = await token("gov_admin")
    bad = copy.deepcopy(GOOD)
    bad["inputs"].append({"name": "income", "type": "money", "title": "收入"})
    bad["inputs"].append({"name": "Bad-Name", "type": "int"})
    bad["rules"][0]["expression"] = "age_years >= 18 && spouse_age > 0"
    bad["rules"][1]["failure_message"] = ""
    bad["rules"].append({"code": "syntax", "title": "语法错", "expression": "age_years >=", "result_type": "bool",
                         "failure_message": "x"})
    bad["rules"].append({"code": "score", "title": "类型错", "expression": "age_years + 1", "result_type": "bool",
                         "failure_message": "x"})
    r = await api.post(f"{BASE}/validate", t, json={"definition": bad})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ok"] is False
    got = {(p["rule"], p["field"]) for p in out["problems"]}
    assert ("adult", "expression") in got           # unknown input spouse_age
    assert ("no_house", "failure_message") in got   # condition without its failure message
    assert ("syntax", "expression") in got
    assert ("score", "expression") in got           # int result for a condition
    assert (None, "inputs.income.type") in got
    assert (None, "inputs.Bad-Name.name") in got
    msgs = " ".join(p["message"] for p in out["problems"])
    assert "spouse_age" in msgs and "不支持的输入类型" in msgs

    r = await api.post(f"{BASE}/validate", t, json={"definition": GOOD})
    assert r.json() == {"ok": True, "problems": []}
    # shape errors are a clear 422, never a 500
    for payload in ({}, {"definition": {"kind": "condition"}}, {"definition": {**GOOD, "rules": "x"}},
                    {"definition": {**GOOD, "extra": 1}}):
        r = await api.post(f"{BASE}/validate", t, json=payload)
        assert r.status_code == 422, (payload, r.text)
        assert r.json()["error"]["code"] == "INVALID_INPUT"
    r = await api.post(f"{BASE}/validate", t, content=b"not json")
    assert r.status_code == 422


async def test_create_save_versions_and_audit(api, token):
    t = await token("gov_admin")
    key = new_key()
    r = await api.post(BASE, t, json={"key": key, "definition": GOOD, "note": "首版"})
    assert r.status_code == 201, r.text
    v1 = r.json()
    assert v1["version"] == 1 and v1["enabled"] is True and v1["created_by_name"] == "王建华"
    assert v1["definition"]["name"] == key and v1["definition"]["version"] == 1
    row = await RuleSetVersion.get(key=key, version=1)
    assert row.name == "测试申请条件" and row.kind == "condition" and row.note == "首版"
    (a,) = await _audits("rules.ruleset.create", key)
    assert a.actor_name == "王建华" and a.after["version"] == 1 and a.after["definition"]["rules"][0]["code"] == "adult"

    r = await api.post(BASE, t, json={"key": key, "definition": GOOD})
    assert r.status_code == 409 and r.json()["error"]["code"] == "RULESET_EXISTS"
    assert await RuleSetVersion.filter(key=key).count() == 1

    v2def = copy.deepcopy(GOOD)
    v2def["rules"][0]["expression"] = "age_years >= 20"
    v2def["rules"][0]["failure_message"] = "未满 20 周岁"
    v2def["version"] = 77  # ignored: the server numbers versions
    r = await api.put(f"{BASE}/{key}", t, json={"definition": v2def, "note": "提高年龄"})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["definition"]["version"] == 2
    (a,) = await _audits("rules.ruleset.save", key)
    assert a.before["definition"]["rules"][0]["expression"] == "age_years >= 18"
    assert a.after["definition"]["rules"][0]["expression"] == "age_years >= 20"
    assert (await RuleSetVersion.get(key=key, version=1)).definition["rules"][0]["expression"] == "age_years >= 18"

    r = await api.get(f"{BASE}/{key}/versions", t)
    assert [(v["version"], v["note"]) for v in r.json()["items"]] == [(2, "提高年龄"), (1, "首版")]
    r = await api.get(BASE, t, params={"key": key})
    assert [(i["version"], i["note"]) for i in r.json()["items"]] == [(2, "提高年龄")]

    r = await api.put(f"{BASE}/test.never_made_{secrets.token_hex(2)}", t, json={"definition": GOOD})
    assert r.status_code == 404


async def test_invalid_definition_is_refused_with_every_problem_and_nothing_saved(api, token):
    t = await token("gov_admin")
    key = new_key()
    bad = copy.deepcopy(GOOD)
    bad["rules"][0]["expression"] = "age_years > "
    bad["rules"][1]["expression"] = "unknown_input"
    r = await api.post(BASE, t, json={"key": key, "definition": bad})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "RULESET_INVALID" and "2 处问题" in err["message"]
    assert set(err["fields"]) == {"rules.adult.expression", "rules.no_house.expression"}
    assert "unknown_input" in err["fields"]["rules.no_house.expression"]
    assert not await RuleSetVersion.filter(key=key).exists()
    assert not await _audits("rules.ruleset.create", key)

    r = await api.post(BASE, t, json={"key": "Bad Key", "definition": GOOD})
    assert r.status_code == 422 and "key" in r.json()["error"]["fields"]
    r = await api.post(BASE, t, json={"key": key, "definition": {**GOOD, "kind": "magic"}})
    assert r.status_code == 422 and "kind" in r.json()["error"]["fields"]
    deep = copy.deepcopy(GOOD)
    deep["inputs"][0] = {"name": "age_years", "type": "dyn", "sample": json.loads("[" * 40 + "]" * 40)}
    r = await api.post(BASE, t, json={"key": key, "definition": deep})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"inputs.age_years.sample": "嵌套层级过深"}
    r = await api.post(f"{BASE}/{APPLICATION_CONDITIONS.name}/try", t,
                       json={"inputs": {"member_property_counts": json.loads("[" * 40 + "]" * 40)}})
    assert r.status_code == 422 and "嵌套层级过深" in r.json()["error"]["message"]
    assert not await RuleSetVersion.filter(key=key).exists()


async def test_try_latest_version_and_draft(api, token):
    t = await token("gov_admin")
    key = APPLICATION_CONDITIONS.name
    inputs = {"applicant_birth_date": "2010-01-01", "application_date": "2026-11-26", "has_local_hukou": False,
              "member_property_counts": [0, 1], "household_size": 2, "household_monthly_income_fen": 800000,
              "social_insurance_months": 12, "is_current_beneficiary": False}
    r = await api.post(f"{BASE}/{key}/try", t, json={"inputs": inputs})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["rule_set"] == key and d["verdict"] is False and d["kind"] == "condition"
    by = {o["code"]: o for o in d["outcomes"]}
    assert by["adult"]["passed"] is False and by["adult"]["message"] == "申请人申请时未满 18 周岁"
    assert by["adult"]["inputs"] == {"applicant_birth_date": "2010-01-01", "application_date": "2026-11-26"}
    assert by["no_property"]["passed"] is False and by["income_below_line"]["passed"] is True

    r = await api.post(f"{BASE}/allocation.scoring_rule/try", t, json={"version": 1, "inputs": {
        "waitlist_months": 40, "household_size": 2, "social_insurance_months": 30, "priority_groups": []}})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 36 + 6 + 5 + 0 and r.json()["version"] == 1

    r = await api.post(f"{BASE}/{key}/try", t, json={"inputs": {**inputs, "household_size": "两人",
                                                                 "applicant_birth_date": "1990-13-01"}})
    assert r.status_code == 422, r.text
    f = r.json()["error"]["fields"]
    assert set(f) == {"inputs.household_size", "inputs.applicant_birth_date"} and "整数" in f["inputs.household_size"]
    r = await api.post(f"{BASE}/{key}/try", t, json={"inputs": {}})
    assert r.status_code == 422 and "inputs.household_size" in r.json()["error"]["fields"]

    # a draft is tried without saving anything
    draft_key = new_key()
    r = await api.post(f"{BASE}/{draft_key}/try", t, json={"definition": GOOD, "inputs": {**INPUTS_OK, "age_years": 10}})
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] is False and r.json()["outcomes"][0]["message"] == "未满 18 周岁"
    assert not await RuleSetVersion.filter(key=draft_key).exists()
    bad = copy.deepcopy(GOOD)
    bad["rules"][0]["expression"] = "nope"
    r = await api.post(f"{BASE}/{draft_key}/try", t, json={"definition": bad, "inputs": INPUTS_OK})
    assert r.status_code == 422 and r.json()["error"]["code"] == "RULESET_INVALID"

    # an evaluation error in a standard names the rule
    r = await api.post(f"{BASE}/eligibility.benefit_standard/try", t, json={"inputs": {
        "household_size": 0, "household_monthly_income_fen": 800000, "market_rent_fen": 150000}})
    assert r.status_code == 422 and "除数为零" in r.json()["error"]["message"]
    assert "rules.rent_percent" in r.json()["error"]["fields"]


async def test_disable_stops_decisions_and_enable_restores(api, token):
    t = await token("gov_admin")
    key = new_key()
    r = await api.post(BASE, t, json={"key": key, "definition": GOOD})
    assert r.status_code == 201
    row, decision = await service.decide(key, INPUTS_OK)
    assert row.version == 1 and decision.verdict is True and decision.version == 1 and decision.rule_set == key

    r = await api.post(f"{BASE}/{key}/enable", t, json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert (await RuleSetVersion.get(key=key, version=1)).enabled is False
    (a,) = await _audits("rules.ruleset.disable", key)
    assert a.before == {"enabled": True} and a.after == {"enabled": False}
    with pytest.raises(service.RuleSetDisabled, match="已停用"):
        await service.decide(key, INPUTS_OK)
    with pytest.raises(service.RuleSetDisabled):
        await service.active(key)
    r = await api.get(BASE, t, params={"key": key, "enabled": "0"})
    assert r.json()["total"] == 1
    # admins may still try a disabled rule set; a new version stays disabled until enabled again
    r = await api.post(f"{BASE}/{key}/try", t, json={"inputs": INPUTS_OK})
    assert r.status_code == 200 and r.json()["verdict"] is True
    r = await api.put(f"{BASE}/{key}", t, json={"definition": GOOD})
    assert r.json()["version"] == 2 and r.json()["enabled"] is False

    r = await api.post(f"{BASE}/{key}/enable", t, json={"enabled": True})
    assert r.status_code == 200 and r.json()["enabled"] is True and r.json()["version"] == 2
    row, decision = await service.decide(key, {**INPUTS_OK, "has_house": True})
    assert row.version == 2 and decision.verdict is False and decision.reasons == ["名下有住房"]
    r = await api.post(f"{BASE}/{key}/enable", t, json={"enabled": "yes please"})
    assert r.status_code == 422


async def test_permissions_and_scope(api, token, new_staff):
    admin = await token("gov_admin")
    key = new_key()
    assert (await api.post(BASE, admin, json={"key": key, "definition": GOOD})).status_code == 201

    # a city clerk with read only: sees, tries, cannot change anything
    login, pw, _ = await new_staff(permissions=["rules.ruleset.read"])
    reader = await api.login(login, pw)
    assert (await api.get(BASE, reader)).status_code == 200
    assert (await api.post(f"{BASE}/{key}/try", reader, json={"inputs": INPUTS_OK})).status_code == 200
    changed = copy.deepcopy(GOOD)
    changed["title"] = "被改了"
    for call in (api.post(BASE, reader, json={"key": new_key(), "definition": GOOD}),
                 api.put(f"{BASE}/{key}", reader, json={"definition": changed}),
                 api.post(f"{BASE}/{key}/enable", reader, json={"enabled": False})):
        r = await call
        assert r.status_code == 403, r.text
        assert "规则维护与启停" in r.json()["error"]["message"]
    rows = await RuleSetVersion.filter(key=key)
    assert [(x.version, x.name, x.enabled) for x in rows] == [(1, "测试申请条件", True)]

    # the demo clerk has no rules permission at all
    clerk = await token("gov_clerk")
    assert (await api.get(BASE, clerk)).status_code == 403
    assert (await api.post(f"{BASE}/validate", clerk, json={"definition": GOOD})).status_code == 403
    # district offices apply the city's rules but do not edit them
    district = await token("pj_supervisor")
    assert (await api.get(f"{BASE}/{key}", district)).status_code == 200
    r = await api.put(f"{BASE}/{key}", district, json={"definition": changed})
    assert r.status_code == 403 and r.json()["error"]["code"] == "RULESET_CITY_ONLY"
    r = await api.post(f"{BASE}/{key}/enable", district, json={"enabled": False})
    assert r.status_code == 403
    # builders and operators never hold rules permissions
    assert (await api.get(BASE, await token("builder_admin"))).status_code == 403
    assert (await api.get(BASE)).status_code == 401
    assert [(x.version, x.enabled) for x in await RuleSetVersion.filter(key=key)] == [(1, True)]
    assert not await _audits("rules.ruleset.save", key)
    assert not await _audits("rules.ruleset.disable", key)


async def test_concurrent_saves_get_distinct_versions(api, token):
    import asyncio
    t = await token("gov_admin")
    key = new_key()
    assert (await api.post(BASE, t, json={"key": key, "definition": GOOD})).status_code == 201
    rs = await asyncio.gather(*[api.put(f"{BASE}/{key}", t, json={"definition": GOOD, "note": f"n{i}"})
                                for i in range(6)])
    assert all(r.status_code == 200 for r in rs), [r.text for r in rs]
    assert sorted(r.json()["version"] for r in rs) == [2, 3, 4, 5, 6, 7]
    assert await RuleSetVersion.filter(key=key).count() == 7


STRICTER = {**copy.deepcopy(GOOD), "title": "蓬江区申请条件"}
STRICTER["rules"] = [{**GOOD["rules"][0], "title": "已满 20 周岁", "expression": "age_years >= 20",
                      "failure_message": "未满 20 周岁"}, GOOD["rules"][1]]


@pytest.mark.feature("SYS-01", "GOV-19-01", "GOV-19-02")
async def test_a_district_rule_set_overrides_the_citys_for_cases_of_that_district(api, token):
    admin, pj = await token("gov_admin"), await token("pj_supervisor")  # pj: 蓬江区 440703
    key = new_key()
    assert (await api.post(BASE, admin, json={"key": key, "definition": GOOD})).status_code == 201
    r = await api.post(BASE, pj, json={"key": key, "district_code": "440703", "definition": STRICTER,
                                       "note": "本区标准"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["district_code"], body["scope"], body["scope_name"], body["version"]) == (
        "440703", "district", "蓬江区", 1)
    rows = await RuleSetVersion.filter(key=key).order_by("id").values_list("district_code", "version", "name")
    assert rows == [(None, 1, "测试申请条件"), ("440703", 1, "蓬江区申请条件")]
    # the list shows both, one row each, with whose they are
    r = await api.get(BASE, admin, params={"key": key, "sort": "-district_code"})  # the city's (NULL) first
    assert [(i["scope_name"], i["district_code"]) for i in r.json()["items"]] == [("全市", None), ("蓬江区", "440703")]
    r = await api.get(BASE, admin, params={"key": key, "district_code": "440703"})
    assert [i["name"] for i in r.json()["items"]] == ["蓬江区申请条件"]
    r = await api.get(f"{BASE}/{key}", admin, params={"district_code": "440703"})
    assert r.status_code == 200 and r.json()["definition"]["rules"][0]["expression"] == "age_years >= 20"
    assert (await api.get(f"{BASE}/{key}", admin)).json()["name"] == "测试申请条件"
    r = await api.get(f"{BASE}/{key}/versions", admin, params={"district_code": "440703"})
    assert [v["version"] for v in r.json()["items"]] == [1]

    # a 19-year-old: refused under 蓬江's rule, accepted under the city's in 江海; the decision says which
    nineteen = {**INPUTS_OK, "age_years": 19}
    row, d = await service.decide(key, nineteen, district_code="440703")
    assert (row.district_code, d.verdict, d.reasons, d.scope, d.district_code, d.version) == (
        "440703", False, ["未满 20 周岁"], "district", "440703", 1)
    assert d.to_dict()["scope"] == "district" and d.to_dict()["district_code"] == "440703"
    row, d = await service.decide(key, nineteen, district_code="440704")
    assert (row.district_code, d.verdict, d.scope, d.district_code) == (None, True, "city", None)
    row, d = await service.decide(key, nineteen)
    assert (d.verdict, d.scope) == (True, "city")
    r = await api.post(f"{BASE}/{key}/try", pj, json={"inputs": nineteen, "district_code": "440703"})
    assert r.status_code == 200 and (r.json()["verdict"], r.json()["scope"], r.json()["district_code"]) == (
        False, "district", "440703")

    # 蓬江 switches its own off: its cases fall back to the city's; on again: its own
    r = await api.post(f"{BASE}/{key}/enable", pj, json={"enabled": False, "district_code": "440703"})
    assert r.status_code == 200 and r.json()["enabled"] is False
    _, d = await service.decide(key, nineteen, district_code="440703")
    assert (d.verdict, d.scope) == (True, "city")
    assert (await api.post(f"{BASE}/{key}/enable", pj, json={"enabled": True, "district_code": "440703"})).json()[
        "enabled"] is True
    # a new district version is what its cases use next
    newer = copy.deepcopy(STRICTER)
    newer["rules"][0]["expression"] = "age_years >= 21"
    r = await api.put(f"{BASE}/{key}", pj, json={"definition": newer, "district_code": "440703"})
    assert r.status_code == 200 and r.json()["version"] == 2
    _, d = await service.decide(key, {**INPUTS_OK, "age_years": 20}, district_code="440703")
    assert (d.verdict, d.version, d.scope) == (False, 2, "district")
    assert [a.summary for a in await _audits("rules.ruleset.save", f"{key}@440703")] == [
        "保存蓬江区规则集“蓬江区申请条件”第 2 版"]
    assert len(await _audits("rules.ruleset.create", f"{key}@440703")) == 1


@pytest.mark.feature("SYS-01", "GOV-19-01")
async def test_district_staff_write_only_their_own_districts_rule_sets(api, token):
    admin, pj = await token("gov_admin"), await token("pj_supervisor")
    key = new_key()
    assert (await api.post(BASE, admin, json={"key": key, "definition": GOOD})).status_code == 201
    refused = [
        (api.put(f"{BASE}/{key}", pj, json={"definition": STRICTER}), "RULESET_CITY_ONLY"),
        (api.post(f"{BASE}/{key}/enable", pj, json={"enabled": False}), "RULESET_CITY_ONLY"),
        (api.post(BASE, pj, json={"key": key, "district_code": "440704", "definition": STRICTER}),
         "RULESET_OTHER_DISTRICT"),
        (api.post(BASE, pj, json={"key": new_key(), "definition": GOOD}), "RULESET_CITY_ONLY"),
    ]
    for call, code in refused:
        r = await call
        assert r.status_code == 403 and r.json()["error"]["code"] == code, r.text
    assert "全市规则由市级" in (await api.put(f"{BASE}/{key}", pj, json={"definition": STRICTER})).json()["error"][
        "message"]
    # the city edits any district's: 江海 gets its own from the city bureau
    r = await api.post(BASE, admin, json={"key": key, "district_code": "440704", "definition": STRICTER})
    assert r.status_code == 201 and r.json()["scope_name"] == "江海区"
    r = await api.put(f"{BASE}/{key}", pj, json={"definition": GOOD, "district_code": "440704"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "RULESET_OTHER_DISTRICT"
    r = await api.post(f"{BASE}/{key}/enable", pj, json={"enabled": False, "district_code": "440704"})
    assert r.status_code == 403
    assert await RuleSetVersion.filter(key=key).order_by("id").values_list("district_code", "version", "enabled") == [
        (None, 1, True), ("440704", 1, True)]
    assert not await _audits("rules.ruleset.save", key) and not await _audits("rules.ruleset.disable", key)
    assert not await _audits("rules.ruleset.disable", f"{key}@440704")
    # a district rule set stands in for a city one: same key and kind, a real district
    r = await api.post(BASE, admin, json={"key": new_key(), "district_code": "440703", "definition": GOOD})
    assert r.status_code == 422 and r.json()["error"]["code"] == "RULESET_NO_CITY"
    scoring = {"kind": "scoring", "title": "计分", "inputs": [{"name": "n", "type": "int", "sample": 1}],
               "rules": [{"code": "a", "title": "分", "expression": "n", "result_type": "int"}]}
    r = await api.post(BASE, pj, json={"key": key, "district_code": "440703", "definition": scoring})
    assert r.status_code == 422 and r.json()["error"]["fields"]["kind"] == "与全市规则集类型不同"
    r = await api.post(BASE, admin, json={"key": key, "district_code": "440100", "definition": GOOD})
    assert r.status_code == 422 and r.json()["error"]["code"] == "RULESET_DISTRICT"
    r = await api.get(f"{BASE}/{key}", admin, params={"district_code": "440785"})
    assert r.status_code == 404 and "恩平市" in r.json()["error"]["message"]
    assert await RuleSetVersion.filter(key=key, district_code="440703").count() == 0


@pytest.mark.feature("SYS-01")
async def test_enumerated_inputs_carry_chinese_labels_and_refuse_other_values(api, token):
    admin = await token("gov_admin")
    key = new_key()
    d = {"kind": "standard", "title": "按供应方式", "inputs": [
        {"name": "supply_mode", "type": "string", "title": "供应方式", "sample": "new_build",
         "options": [{"value": "new_build", "label": "新建"}, {"value": "idle", "label": "闲置房源盘活"}]},
        {"name": "market_rent_fen", "type": "int", "title": "市场租金（分）", "sample": 150000}],
        "rules": [{"code": "years", "title": "年限", "expression": "supply_mode == 'idle' ? 3 : 5", "result_type": "int"},
                  {"code": "rent_fen", "title": "租金（分）", "expression": "market_rent_fen * 9 / 10",
                   "result_type": "int"}]}
    r = await api.post(BASE, admin, json={"key": key, "definition": d})
    assert r.status_code == 201, r.text
    assert r.json()["definition"]["inputs"][0]["options"][1] == {"value": "idle", "label": "闲置房源盘活"}
    assert "options" not in r.json()["definition"]["inputs"][1]
    r = await api.post(f"{BASE}/{key}/try", admin, json={"inputs": {"supply_mode": "idle", "market_rent_fen": 100000}})
    assert r.status_code == 200 and r.json()["values"] == {"years": 3, "rent_fen": 90000}
    r = await api.post(f"{BASE}/{key}/try", admin, json={"inputs": {"supply_mode": "转化", "market_rent_fen": 1}})
    assert r.status_code == 422
    assert r.json()["error"]["fields"]["inputs.supply_mode"] == "“供应方式”应为以下之一：新建、闲置房源盘活"
    bad = copy.deepcopy(d)
    bad["inputs"][0]["sample"] = "other"
    bad["inputs"][0]["options"].append({"value": 7, "label": "七"})
    r = await api.post(f"{BASE}/validate", admin, json={"definition": bad})
    assert [p["message"] for p in r.json()["problems"]][:1] == ["输入“supply_mode”的可选值“七”有误：" +
                                                                 r.json()["problems"][0]["message"].split("有误：")[1]]
    r = await api.post(f"{BASE}/validate", admin, json={"definition": {**bad, "inputs": [
        {**bad["inputs"][0], "options": d["inputs"][0]["options"]}, bad["inputs"][1]]}})
    assert [p["message"] for p in r.json()["problems"]] == ["输入“supply_mode”的示例值应为可选值之一"]
