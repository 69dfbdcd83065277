"""The audit log reads in Chinese (issue 10 §5): action labels from one map, objects by business
number and name, changes as field labels with values; the codes stay in the row for the admins'
drawer. Rows come from real actions through the API."""
from __future__ import annotations

import re

import pytest

from app.core import audit_labels
from app.core.models import AuditLog
from tests.api.test_housing_stock import make_stock

pytestmark = pytest.mark.feature("GOV-13-04", "GOV-06-01")
BASE = "/api/v1/audit/logs"


async def _rows(api, t: str, **params) -> list[dict]:  # noqa: ANN001, ANN003
    r = await api.get(BASE, t, params={"page_size": 50, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_a_unit_lock_reads_as_a_clerk_names_it(api, token):  # noqa: ANN001
    s = await make_stock(floors=1, per_floor=1)
    u = s["units"][0]
    r = await api.post(f"/api/v1/housing/units/{u.id}/lock", await token("operator_admin"), json={"reason": "预留给人才引进"})
    assert r.status_code == 200, r.text
    [row] = await _rows(api, await token("gov_admin"), action="housing.unit.lock", object_id=str(u.id))
    assert row["action"] == "housing.unit.lock" and row["action_name"] == "锁定房屋"
    assert row["object_type"] == "unit" and row["object_id"] == str(u.id)
    assert row["object_type_name"] == "房屋" and row["object_name"] == "1栋1单元101"
    assert row["object_label"] == "房屋 1栋1单元101"
    assert row["changes"] == [
        {"field": "state", "label": "状态", "before": "可配租", "after": "已锁定"},
        {"field": "lock_reason", "label": "锁定原因", "before": "（空）", "after": "预留给人才引进"},
    ]
    assert (await AuditLog.get(id=row["id"])).after == {"state": "locked", "lock_reason": "预留给人才引进"}


async def test_a_case_and_a_login_read_in_chinese(api, token):  # noqa: ANN001
    t = await token("gov_clerk")
    r = await api.post("/api/v1/cases", t, json={
        "case_type": "complaint", "district_code": "440703",
        "applicant": {"kind": "PERSON", "name": "审计标签", "id_number": "440703200001010004"},
        "form": {"category": "物业服务", "content": "审计日志中文显示"}})
    assert r.status_code == 201, r.text
    case = r.json()
    admin = await token("gov_admin")
    rows = await _rows(api, admin, object_type="case", object_id=str(case["id"]))
    assert rows and all(x["object_label"] == f"业务件 {case['number']}" for x in rows)
    created = next(x for x in rows if x["action"] == "case.create")
    assert created["action_name"] == "创建业务件"
    assert {"field": "number", "label": "业务编号", "before": None, "after": case["number"]} in created["changes"]
    logins = await _rows(api, admin, action="auth.login")
    assert logins and logins[0]["action_name"] == "登录"


async def test_every_recorded_action_and_object_type_has_a_label(api, token):  # noqa: ANN001
    """What the session has written so far: nothing shows as a raw code."""
    r = await api.get("/api/v1/audit/labels", await token("gov_admin"))
    assert r.status_code == 200
    labels = r.json()
    actions = await AuditLog.all().distinct().values_list("action", flat=True)
    types = await AuditLog.all().distinct().values_list("object_type", flat=True)
    assert [a for a in actions if a not in labels["actions"] and not a.startswith("test.")] == []
    assert [t for t in types if t not in labels["object_types"] and t != "test"] == []
    assert all(re.search(r"[\u4e00-\u9fff]", v) for v in labels["actions"].values())


async def test_names_for_a_page_are_looked_up_once_per_object_type():
    calls: list[int] = []
    original = audit_labels.OBJECTS["org"].names

    async def counting(ids):  # noqa: ANN001, ANN202
        calls.append(len(ids))
        return await original(ids)
    kind = audit_labels.OBJECTS["org"]
    kind.names = counting
    try:
        from app.identity.models import Org
        orgs = await Org.all().limit(5).values_list("id", "name")
        rows = [{"action": "org.update", "object_type": "org", "object_id": str(i), "before": None, "after": None}
                for i, _ in orgs for _ in range(3)]
        out = await audit_labels.describe(rows)
    finally:
        kind.names = original
    assert calls == [len(orgs)]
    assert [r["object_name"] for r in out] == [n for _, n in orgs for _ in range(3)]
