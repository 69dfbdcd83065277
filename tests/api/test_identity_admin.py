"""Gov, builder and operator administration of orgs, roles, staff and accounts."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import secrets

import pytest
from openpyxl import load_workbook

from app.core.models import AuditLog
from app.identity.models import Account, Org, Role
from app.identity.passwords import hash_password
from app.identity.permissions import grantable
from tests.helpers import DEMO_PASSWORD, fresh_phone


@pytest.fixture
async def company():
    """A builder org of its own with a main account, so locking and resetting it disturbs no other test."""
    tag = secrets.token_hex(3)
    org = await Org.create(kind="BUILDER", name=f"台山市测试建设有限公司{tag}", district_code="440781", level="org")
    role = await Role.create(org=org, name="单位管理员", permissions=sorted(grantable("BUILDER")), builtin=True)
    acc = Account(kind="STAFF", login_name=f"ts_{tag}", name="测试主账号", org_id=org.id, position="supervisor",
                  is_org_main=True, password_hash=await hash_password(DEMO_PASSWORD), phone=fresh_phone())
    await acc.save()
    await acc.roles.add(role)
    return org, acc, role


@pytest.mark.feature("GOV-13-04")
async def test_role_lifecycle_and_audit(api, token):
    t = await token("gov_admin")
    name = f"窗口受理岗{secrets.token_hex(2)}"
    r = await api.post("/api/v1/identity/roles", t, json={"name": name, "description": "受理",
                                                           "permissions": ["identity.org.read", "audit.log.read"]})
    assert r.status_code == 201, r.text
    role = r.json()
    assert role["permissions"] == ["audit.log.read", "identity.org.read"] and role["org_name"] == "江门市住房和城乡建设局"
    assert await AuditLog.filter(action="role.create", object_id=str(role["id"])).exists()

    r = await api.post("/api/v1/identity/roles", t, json={"name": name, "permissions": []})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ROLE_NAME_TAKEN"
    r = await api.post("/api/v1/identity/roles", t, json={"name": "x", "permissions": ["no.such.code"]})
    assert r.status_code == 422 and "no.such.code" in r.json()["error"]["message"]

    r = await api.get("/api/v1/identity/roles", t, params={"name__contains": name[:5], "org_id": 1})
    assert [x["id"] for x in r.json()["items"]] == [role["id"]]

    r = await api.put(f"/api/v1/identity/roles/{role['id']}", t,
                      json={"name": name, "description": "受理", "permissions": ["identity.org.read"]})
    assert r.status_code == 200 and r.json()["permissions"] == ["identity.org.read"]
    log = await AuditLog.filter(action="role.update", object_id=str(role["id"])).first()
    assert log.before == {"permissions": ["audit.log.read", "identity.org.read"]}
    assert log.after == {"permissions": ["identity.org.read"]}

    builtin = await Role.get(org_id=1, name="系统管理员")
    r = await api.delete(f"/api/v1/identity/roles/{builtin.id}", t)
    assert r.status_code == 409 and r.json()["error"]["message"] == "内置角色不能删除"
    r = await api.delete(f"/api/v1/identity/roles/{role['id']}", t)
    assert r.status_code == 200 and not await Role.filter(id=role["id"]).exists()


@pytest.mark.feature("GOV-13-04")
async def test_two_clerks_racing_for_one_role_name_get_one_success(api, token):
    t = await token("gov_admin")
    name = f"并发角色{secrets.token_hex(2)}"
    rs = await asyncio.gather(*[api.post("/api/v1/identity/roles", t, json={"name": name, "permissions": []})
                                for _ in range(6)])
    codes = sorted(r.status_code for r in rs)
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, codes
    assert await Role.filter(org_id=1, name=name).count() == 1


@pytest.mark.feature("GOV-13-04", "GOV-13-06")
async def test_staff_with_two_menu_role_sees_exactly_those(api, token):
    t = await token("gov_admin")
    r = await api.post("/api/v1/identity/roles", t, json={"name": f"两菜单{secrets.token_hex(2)}",
                                                           "permissions": ["identity.org.read", "audit.log.read"]})
    role_id = r.json()["id"]
    r = await api.post("/api/v1/identity/staff", t, json={"name": "吴小丽", "phone": fresh_phone(),
                                                           "id_number": "440703199001011239",
                                                           "position": "clerk", "hired_on": "2026-03-01"})
    assert r.status_code == 201, r.text
    staff = r.json()
    assert staff["id_number"] == "4407**********1239" and staff["login_name"] is None
    login = f"wxl{secrets.token_hex(3)}"
    r = await api.post(f"/api/v1/identity/staff/{staff['id']}/account", t,
                       json={"login_name": login, "password": "Clerk@2026x", "role_ids": [role_id]})
    assert r.status_code == 200 and r.json()["role_names"][0].startswith("两菜单")
    assert r.json()["org_name"] == "江门市住房和城乡建设局"
    r = await api.post(f"/api/v1/identity/staff/{staff['id']}/account", t,
                       json={"login_name": login + "b", "password": "Clerk@2026x", "role_ids": []})
    assert r.status_code == 409
    ct = await api.login(login, "Clerk@2026x")
    me = (await api.get("/api/v1/auth/me", ct)).json()
    assert [c["code"] for m in me["menus"] for c in m["children"]] == ["system.orgs", "system.audit"]
    assert me["account"]["must_change_password"] is True
    r = await api.get("/api/v1/identity/orgs", ct)
    assert r.status_code == 403 and r.json()["error"]["code"] == "PASSWORD_CHANGE_REQUIRED"
    r = await api.post("/api/v1/auth/password", ct, json={"old_password": "Clerk@2026x", "new_password": "Clerk@2026z"})
    assert r.status_code == 200
    ct = await api.login(login, "Clerk@2026z")
    assert (await api.get("/api/v1/auth/me", ct)).json()["account"]["must_change_password"] is False
    assert (await api.get("/api/v1/identity/orgs", ct)).status_code == 200
    assert (await api.get("/api/v1/identity/staff", ct)).status_code == 403
    assert (await api.post("/api/v1/identity/roles", ct, json={"name": "x"})).status_code == 403


@pytest.mark.feature("GOV-13-06", "BLD-04-05")
async def test_staff_input_errors_are_chinese_and_write_nothing(api, token):
    t = await token("builder_admin")
    before = await Account.all().count()
    cases = [
        ({"name": "张三", "phone": "12345", "hired_on": "2026-01-01"}, "phone"),
        ({"name": "张三", "phone": fresh_phone(), "id_number": "440703199001011238", "hired_on": "2026-01-01"},
         "id_number"),
        ({"name": "张三", "phone": fresh_phone()}, "hired_on"),
        ({"name": "张三", "phone": fresh_phone(), "hired_on": "2026-01-01", "position": "boss"}, "position"),
        ({"name": "张三", "phone": fresh_phone(), "hired_on": "2026-01-01", "salary": 1}, "salary"),
    ]
    for body, field in cases:
        r = await api.post("/api/v1/identity/staff", t, json=body)
        assert r.status_code == 422, (body, r.text)
        err = r.json()["error"]
        assert err["code"] == "INVALID_INPUT" and field in err["fields"], err
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err["fields"][field])
    r = await api.post("/api/v1/identity/staff", t, json={"name": "张三", "phone": fresh_phone(),
                                                          "id_number": "440703199001011238", "hired_on": "2026-01-01"})
    assert r.json()["error"]["fields"]["id_number"] == "身份证号码校验位错误"
    assert await Account.all().count() == before


@pytest.mark.feature("BLD-04-04", "BLD-04-05")
async def test_builder_manages_own_roles_and_staff_lifecycle(api, token):
    t = await token("builder_admin")
    me = (await api.get("/api/v1/auth/me", t)).json()
    org_id = me["org"]["id"]
    r = await api.post("/api/v1/identity/roles", t, json={"name": f"项目专员{secrets.token_hex(2)}",
                                                           "permissions": ["identity.staff.read"]})
    assert r.status_code == 201 and r.json()["org_id"] == org_id
    role_id = r.json()["id"]
    r = await api.post("/api/v1/identity/roles", t, json={"name": "越权", "permissions": ["identity.org.read"]})
    assert r.status_code == 422 and "不能授予" in r.json()["error"]["message"]

    r = await api.post("/api/v1/identity/staff", t, json={"name": "黄伟", "phone": fresh_phone(),
                                                           "hired_on": "2026-02-01"})
    sid = r.json()["id"]
    assert r.json()["org_id"] == org_id
    login = f"hw{secrets.token_hex(3)}"
    r = await api.post(f"/api/v1/identity/staff/{sid}/account", t,
                       json={"login_name": login, "password": "Weak", "role_ids": [role_id]})
    assert r.status_code == 422 and "密码" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/identity/staff/{sid}/account", t,
                       json={"login_name": login, "password": "Huang@2026", "role_ids": [role_id]})
    assert r.status_code == 200
    st = await api.login(login, "Huang@2026")

    r = await api.post(f"/api/v1/identity/staff/{sid}/reset-password", t)
    temp = r.json()["temporary_password"]
    assert (await api.get("/api/v1/auth/me", st)).status_code == 401  # reset ends old sessions
    st = await api.login(login, temp)
    assert (await api.get("/api/v1/auth/me", st)).json()["account"]["must_change_password"] is True

    r = await api.put(f"/api/v1/identity/staff/{sid}/roles", t, json={"role_ids": []})
    assert r.status_code == 200 and r.json()["roles"] == []
    assert (await api.get("/api/v1/auth/me", st)).json()["menus"] == []  # takes effect at once

    r = await api.post(f"/api/v1/identity/staff/{sid}/leave", t, json={"left_on": "2026-01-01"})
    assert r.status_code == 422 and "早于入职日期" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/identity/staff/{sid}/leave", t, json={"left_on": "2026-11-30"})
    assert r.status_code == 200 and r.json()["status"] == "left" and r.json()["enabled"] is False
    assert (await api.get("/api/v1/auth/me", st)).status_code == 401
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": temp})
    assert r.status_code == 403 and r.json()["error"]["code"] == "ACCOUNT_DISABLED"

    r = await api.get("/api/v1/identity/staff", t, params={"status": "left"})
    assert sid in [x["id"] for x in r.json()["items"]]
    assert {x["org_id"] for x in r.json()["items"]} == {org_id}
    r = await api.get("/api/v1/identity/staff", t, params={"status": "active", "hired_on__gte": "2026-02-01"})
    assert sid not in [x["id"] for x in r.json()["items"]]


@pytest.mark.feature("OPS-11-04", "OPS-11-05")
async def test_operator_manages_own_staff_and_not_gov_or_builder(api, token):
    t = await token("operator_admin")
    r = await api.post("/api/v1/identity/staff", t, json={"name": "林静", "phone": fresh_phone(),
                                                           "position": "clerk", "hired_on": "2026-04-01"})
    assert r.status_code == 201
    acc = await Account.get(id=r.json()["id"]).prefetch_related("org")
    assert acc.org.name == "江门市保障房运营管理有限公司"
    builder = await Org.get(name="江门市安居建设有限公司")
    n = await Account.filter(org_id=builder.id).count()
    r = await api.post("/api/v1/identity/staff", t, json={"name": "林静", "phone": fresh_phone(),
                                                           "hired_on": "2026-04-01", "org_id": builder.id})
    assert r.status_code in (403, 404)
    assert await Account.filter(org_id=builder.id).count() == n
    r = await api.get("/api/v1/identity/roles", t)
    assert {x["org_id"] for x in r.json()["items"]} == {acc.org_id}


@pytest.mark.feature("GOV-13-05")
async def test_gov_locks_unlocks_resets_and_sets_roles_of_org_main_account(api, token, company):
    org, main, role = company
    t = await token("gov_admin")
    mt = await api.login(main.login_name)
    r = await api.get("/api/v1/identity/orgs", t, params={"kind": "BUILDER", "name__contains": "台山市测试"})
    row = next(x for x in r.json()["items"] if x["id"] == org.id)
    assert row["main_account"]["login_name"] == main.login_name and row["staff_count"] == 1

    r = await api.post(f"/api/v1/identity/orgs/{org.id}/main-account/lock", t)
    assert r.status_code == 200 and r.json()["locked"] is True
    assert (await api.get("/api/v1/auth/me", mt)).status_code == 401
    r = await api.client.post("/api/v1/auth/login", json={"username": main.login_name, "password": DEMO_PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["message"] == "账号已被管理员锁定，请联系管理员"
    await api.post(f"/api/v1/identity/orgs/{org.id}/main-account/unlock", t)
    await api.login(main.login_name)

    r = await api.post(f"/api/v1/identity/orgs/{org.id}/main-account/reset-password", t)
    temp = r.json()["temporary_password"]
    assert len(temp) >= 12
    await api.login(main.login_name, temp)
    assert await AuditLog.filter(action="account.password_reset", object_id=str(main.id)).exists()

    gov_role = await Role.get(org_id=1, name="业务员")
    r = await api.put(f"/api/v1/identity/orgs/{org.id}/main-account/roles", t, json={"role_ids": [gov_role.id]})
    assert r.status_code == 422  # a role of another org
    r = await api.put(f"/api/v1/identity/orgs/{org.id}/main-account/roles", t, json={"role_ids": [role.id]})
    assert r.status_code == 200 and r.json()["role_ids"] == [role.id]

    r = await api.get(f"/api/v1/identity/orgs/{org.id}", await token("pj_clerk"))
    assert r.status_code == 404  # 台山 is not 蓬江's district
    r = await api.post(f"/api/v1/identity/orgs/{org.id}/main-account/lock", await token("gov_clerk"))
    assert r.status_code == 403
    assert not (await Account.get(id=main.id)).locked


@pytest.mark.feature("GOV-13-07")
async def test_accounts_enable_disable_phone_and_ca(api, token, company):
    _, main, _ = company
    t = await token("gov_admin")
    path = f"/api/v1/identity/accounts/{main.id}"
    mt = await api.login(main.login_name)
    r = await api.post(path + "/disable", t)
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert (await api.get("/api/v1/auth/me", mt)).status_code == 401
    r = await api.post(path + "/enable", t)
    assert r.json()["enabled"] is True

    r = await api.put(path + "/phone", t, json={"phone": "1380000"})
    assert r.status_code == 422 and "手机号" in r.json()["error"]["fields"]["phone"]
    phone = fresh_phone()
    r = await api.put(path + "/phone", t, json={"phone": phone})
    assert r.json()["phone"] == phone[:3] + "****" + phone[-4:]
    assert (await Account.get(id=main.id)).phone == phone

    r = await api.post(path + "/ca/enable", t)
    assert r.status_code == 409 and r.json()["error"]["code"] == "NO_CA_CERT"
    r = await api.put(path + "/ca", t, json={"ca_cert_sn": "5a:3f:01:9c", "ca_cert_subject": "CN=测试主账号,O=台山",
                                             "ca_valid_to": "2020-01-01"})
    assert r.status_code == 422 and "过期" in r.json()["error"]["message"]
    r = await api.put(path + "/ca", t, json={"ca_cert_sn": "5a:3f:01:9c", "ca_cert_subject": "CN=测试主账号,O=台山",
                                             "ca_valid_to": "2030-01-01"})
    assert r.json()["ca_cert_sn"] == "5A:3F:01:9C" and r.json()["ca_enabled"] is True
    assert (await api.post(path + "/ca/disable", t)).json()["ca_enabled"] is False
    assert (await api.post(path + "/ca/enable", t)).json()["ca_enabled"] is True
    r = await api.delete(path + "/ca", t)
    assert r.json()["ca_cert_sn"] is None and r.json()["ca_enabled"] is False
    acts = [a.action for a in await AuditLog.filter(object_type="account", object_id=str(main.id)).order_by("id")]
    for a in ("account.disable", "account.enable", "account.phone", "account.ca_bind", "account.ca_disable",
              "account.ca_enable", "account.ca_unbind"):
        assert a in acts

    r = await api.get("/api/v1/identity/accounts", t, params={"kind": "PERSON"})
    assert r.json()["total"] >= 2 and {x["kind"] for x in r.json()["items"]} == {"PERSON"}
    me_id = (await api.get("/api/v1/auth/me", t)).json()["account"]["id"]
    r = await api.post(f"/api/v1/identity/accounts/{me_id}/disable", t)
    assert r.status_code == 422 and r.json()["error"]["message"] == "不能停用自己的账号"


@pytest.mark.feature("GOV-13-06", "GOV-13-07")
async def test_unmask_needs_pii_view_and_is_audited(api, token):
    r = await api.get("/api/v1/identity/staff", await token("gov_clerk"), params={"unmask": "1"})
    assert r.status_code == 403 and r.json()["error"]["message"] == "无权查看完整个人信息"
    t = await token("gov_admin")
    n = await AuditLog.filter(action="pii.view").count()
    r = await api.get("/api/v1/identity/staff", t, params={"unmask": "1", "login_name": "gov_clerk"})
    (row,) = r.json()["items"]
    assert row["phone"] == "13800000102"
    assert await AuditLog.filter(action="pii.view").count() == n + 1
    r = await api.get("/api/v1/identity/staff", t, params={"login_name": "gov_clerk"})
    assert r.json()["items"][0]["phone"] == "138****0102"


@pytest.mark.feature("GOV-13-05", "GOV-13-06")
async def test_lists_combined_filters_sort_paging_and_xlsx_export(api, token):
    t = await token("gov_admin")
    r = await api.get("/api/v1/identity/orgs", t, params={"kind__in": "BUILDER,OPERATOR", "sort": "-name",
                                                          "page_size": 2, "page": 1})
    body = r.json()
    assert body["total"] >= 4 and body["page_size"] == 2 and len(body["items"]) == 2
    names = [x["name"] for x in body["items"]]
    assert names == sorted(names, reverse=True)
    r = await api.get("/api/v1/identity/orgs", t, params={"kind": "GOV", "district_code": "440784"})
    assert [x["name"] for x in r.json()["items"]] == ["鹤山市住房和城乡建设局"]
    r = await api.get("/api/v1/identity/orgs", t, params={"sort": "contact_phone"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"sort": "不支持的排序字段"}
    r = await api.get("/api/v1/identity/orgs", t, params={"page_size": "1000"})
    assert r.status_code == 422

    r = await api.get("/api/v1/identity/orgs", t, params={"kind": "GOV", "format": "xlsx"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][:4] == ("ID", "单位名称", "单位类型", "统一社会信用代码")
    assert len(rows) - 1 == 8 and {row[2] for row in rows[1:]} == {"住建部门"}
    assert rows[1][6] == "138****0100" and all("****" in (row[6] or "****") for row in rows[1:])  # phones stay masked in exports


@pytest.mark.feature("BLD-04-01", "OPS-11-01")
async def test_builders_and_operators_read_their_own_org_only(api, token):
    for login, name in (("builder_admin", "江门市安居建设有限公司"), ("operator_admin", "江门市保障房运营管理有限公司")):
        r = await api.get("/api/v1/identity/org-self", await token(login))
        assert r.status_code == 200 and r.json()["name"] == name and r.json()["credit_code"]
        assert "*" in (r.json()["contact_phone"] or "*")  # masked
    assert (await api.get("/api/v1/identity/org-self", await token("gov_clerk"))).status_code == 403


# ---- locked-out staff: the lock shows with its end, and an admin with the permission unlocks ------

@pytest.mark.feature("GOV-13-06", "GOV-13-07")
async def test_locked_out_staff_shows_until_when_and_an_admin_unlocks_it(api, token, new_staff):
    login, password, acc_id = await new_staff()
    t = await token("gov_admin")
    r = await api.get(f"/api/v1/identity/staff/{acc_id}", t)
    assert (r.json()["lock_state"], r.json()["locked_until"]) == ("none", None)
    for i in range(5):
        r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": f"Bad@pass{i}"})
    assert r.status_code == 429

    r = await api.get(f"/api/v1/identity/staff/{acc_id}", t)
    body = r.json()
    assert body["lock_state"] == "login_failures" and body["lock_state_label"] == "登录失败锁定"
    assert body["locked"] is False  # not an administrator's lock
    until = dt.datetime.fromisoformat(body["locked_until"])
    left = (until - dt.datetime.now(dt.timezone.utc)).total_seconds()
    assert 14 * 60 < left <= 15 * 60 + 1
    r = await api.get("/api/v1/identity/staff", t, params={"login_name": login})
    (row,) = r.json()["items"]
    assert row["lock_state"] == "login_failures" and row["locked_until"] == body["locked_until"]

    # without the permission, or outside the scope: refused, still locked
    r = await api.post(f"/api/v1/identity/staff/{acc_id}/unlock", await token("gov_clerk"))
    assert r.status_code == 403 and "解锁" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/identity/staff/{acc_id}/unlock", await token("builder_admin"))
    assert r.status_code == 404
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    assert r.status_code == 429

    r = await api.post(f"/api/v1/identity/staff/{acc_id}/unlock", t)
    assert r.status_code == 200, r.text
    assert (r.json()["lock_state"], r.json()["locked_until"]) == ("none", None)
    log = await AuditLog.filter(action="account.unlock", object_id=str(acc_id)).order_by("-id").first()
    assert log.before == {"locked": False, "locked_until": body["locked_until"]}
    assert log.after == {"locked": False, "locked_until": None}
    await api.login(login, password)
    r = await api.post(f"/api/v1/identity/staff/{acc_id}/unlock", t)
    assert r.status_code == 409 and r.json()["error"] == {"code": "NOT_LOCKED", "message": "该账号未被锁定",
                                                          "fields": {}}


@pytest.mark.feature("GOV-13-05", "GOV-13-07")
async def test_an_administrators_lock_shows_and_staff_unlock_lifts_it(api, token, company):
    org, main, _ = company
    t = await token("gov_admin")
    r = await api.post(f"/api/v1/identity/orgs/{org.id}/main-account/lock", t)
    assert r.status_code == 200
    r = await api.get(f"/api/v1/identity/staff/{main.id}", t)
    assert (r.json()["lock_state"], r.json()["lock_state_label"], r.json()["locked_until"]) == \
        ("admin", "管理员锁定", None)
    r = await api.get("/api/v1/identity/staff", t, params={"locked": "true", "org_id": org.id})
    assert [x["id"] for x in r.json()["items"]] == [main.id]
    r = await api.post(f"/api/v1/identity/staff/{main.id}/unlock", t)
    assert r.status_code == 200 and r.json()["locked"] is False
    assert (await Account.get(id=main.id)).locked is False
    await api.login(main.login_name)


# ---- never leave an org without an enabled account able to manage roles (fuzz finding) ---------

@pytest.mark.feature("GOV-13-04", "BLD-04-04")
async def test_the_admin_cannot_edit_their_own_role_down_to_nothing(api, company):
    org, main, role = company
    mt = await api.login(main.login_name)
    before = sorted(role.permissions)
    n_audit = await AuditLog.filter(object_type="role", object_id=str(role.id)).count()
    r = await api.put(f"/api/v1/identity/roles/{role.id}", mt, json={"name": role.name, "permissions": []})
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "LAST_ROLE_MANAGER"
    assert "没有任何可维护角色的启用账号" in r.json()["error"]["message"]
    assert sorted((await Role.get(id=role.id)).permissions) == before  # nothing written
    assert await AuditLog.filter(object_type="role", object_id=str(role.id)).count() == n_audit
    # taking only the role-management code away is the same change
    r = await api.put(f"/api/v1/identity/roles/{role.id}", mt,
                      json={"name": role.name, "permissions": [c for c in before if c != "identity.role.write"]})
    assert r.status_code == 409
    # nor can the last manager drop the role from their own account
    r = await api.put(f"/api/v1/identity/staff/{main.id}/roles", mt, json={"role_ids": []})
    assert r.status_code == 409 and r.json()["error"]["code"] == "LAST_ROLE_MANAGER"
    assert [x.id for x in await (await Account.get(id=main.id)).roles.all()] == [role.id]
    # the rest of the role can still change
    r = await api.put(f"/api/v1/identity/roles/{role.id}", mt,
                      json={"name": role.name, "permissions": ["identity.role.read", "identity.role.write"]})
    assert r.status_code == 200 and r.json()["permissions"] == ["identity.role.read", "identity.role.write"]


@pytest.mark.feature("GOV-13-04", "GOV-13-07")
async def test_a_second_manager_makes_the_change_possible_and_gov_keeps_one(api, token, company):
    org, main, role = company
    mt = await api.login(main.login_name)
    r = await api.post("/api/v1/identity/staff", mt, json={"name": "副管理员", "phone": fresh_phone(),
                                                            "hired_on": "2026-01-05"})
    deputy = r.json()["id"]
    r = await api.post(f"/api/v1/identity/staff/{deputy}/account", mt,
                       json={"login_name": f"dep{secrets.token_hex(3)}", "password": "Deputy@2026", "role_ids": [role.id]})
    assert r.status_code == 200, r.text
    r = await api.put(f"/api/v1/identity/staff/{main.id}/roles", mt, json={"role_ids": []})
    assert r.status_code == 200  # the deputy still manages roles
    # A gov org: the housing bureau cannot disable the last account able to manage its roles.
    tag = secrets.token_hex(3)
    gov = await Org.create(kind="GOV", name=f"测试住建部门{tag}", district_code="440785", level="district")
    grole = await Role.create(org=gov, name="管理员", permissions=["identity.role.read", "identity.role.write"])
    only = Account(kind="STAFF", login_name=f"gm_{tag}", name="唯一管理员", org_id=gov.id,
                   password_hash=await hash_password(DEMO_PASSWORD), phone=fresh_phone())
    await only.save()
    await only.roles.add(grole)
    try:
        t = await token("gov_admin")
        r = await api.post(f"/api/v1/identity/accounts/{only.id}/disable", t)
        assert r.status_code == 409 and r.json()["error"]["code"] == "LAST_ROLE_MANAGER"
        assert (await Account.get(id=only.id)).enabled is True
        assert not await AuditLog.filter(action="account.disable", object_id=str(only.id)).exists()
    finally:  # other tests count the gov orgs
        await only.roles.clear()
        await only.delete()
        await gov.delete()
