"""Identity HTTP API: staff auth (/api/v1/auth), admin (/api/v1/identity), public auth and /api/me."""
from __future__ import annotations

import datetime as dt

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi
from tortoise.functions import Count

from app.config import get_settings
from app.core import audit
from app.core.errors import Forbidden, InvalidInput, NotFound
from app.core.http import body, flag, parse, query
from app.core.lists import Col, ListSpec, respond_list
from app.identity import permissions as P
from app.identity import schemas as S
from app.identity import second_factor, service
from app.identity.guard import (
    actor_of, authenticated, before_password_change, bearer, client_ip, person, perm, public, staff,
)
from app.identity.lists import list_route
from app.identity.models import Account, Org, Role
from app.identity.scope import get_scoped, scoped

bp_auth = Blueprint("auth", url_prefix="/api/v1/auth")
bp_identity = Blueprint("identity", url_prefix="/api/v1/identity")
bp_public = Blueprint("public_auth", url_prefix="/api/public")
bp_me = Blueprint("me", url_prefix="/api/me")

POSITION = {"supervisor": "业务主管", "clerk": "普通业务人员"}
ORG_KIND = {"GOV": "住建部门", "BUILDER": "建设单位", "OPERATOR": "运营单位"}
ACCOUNT_KIND = {"STAFF": "单位用户", "PERSON": "个人用户", "PARTNER": "接口账号"}
LOCK_STATE = {"none": "正常", "admin": "管理员锁定", "login_failures": "登录失败锁定"}


def _reveal(request: Request) -> bool:
    """`?unmask=1` shows full PII to holders of pii.view; each such view is audited."""
    if not flag(request, "unmask"):
        return False
    if not actor_of(request).has("pii.view"):
        raise Forbidden("无权查看完整个人信息")
    return True


async def _audit_reveal(request: Request, object_type: str, items: list[dict]) -> None:
    if items and flag(request, "unmask"):
        await audit.record("pii.view", object_type, ",".join(str(i["id"]) for i in items)[:64],
                           summary=f"查看完整个人信息 {len(items)} 条", only_changes=False,
                           after={"ids": [i["id"] for i in items]})


def lock_fields(a: Account, login_locked_until: dt.datetime | None) -> dict:
    """How the account is locked, if it is: by an administrator (until unlocked) or after failed
    logins (until the time shown)."""
    if a.locked:
        state = "admin"
    elif login_locked_until is not None:
        state = "login_failures"
    else:
        state = "none"
    return {"lock_state": state, "lock_state_label": LOCK_STATE[state],
            "locked_until": S.d(login_locked_until) if state == "login_failures" else None}


def account_out(a: Account, reveal: bool = False, roles: list[Role] | None = None,
                login_locked_until: dt.datetime | None = None) -> dict:
    org = getattr(a, "org", None)
    org = org if isinstance(org, Org) else None
    out = {
        "id": a.id, "kind": a.kind, "login_name": a.login_name, "name": a.name,
        "org_id": a.org_id, "org_name": org.name if org else None, "org_kind": org.kind if org else None,
        "position": a.position, "is_org_main": a.is_org_main,
        "phone": S.pii(a.phone, "phone", reveal), "id_number": S.pii(a.id_number, "id", reveal),
        "enabled": a.enabled, "locked": a.locked, "must_change_password": a.must_change_password,
        **lock_fields(a, login_locked_until), "second_factor": a.second_factor,
        "ca_cert_sn": a.ca_cert_sn, "ca_cert_subject": a.ca_cert_subject, "ca_valid_to": S.d(a.ca_valid_to),
        "ca_enabled": a.ca_enabled, "hired_on": S.d(a.hired_on), "left_on": S.d(a.left_on),
        "status": "left" if a.left_on else "active",
        "last_login_at": S.d(a.last_login_at), "created_at": S.d(a.created_at),
    }
    if roles is not None:
        out["roles"] = [{"id": r.id, "name": r.name} for r in roles]
        out["role_names"] = [r.name for r in roles]
    return out


