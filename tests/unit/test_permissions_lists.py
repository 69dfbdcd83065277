"""Pure rules: the permission catalogue, menus, and list filter parsing."""
from __future__ import annotations

import datetime as dt

import pytest
from tortoise.expressions import Q

from app.core.errors import InvalidInput
from app.core.lists import Col, ListSpec, build_filters
from app.identity import permissions as P


@pytest.mark.feature("GOV-13-04", "BLD-04-04", "OPS-11-04")
def test_builder_cannot_be_granted_gov_codes():
    assert "identity.org.read" not in P.grantable("BUILDER")
    assert P.unknown_or_forbidden(["identity.role.read", "identity.org.read", "nope.x.y"], "BUILDER") == [
        "identity.org.read", "nope.x.y"]
    assert P.unknown_or_forbidden(["identity.org.read"], "GOV") == []


@pytest.mark.feature("GOV-13-04")
def test_menus_follow_view_permission_only():
    menus = P.menus_for({"identity.org.read", "audit.log.read"})
    assert [c["code"] for c in menus[0]["children"]] == ["system.orgs", "system.audit"]
    # a write code without the view code shows no menu
    assert P.menus_for({"identity.role.write"}) == []
    assert P.menus_for(set()) == []


@pytest.mark.feature("GOV-13-04", "BLD-04-04", "OPS-11-04")
def test_catalogue_per_org_kind():
    gov = P.catalogue_for("GOV")
    system = next(m for m in gov if m["code"] == "system")
    assert [c["code"] for c in system["children"]] == [
        "system.orgs", "system.staff", "system.roles", "system.accounts", "system.audit"]
    assert gov[-1]["code"] == "extra" and "pii.view" in [p["code"] for p in gov[-1]["permissions"]]
    bld = P.catalogue_for("BUILDER")
    system = next(m for m in bld if m["code"] == "system")
    assert [c["code"] for c in system["children"]] == ["system.staff", "system.roles", "system.org_info"]
    codes = {p["code"] for m in bld for c in m.get("children", [m]) for p in c["permissions"]}
    assert {"identity.staff.read", "identity.staff.write", "identity.role.read", "identity.role.write"} <= codes
    # No gov-only code is offered to a builder.
    assert not codes & {"identity.org.manage", "audit.log.read", "case.process.deploy", "housing.plan.write",
                        "housing.project.publish", "housing.unit.lock"}


def test_effective_drops_codes_foreign_to_the_org_kind():
    assert P.effective({"identity.org.read", "identity.role.read"}, "OPERATOR") == {"identity.role.read",
                                                                                   "file.upload"}


async def _noop(items):  # noqa: ANN001, ANN202
    return []

SPEC = ListSpec("t", [Col("name", "名称", ops=("eq", "contains")), Col("n", "数", kind="int", ops=("eq", "in", "gte")),
                      Col("on", "日期", kind="date", ops=("gte", "lte")),
                      Col("at", "时间", kind="datetime", ops=("gte", "lte")),
                      Col("ok", "启用", kind="bool")], _noop, search=["name", "code"])


def _flat(q: Q) -> dict:
    out = dict(q.filters)
    for c in q.children:
        out.update(_flat(c))
    return out


def test_filters_single_and_combined():
    q = build_filters(SPEC, {"name__contains": "江门", "n__in": "1,2", "ok": "true", "on__gte": "2026-01-01"})
    assert _flat(q) == {"name__icontains": "江门", "n__in": [1, 2], "ok": True, "on__gte": dt.date(2026, 1, 1)}


def test_datetime_bounds_cover_the_whole_beijing_day():
    q = build_filters(SPEC, {"at__gte": "2026-11-26", "at__lte": "2026-11-26"})
    f = _flat(q)
    assert f["at__gte"].isoformat() == "2026-11-26T00:00:00+08:00"
    assert f["at__lte"].isoformat() == "2026-11-26T23:59:59.999999+08:00"


@pytest.mark.parametrize("args,field", [
    ({"n": "abc"}, "n"), ({"on__gte": "2026-13-01"}, "on"), ({"ok": "maybe"}, "ok"),
    ({"unknown": "1"}, "unknown"), ({"name__gte": "a"}, "name__gte"),
])
def test_bad_filters_are_clear_chinese_errors(args, field):
    with pytest.raises(InvalidInput) as e:
        build_filters(SPEC, args)
    assert field in e.value.fields
    assert "查询条件" in e.value.message


def test_q_searches_all_declared_fields():
    q = build_filters(SPEC, {"q": "陈"})
    assert q.join_type == "AND"
    (sq,) = [c for c in q.children if c.join_type == "OR"] or [q]
    assert _flat(sq) == {"name__icontains": "陈", "code__icontains": "陈"}