# ---- staff auth ------------------------------------------------------------------------------

def _challenge_out(r: service.StaffLogin) -> dict:
    return {"second_factor": "sms", "challenge_token": r.challenge_token, "ref": r.challenge.ref,
            "phone": S.pii(r.account.phone, "phone", False), "expires_in": get_settings().sms_code_ttl_seconds,
            "resend_after": get_settings().login_code_resend_seconds}


@bp_auth.post("/login")
@openapi.summary("单位用户登录第一步：账号密码（PUB-01-03）")
@openapi.description(
    "账号无需二次验证时直接返回 `token` 和 `account`。账号的角色（或本人）要求二次验证时：经 nginx 客户端证书"
    "认证的连接上出示了账号绑定的 CA 证书，同样直接返回 `token`（factor=ca）；否则不返回 token，而返回"
    "`second_factor`=\"sms\"、`challenge_token`、`ref`（短信中的编号）、`phone`（脱敏）、`expires_in` 秒，"
    "并向登记手机发送验证码，再调用 /api/v1/auth/login/verify 完成登录。密码错误与验证码错误合并计入登录失败锁定。")
@body(S.StaffLogin)
@public
async def staff_login(request: Request):
    p = parse(request, S.StaffLogin)
    r = await service.login_staff(p.username, p.password, second_factor.client_cert_from(request.headers, request.ip),
                                  request.app.ctx.sms)
    if r.token is None:
        return json(_challenge_out(r))
    await r.account.fetch_related("org")
    return json({"token": r.token, "factor": r.factor, "account": account_out(r.account)})


@bp_auth.post("/login/verify")
@openapi.summary("单位用户登录第二步：短信验证码（GOV-13-07）")
@openapi.description("用第一步返回的 challenge_token 和短信验证码换取登录令牌。验证码错误计入登录失败次数；"
                     "challenge_token 与验证码同时失效（5分钟）。")
@body(S.LoginVerify)
@public
async def staff_login_verify(request: Request):
    p = parse(request, S.LoginVerify)
    token, acc = await service.verify_login_code(p.challenge_token, p.code)
    await acc.fetch_related("org")
    return json({"token": token, "factor": "sms", "account": account_out(acc)})


@bp_auth.post("/login/resend")
@openapi.summary("重新发送登录短信验证码")
@body(S.LoginChallenge)
@public
async def staff_login_resend(request: Request):
    p = parse(request, S.LoginChallenge)
    ch = await service.resend_login_code(p.challenge_token, request.app.ctx.sms)
    return json({"ok": True, "ref": ch.ref, "expires_in": get_settings().sms_code_ttl_seconds,
                 "resend_after": get_settings().login_code_resend_seconds})


@bp_auth.put("/second-factor")
@openapi.summary("本人开启或关闭登录短信二次验证（角色要求时始终须验证）")
@body(S.SecondFactorIn)
@staff
async def staff_second_factor(request: Request):
    acc = await service.set_own_second_factor(actor_of(request), parse(request, S.SecondFactorIn).enabled)
    return json({"second_factor": acc.second_factor, "required": await service.needs_second_factor(acc)})


async def _me_payload(request: Request) -> dict:
    actor = actor_of(request)
    acc = await Account.filter(id=actor.account_id).select_related("org").first()
    org = acc.org
    perms = set(actor.permissions)
    return {
        "account": account_out(acc),
        "org": {"id": org.id, "name": org.name, "kind": org.kind, "district_code": org.district_code,
                "level": org.level} if org else None,
        "permissions": sorted(perms),
        "menus": P.menus_for(perms),
        "scope": actor.scope,
    }


@bp_auth.get("/me")
@openapi.summary("当前登录账号、单位、权限和菜单")
@authenticated
@before_password_change
async def me(request: Request):
    return json(await _me_payload(request))


@bp_auth.post("/logout")
@openapi.summary("退出登录，令牌立即失效")
@authenticated
@before_password_change
async def staff_logout(request: Request):
    await service.logout(bearer(request))
    return json({"ok": True})


@bp_auth.post("/password")
@openapi.summary("修改本人密码（修改后需重新登录）")
@body(S.ChangePassword)
@authenticated
@before_password_change
async def staff_password(request: Request):
    await service.change_password(actor_of(request), parse(request, S.ChangePassword))
    return json({"ok": True, "relogin": True})


# ---- public: person registration and login -------------------------------------------------

@bp_public.post("/sms/codes")
@openapi.summary("获取短信验证码（注册、重置密码）")
@body(S.SmsCodeRequest)
@public
async def public_sms_code(request: Request):
    p = parse(request, S.SmsCodeRequest)
    await service.send_public_code(p.phone, p.purpose, client_ip(request), request.app.ctx.sms)
    return json({"ok": True, "message": "验证码已发送，5分钟内有效"})


@bp_public.post("/auth/register")
@openapi.summary("个人用户注册（PUB-01-02, MOB-01-01）")
@body(S.Register)
@public
async def public_register(request: Request):
    acc = await service.register_person(parse(request, S.Register))
    return json({"account": account_out(acc)}, status=201)


@bp_public.post("/auth/login")
@openapi.summary("个人用户登录：身份证号+密码（PUB-01-04, MOB-01-02）")
@body(S.PersonLogin)
@public
async def public_login(request: Request):
    p = parse(request, S.PersonLogin)
    token, acc = await service.login_person(p.id_number, p.password)
    return json({"token": token, "account": account_out(acc)})


@bp_public.post("/auth/password-reset")
@openapi.summary("个人用户重置密码：手机号+验证码（PUB-01-05, MOB-01-03）")
@body(S.PasswordReset)
@public
async def public_password_reset(request: Request):
    await service.reset_password(parse(request, S.PasswordReset))
    return json({"ok": True})


# ---- /api/me: the person's own account ------------------------------------------------------

@bp_me.get("/profile")
@openapi.summary("本人账号信息")
@person
async def me_profile(request: Request):
    acc = await Account.get(id=actor_of(request).account_id)
    return json({"account": account_out(acc)})


@bp_me.post("/sms/codes")
@openapi.summary("获取短信验证码（修改密码、更换手机号）")
@body(S.MeSmsCodeRequest)
@person
async def me_sms_code(request: Request):
    p = parse(request, S.MeSmsCodeRequest)
    await service.send_me_code(actor_of(request), p.purpose, p.phone, client_ip(request),
                               request.app.ctx.sms)
    return json({"ok": True, "message": "验证码已发送，5分钟内有效"})


@bp_me.post("/password")
@openapi.summary("修改密码：原密码或绑定手机验证码（PUB-08-04-1, MOB-07-06-1）")
@body(S.ChangePassword)
@person
async def me_password(request: Request):
    await service.change_password(actor_of(request), parse(request, S.ChangePassword))
    return json({"ok": True, "relogin": True})


@bp_me.post("/phone")
@openapi.summary("更换手机号（PUB-08-04-2, MOB-07-06-2）")
@body(S.ChangePhone)
@person
async def me_phone(request: Request):
    await service.change_phone(actor_of(request), parse(request, S.ChangePhone))
    return json({"ok": True})


@bp_me.post("/logout")
@openapi.summary("退出登录（PUB-08-06, MOB-09-00）")
@person
async def me_logout(request: Request):
    await service.logout(bearer(request))
    return json({"ok": True})


# ---- admin: orgs ------------------------------------------------------------------------------

async def _orgs_out(orgs: list[Org], reveal: bool = False) -> list[dict]:
    ids = [o.id for o in orgs]
    mains = {a.org_id: a for a in await Account.filter(org_id__in=ids, is_org_main=True)} if ids else {}
    counts = {r["org_id"]: r["n"] for r in await Account.filter(org_id__in=ids, kind="STAFF", left_on__isnull=True)
              .group_by("org_id").annotate(n=Count("id")).values("org_id", "n")} if ids else {}
    out = []
    for o in orgs:
        m = mains.get(o.id)
        out.append({
            "id": o.id, "kind": o.kind, "name": o.name, "credit_code": o.credit_code, "parent_id": o.parent_id,
            "district_code": o.district_code, "level": o.level, "address": o.address,
            "contact_name": o.contact_name, "contact_phone": S.pii(o.contact_phone, "phone", reveal),
            "enabled": o.enabled, "staff_count": counts.get(o.id, 0), "created_at": S.d(o.created_at),
            "main_account": {"id": m.id, "login_name": m.login_name, "locked": m.locked,
                             "enabled": m.enabled} if m else None,
        })
    return out


ORG_LIST = ListSpec(
    title="单位列表",
    cols=[
        Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True),
        Col("name", "单位名称", ops=("eq", "contains"), sortable=True),
        Col("kind", "单位类型", ops=("eq", "in"), choices=ORG_KIND),
        Col("credit_code", "统一社会信用代码", ops=("eq", "contains")),
        Col("district_code", "行政区划", ops=("eq", "in")),
        Col("contact_name", "联系人", ops=("eq", "contains")),
        Col("contact_phone", "联系电话", ops=()),
        Col("enabled", "启用", kind="bool"),
        Col("staff_count", "在职员工数", ops=()),
        Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    ],
    serialize=_orgs_out, search=["name", "credit_code", "contact_name"], default_sort="id",
)


list_route(bp_identity, "/orgs", Org, ORG_LIST, name="org_list",
           summary="单位查询（GOV-13-05）",
           access=perm("identity.org.read"))


@bp_identity.get("/orgs/<org_id:int>")
@openapi.summary("单位详情")
@perm("identity.org.read")
async def org_detail(request: Request, org_id: int):
    reveal = _reveal(request)
    org = await get_scoped(Org, actor_of(request), org_id)
    (out,) = await _orgs_out([org], reveal)
    await _audit_reveal(request, "org", [out])
    return json(out)


@bp_identity.get("/org-self")
@openapi.summary("本单位信息（BLD-04-01, OPS-11-01）：建设、运营单位查看本单位登记信息")
@perm("identity.org.self")
async def org_self(request: Request):
    org = await Org.filter(id=actor_of(request).org_id or 0).first()
    if org is None:
        raise NotFound()
    (out,) = await _orgs_out([org], False)
    return json(out)


def _toggle(path: str, param: str, on: tuple[str, str, str], off: tuple[str, str, str], code: str,
            change, shape) -> None:  # noqa: ANN001
    """Two routes for one switch: POST `path`/<verb> calls `change(actor, id, True|False)`.
    `on` and `off` are (path verb, route name, OpenAPI summary)."""
    for value, (verb, name, summary) in ((True, on), (False, off)):
        def make(value: bool = value):  # noqa: ANN202 - binds this loop's value
            async def handler(request: Request, **ids):  # noqa: ANN003, ANN202
                return json(shape(await change(actor_of(request), ids[param], value)))
            return handler
        handler = make()
        handler.__name__ = handler.__qualname__ = name
        bp_identity.add_route(perm(code)(openapi.summary(summary)(handler)), f"{path}/{verb}",
                              methods=["POST"], name=name)


_toggle("/orgs/<org_id:int>/main-account", "org_id", ("lock", "org_lock", "锁定单位主账号"),
        ("unlock", "org_unlock", "解锁单位主账号（同时解除登录失败锁定）"), "identity.org.manage",
        service.lock_main_account, lambda acc: {"id": acc.id, "locked": acc.locked})


@bp_identity.post("/orgs/<org_id:int>/main-account/reset-password")
@openapi.summary("重置单位主账号密码，返回一次性临时密码")
@perm("identity.org.manage")
async def org_reset_password(request: Request, org_id: int):
    return json({"temporary_password": await service.reset_main_password(actor_of(request), org_id)})


@bp_identity.put("/orgs/<org_id:int>/main-account/roles")
@openapi.summary("设置单位主账号角色")
@body(S.RoleIds)
@perm("identity.org.manage")
async def org_main_roles(request: Request, org_id: int):
    acc = await service.set_main_roles(actor_of(request), org_id, parse(request, S.RoleIds).role_ids)
    return json({"id": acc.id, "role_ids": [r.id for r in await acc.roles.all()]})


# ---- admin: roles -----------------------------------------------------------------------------

async def _roles_out(roles: list[Role]) -> list[dict]:
    ids = [r.id for r in roles]
    counts = {x["id"]: x["n"] for x in await Role.filter(id__in=ids).annotate(n=Count("accounts"))
              .values("id", "n")} if ids else {}
    orgs = {o.id: o.name for o in await Org.filter(id__in={r.org_id for r in roles})} if roles else {}
    return [{"id": r.id, "org_id": r.org_id, "org_name": orgs.get(r.org_id), "name": r.name,
             "description": r.description, "permissions": r.permissions, "permission_count": len(r.permissions),
             "account_count": counts.get(r.id, 0), "builtin": r.builtin, "second_factor": r.second_factor,
             "updated_at": S.d(r.updated_at)}
            for r in roles]


ROLE_LIST = ListSpec(
    title="角色列表",
    cols=[
        Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True),
        Col("name", "角色名称", ops=("eq", "contains"), sortable=True),
        Col("org_id", "所属单位ID", kind="int", ops=("eq", "in")),
        Col("org_name", "所属单位", field="org__name", ops=("contains",)),
        Col("description", "说明", ops=("contains",)),
        Col("permission_count", "权限数", ops=()),
        Col("account_count", "账号数", ops=()),
        Col("builtin", "内置", kind="bool"),
        Col("second_factor", "登录二次验证", kind="bool"),
        Col("updated_at", "更新时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    ],
    serialize=_roles_out, search=["name", "description"], default_sort="id",
)


list_route(bp_identity, "/roles", Role, ROLE_LIST, name="role_list",
           summary="角色查询（GOV-13-04, BLD-04-04, OPS-11-04）",
           access=perm("identity.role.read"))


@bp_identity.get("/roles/<role_id:int>")
@openapi.summary("角色详情")
@perm("identity.role.read")
async def role_detail(request: Request, role_id: int):
    (out,) = await _roles_out([await get_scoped(Role, actor_of(request), role_id)])
    return json(out)


@bp_identity.post("/roles")
@openapi.summary("新增角色并分配菜单权限")
@body(S.RoleIn)
@perm("identity.role.write")
async def role_create(request: Request):
    role = await service.create_role(actor_of(request), parse(request, S.RoleIn))
    (out,) = await _roles_out([role])
    return json(out, status=201)


@bp_identity.put("/roles/<role_id:int>")
@openapi.summary("修改角色")
@body(S.RoleIn)
@perm("identity.role.write")
async def role_update(request: Request, role_id: int):
    role = await service.update_role(actor_of(request), role_id, parse(request, S.RoleIn))
    (out,) = await _roles_out([role])
    return json(out)


@bp_identity.delete("/roles/<role_id:int>")
@openapi.summary("删除角色（仍有账号使用时不能删除）")
@perm("identity.role.write")
async def role_delete(request: Request, role_id: int):
    await service.delete_role(actor_of(request), role_id)
    return json({"ok": True})


@bp_identity.get("/menus/catalogue")
@openapi.summary("可分配的菜单和权限树（按本单位类型）")
@perm("identity.role.read")
async def menu_catalogue(request: Request):
    return json(P.catalogue_for(actor_of(request).org_kind))


# ---- admin: staff and accounts -------------------------------------------------------------

async def _accounts_out(accs: list[Account], reveal: bool = False) -> list[dict]:
    locks = await service.login_locks(accs)
    return [account_out(a, reveal, list(a.roles), locks.get(a.id)) for a in accs]


def _account_cols(title: str) -> list[Col]:
    return [
        Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True),
        Col("name", "姓名", ops=("eq", "contains"), sortable=True),
        Col("login_name", "登录名", ops=("eq", "contains"), sortable=True),
        Col("org_id", "单位ID", kind="int", ops=("eq", "in")),
        Col("org_name", "所属单位", field="org__name", ops=("contains",)),
        Col("org_kind", "单位类型", field="org__kind", ops=("eq", "in"), choices=ORG_KIND),
        Col("position", "岗位", ops=("eq",), choices=POSITION),
        Col("phone", "手机号", field="phone_idx", ops=()),
        Col("role_names", "角色", ops=()),
        Col("enabled", "启用", kind="bool"),
        Col("locked", "管理员锁定", kind="bool"),
        Col("lock_state_label", "锁定状态", ops=()),
        Col("locked_until", "锁定至", ops=()),
        Col("ca_cert_sn", "CA证书序列号", ops=("eq", "isnull")),
        Col("ca_enabled", "CA证书启用", kind="bool"),
        Col("hired_on", "入职日期", kind="date", ops=("eq", "gte", "lte"), sortable=True),
        Col("left_on", "离职日期", kind="date", ops=("eq", "gte", "lte", "isnull"), sortable=True),
        Col("last_login_at", "最近登录", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    ]


STAFF_LIST = ListSpec(title="员工列表", cols=_account_cols("员工") + [
    Col("status", "状态", ops=()),
], extra_params={"status"}, serialize=_accounts_out, search=["name", "login_name", "org__name"], default_sort="id", prefetch=("roles",))
ACCOUNT_LIST = ListSpec(title="账号列表", cols=_account_cols("账号") + [
    Col("kind", "账号类型", ops=("eq", "in"), choices=ACCOUNT_KIND),
], serialize=_accounts_out, search=["name", "login_name", "org__name"], default_sort="id", prefetch=("roles",))


def _status_filter(request: Request, qs):  # noqa: ANN001, ANN202
    """`status=active|left` is how a clerk thinks of left_on."""
    st = request.args.get("status")
    if st == "active":
        return qs.filter(left_on__isnull=True)
    if st == "left":
        return qs.filter(left_on__isnull=False)
    if st:
        raise InvalidInput("状态只能是 active 或 left", fields={"status": "取值不在允许范围内"})
    return qs


async def _list_accounts(request: Request, qs, spec: ListSpec):  # noqa: ANN001, ANN202
    reveal = _reveal(request)
    shown: list[dict] = []

    async def ser(items):  # noqa: ANN001, ANN202
        out = await _accounts_out(items, reveal)
        shown.extend(out)
        return out
    resp = await respond_list(request, qs.select_related("org"), spec, serialize=ser)
    await _audit_reveal(request, "account", shown)
    return resp


@bp_identity.get("/staff")
@openapi.summary("员工查询（GOV-13-06, BLD-04-05, OPS-11-05）")
@query(STAFF_LIST.openapi_params())
@perm("identity.staff.read")
async def staff_list(request: Request):
    qs = _status_filter(request, scoped(Account, actor_of(request)).filter(kind="STAFF"))
    return await _list_accounts(request, qs, STAFF_LIST)


@bp_identity.get("/staff/<account_id:int>")
@openapi.summary("员工详情")
@perm("identity.staff.read")
async def staff_detail(request: Request, account_id: int):
    reveal = _reveal(request)
    acc = await scoped(Account, actor_of(request)).filter(id=account_id, kind="STAFF").select_related("org").first()
    if acc is None:
        raise NotFound()
    out = account_out(acc, reveal, await acc.roles.all(), (await service.login_locks([acc])).get(acc.id))
    await _audit_reveal(request, "account", [out])
    return json(out)


@bp_identity.post("/staff/<account_id:int>/unlock")
@openapi.summary("解锁员工账号：解除登录失败锁定和管理员锁定（审计）")
@perm("identity.staff.unlock")
async def staff_unlock(request: Request, account_id: int):
    acc = await service.unlock_account(actor_of(request), account_id)
    await acc.fetch_related("org")
    return json(account_out(acc, roles=await acc.roles.all()))


@bp_identity.post("/staff")
@openapi.summary("登记入职")
@body(S.StaffIn)
@perm("identity.staff.write")
async def staff_create(request: Request):
    acc = await service.create_staff(actor_of(request), parse(request, S.StaffIn))
    await acc.fetch_related("org")
    return json(account_out(acc, roles=[]), status=201)


@bp_identity.put("/staff/<account_id:int>")
@openapi.summary("修改员工信息")
@body(S.StaffUpdate)
@perm("identity.staff.write")
async def staff_update(request: Request, account_id: int):
    acc = await service.update_staff(actor_of(request), account_id, parse(request, S.StaffUpdate))
    await acc.fetch_related("org")
    return json(account_out(acc, roles=await acc.roles.all()))


@bp_identity.post("/staff/<account_id:int>/account")
@openapi.summary("为员工开通账号并分配角色")
@body(S.StaffAccountIn)
@perm("identity.staff.write")
async def staff_open_account(request: Request, account_id: int):
    acc = await service.open_staff_account(actor_of(request), account_id, parse(request, S.StaffAccountIn))
    await acc.fetch_related("org")
    return json(account_out(acc, roles=await acc.roles.all()))


@bp_identity.post("/staff/<account_id:int>/reset-password")
@openapi.summary("重置员工密码，返回一次性临时密码")
@perm("identity.staff.write")
async def staff_reset_password(request: Request, account_id: int):
    return json({"temporary_password": await service.reset_staff_password(actor_of(request), account_id)})


@bp_identity.put("/staff/<account_id:int>/roles")
@openapi.summary("分配员工角色")
@body(S.RoleIds)
@perm("identity.staff.write")
async def staff_roles(request: Request, account_id: int):
    acc = await service.set_staff_roles(actor_of(request), account_id, parse(request, S.RoleIds).role_ids)
    return json(account_out(acc, roles=await acc.roles.all()))


@bp_identity.post("/staff/<account_id:int>/leave")
@openapi.summary("登记离职（账号停用，会话失效）")
@body(S.LeaveIn)
@perm("identity.staff.write")
async def staff_leave(request: Request, account_id: int):
    acc = await service.staff_leave(actor_of(request), account_id, parse(request, S.LeaveIn))
    return json(account_out(acc))


@bp_identity.get("/accounts")
@openapi.summary("账号查询（GOV-13-07）")
@query(ACCOUNT_LIST.openapi_params())
@perm("identity.account.read")
async def account_list(request: Request):
    return await _list_accounts(request, scoped(Account, actor_of(request)), ACCOUNT_LIST)


_toggle("/accounts/<account_id:int>", "account_id", ("enable", "account_enable", "启用账号"),
        ("disable", "account_disable", "停用账号（会话立即失效）"), "identity.account.manage",
        service.set_account_enabled, account_out)


@bp_identity.put("/accounts/<account_id:int>/phone")
@openapi.summary("设置账号手机号")
@body(S.PhoneIn)
@perm("identity.account.manage")
async def account_phone(request: Request, account_id: int):
    p = parse(request, S.PhoneIn)
    return json(account_out(await service.set_account_phone(actor_of(request), account_id, p.phone)))


@bp_identity.put("/accounts/<account_id:int>/ca")
@openapi.summary("绑定CA证书")
@body(S.CaIn)
@perm("identity.account.manage")
async def account_ca_bind(request: Request, account_id: int):
    return json(account_out(await service.bind_ca(actor_of(request), account_id, parse(request, S.CaIn))))


_toggle("/accounts/<account_id:int>/ca", "account_id", ("enable", "account_ca_enable", "启用CA证书"),
        ("disable", "account_ca_disable", "停用CA证书"), "identity.account.manage", service.set_ca_enabled, account_out)


@bp_identity.delete("/accounts/<account_id:int>/ca")
@openapi.summary("解绑CA证书")
@perm("identity.account.manage")
async def account_ca_unbind(request: Request, account_id: int):
    return json(account_out(await service.unbind_ca(actor_of(request), account_id)))
