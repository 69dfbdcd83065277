"""Who may call what, and on which rows: the route x role matrix and the data-scope leak tests.

The routes come from the live server's OpenAPI document, so a route added later is in the matrix
without editing this file; its declaration (@perm/@public/...) is read from the handler. Path
parameters are filled with real rows that lie inside each caller's scope, so a refusal proves the
declaration and an acceptance proves the caller really can act. The leak tests then aim every
`{id}` route at rows outside the caller's scope and check that nothing was read or written.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import secrets
import uuid

import pytest
from openpyxl import load_workbook
from PIL import Image

from app.core.models import AuditLog, Job, StoredFile
from app.core.pii import blind_index
from app.identity.guard import access_of
from app.identity.models import Account, Org, Role
from app.identity.passwords import hash_password
from app.identity.permissions import grantable
from app.seed import GOV_CLERK_PERMS
from conftest import DEMO_PASSWORD, Api, fresh_phone

pytestmark = pytest.mark.feature("GOV-13-04", "GOV-13-05", "GOV-13-06", "GOV-13-07",
                                 "BLD-04-04", "BLD-04-05", "OPS-11-04", "OPS-11-05")

PJ = "440703"  # 蓬江区
CITY_NAME = "江门市住房和城乡建设局"
ORG_NAMES = {
    "pj": "江门市蓬江区住房和城乡建设局", "jh": "江门市江海区住房和城乡建设局",
    "builder": "江门市安居建设有限公司", "hs": "鹤山市城建开发有限公司",
    "operator": "江门市保障房运营管理有限公司", "xh": "新会区安居物业服务有限公司",
}
PERSON_ID = "440703199001011239"

# The admins' roles hold every code their org kind may hold (app/seed.py); new codes join them.
GOV_ALL = grantable("GOV")
GOV_READ = set(GOV_CLERK_PERMS) | {"file.upload"}
IDENTITY_ADMIN = {"identity.role.read", "identity.role.write", "identity.staff.read", "identity.staff.write",
                  "pii.view", "file.upload"}
# What each demo account holds after its roles are applied.
PERMS = {"anonymous": set(), "person": set(), "gov_admin": GOV_ALL, "gov_clerk": GOV_READ,
         "pj_clerk": GOV_READ, "builder_admin": grantable("BUILDER"), "operator_admin": grantable("OPERATOR")}
ACTORS = list(PERMS)
# Routes that exist but are left out of the OpenAPI document on purpose (the admin SPA).
UNDOCUMENTED = {"/", "/admin", "/admin/<path:path>"}

_n = itertools.count()


def _tag() -> str:
    return f"{next(_n)}{secrets.token_hex(3)}"


def _png() -> bytes:
    b = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(b, format="PNG")
    return b.getvalue()


async def _audit_count() -> int:
    return await AuditLog.all().count()


# ---- the world: real rows inside and outside every caller's scope ----------------------------

class World:
    def __init__(self, api: Api):
        self.api = api
        self.tokens: dict[str, str] = {}
        self.org: dict[str, Org] = {}
        self.staff: dict[str, Account] = {}   # a throwaway staff member per org key
        self.role: dict[str, Role] = {}       # a throwaway role per org key
        self.files: dict[str, str] = {}       # actor -> a file that actor uploaded
        self.jobs: dict[str, str] = {}
        self.person: Account | None = None
        self.scratch_org: Org | None = None   # an org in 蓬江 with a main account, for org.manage calls


async def _make_staff(org: Org, name: str = "矩阵员工", *, login: str | None = None,
                      roles: list[Role] = (), main: bool = False) -> Account:
    acc = Account(kind="STAFF", org_id=org.id, name=name, phone=fresh_phone(), position="clerk",
                  hired_on=dt.date(2025, 3, 1), is_org_main=main, login_name=login,
                  password_hash=await hash_password(DEMO_PASSWORD) if login else None)
    await acc.save()
    if roles:
        await acc.roles.add(*roles)
    return acc


async def _upload(api: Api, token: str) -> str:
    r = await api.post("/api/v1/files", token, files={"file": ("现场照片.png", _png(), "image/png")})
    assert r.status_code == 201, r.text
    assert r.json()["thumbnail_url"]
    return r.json()["id"]


@pytest.fixture(scope="module")
async def world(live_server):  # noqa: ANN001
    api = Api(live_server.url)
    w = World(api)
    w.org["city"] = await Org.get(name=CITY_NAME)
    for k, name in ORG_NAMES.items():
        w.org[k] = await Org.get(name=name)
    for k, org in w.org.items():
        w.staff[k] = await _make_staff(org)
        w.role[k] = await Role.create(org=org, name=f"矩阵角色{_tag()}", permissions=[])
    # A district writer: 蓬江's own 业务主管 role holds every gov permission, scoped to the district.
    pj_boss_role = await Role.get(org_id=w.org["pj"].id, name="业务主管")
    pj_admin = f"pjadmin{_tag()}"
    await _make_staff(w.org["pj"], "蓬江主管", login=pj_admin, roles=[pj_boss_role])
    w.scratch_org = await Org.create(kind="BUILDER", name=f"矩阵测试建设单位{_tag()}", district_code=PJ,
                                     level="org", address="广东省江门市")
    await _make_staff(w.scratch_org, "矩阵主账号", login=f"mx{_tag()}", main=True,
                      roles=[await Role.create(org=w.scratch_org, name="单位管理员", permissions=[])])
    w.person = await Account.filter(kind="PERSON").order_by("id").first()
    for login in ("gov_admin", "gov_clerk", "pj_clerk", "builder_admin", "operator_admin",
                  "hs_builder_admin", "xh_operator_admin", pj_admin):
        w.tokens["pj_admin" if login == pj_admin else login] = await api.login(login)
    w.tokens["person"] = await api.person_login(PERSON_ID)
    for actor in ("gov_admin", "gov_clerk", "pj_clerk", "builder_admin", "operator_admin",
                  "hs_builder_admin", "xh_operator_admin", "pj_admin"):
        w.files[actor] = await _upload(api, w.tokens[actor])
    gov_file = await StoredFile.get(id=w.files["gov_admin"])
    person_file = await StoredFile.create(
        id=uuid.uuid4(), sha256=gov_file.sha256, size=gov_file.size, mime=gov_file.mime, ext=gov_file.ext,
        original_name="身份证.png", thumb_sha256=gov_file.thumb_sha256, owner_id=w.person.id)
    w.files["person"] = str(person_file.id)
    for actor in ACTORS[1:]:
        aid = w.person.id if actor == "person" else (await Account.get(login_name=actor)).id
        w.jobs[actor] = str((await Job.create(id=uuid.uuid4(), kind="matrix.test", created_by_id=aid)).id)
    yield w
    await api.client.aclose()


# ---- the matrix ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def inproc_app():
    from app.server import create_app
    return create_app(name="arh_scope_matrix")


def _declarations(app) -> dict[str, tuple]:  # noqa: ANN001
    """route name without the app prefix -> (access declaration, sanic path)."""
    out = {}
    for r in app.router.routes:
        if r.extra.static or r.name.startswith(f"{app.name}.openapi."):
            continue
        out[r.name.split(".", 1)[1]] = (access_of(r.handler), "/" + r.path)
    return out


async def _operations(api: Api, app) -> list[dict]:  # noqa: ANN001
    spec = (await api.get("/docs/openapi.json")).json()
    decl = _declarations(app)
    ops, seen = [], set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            name = op["operationId"].split("~", 1)[1]
            assert name in decl, f"{method.upper()} {path} is documented but not a route of the app"
            seen.add(name)
            path_params = [p for p in op.get("parameters", []) if p["in"] == "path"]
            ops.append({"method": method.upper(), "path": path, "name": name, "access": decl[name][0],
                        "params": re.findall(r"{(\w+)}", path), "body": "requestBody" in op,
                        "dummy": {p["name"]: _DUMMY.get(p.get("schema", {}).get("format"), "999999999")
                                  for p in path_params}})
    hidden = {decl[n][1] for n in set(decl) - seen}
    assert hidden <= UNDOCUMENTED, f"routes missing from the OpenAPI document (and from this matrix): {hidden}"
    for n in set(decl) - seen:
        assert decl[n][0] == ("public", None), n
    return ops


def _order(op: dict) -> tuple:
    # Reads first, then writes, deletes, and last the calls that end the caller's own session.
    last = op["path"].endswith("/logout")
    return (last, {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}[op["method"]], op["path"])


def _expect(access: tuple, actor: str) -> int | str:
    kind, code = access
    if kind == "public":
        return "allow"
    if actor == "anonymous":
        return 401
    if kind == "authenticated":
        return "allow"
    if kind == "person":
        return "allow" if actor == "person" else 403
    if actor == "person":
        return 403
    if kind == "staff":
        return "allow"
    codes = code if isinstance(code, tuple) else (code,)
    return "allow" if set(codes) & PERMS[actor] else 403


def _matrix_ids(w: World) -> dict[str, dict[str, object]]:
    """For each caller, rows inside its own scope (anonymous borrows the city admin's)."""
    gov = {"org_id": w.scratch_org.id, "account_id": w.staff["city"].id, "role_id": w.role["city"].id,
           "file_id": w.files["gov_admin"], "job_id": w.jobs["gov_admin"]}
    ids = {"anonymous": gov, "gov_admin": gov}
    ids["gov_clerk"] = {**gov, "file_id": w.files["gov_clerk"], "job_id": w.jobs["gov_clerk"]}
    ids["pj_clerk"] = {"org_id": w.scratch_org.id, "account_id": w.staff["pj"].id, "role_id": w.role["pj"].id,
                       "file_id": w.files["pj_clerk"], "job_id": w.jobs["pj_clerk"]}
    for a, k in (("builder_admin", "builder"), ("operator_admin", "operator")):
        ids[a] = {"org_id": w.org[k].id, "account_id": w.staff[k].id, "role_id": w.role[k].id,
                  "file_id": w.files[a], "job_id": w.jobs[a]}
    ids["person"] = {**gov, "account_id": w.person.id, "file_id": w.files["person"], "job_id": w.jobs["person"]}
    return ids


_DUMMY = {"uuid": "00000000-0000-4000-8000-000000000000"}


def _fill(op: dict, ids: dict[str, object]) -> tuple[str, bool]:
    """The URL with real in-scope rows, or (for a parameter this file has no rows for yet, e.g. on a
    route added since) with an ID that names no row; the second value says whether all were real."""
    real = all(p in ids for p in op["params"])

    def sub(m: re.Match) -> str:
        return str(ids[m.group(1)] if m.group(1) in ids else op["dummy"].get(m.group(1), "999999999"))
    return re.sub(r"{(\w+)}", sub, op["path"]), real


async def test_demo_accounts_hold_the_pinned_permissions(world):
    assert GOV_ALL >= IDENTITY_ADMIN | GOV_READ | {"identity.org.manage", "identity.account.read",
                                                    "identity.account.manage", "audit.log.read"}
    for kind in ("BUILDER", "OPERATOR"):
        assert grantable(kind) >= IDENTITY_ADMIN
        assert not grantable(kind) & {"identity.org.read", "identity.org.manage", "identity.account.read",
                                      "identity.account.manage", "audit.log.read"}
    for actor in ACTORS[2:]:
        me = (await world.api.get("/api/v1/auth/me", world.tokens[actor])).json()
        assert set(me["permissions"]) == PERMS[actor], actor
    me = await world.api.get("/api/v1/auth/me", world.tokens["pj_admin"])
    assert set(me.json()["permissions"]) == GOV_ALL and me.json()["scope"] == "DISTRICT"


async def test_route_role_matrix(world, inproc_app):
    api = world.api
    ops = sorted(await _operations(api, inproc_app), key=_order)
    assert len(ops) >= 45
    async def login(actor: str) -> str | None:
        if actor == "anonymous":
            return None
        return await (api.person_login(PERSON_ID) if actor == "person" else api.login(actor))

    tokens = {a: await login(a) for a in ACTORS}  # fresh sessions, not the run's cached ones
    ids = _matrix_ids(world)
    failures, ended = [], []
    checked = 0
    for op in ops:
        for actor in ACTORS:
            want = _expect(op["access"], actor)
            url, real = _fill(op, ids[actor])
            token = tokens[actor]
            if op["path"].endswith("/logout") and actor != "anonymous":
                token = await login(actor)  # each logout ends a session of its own
                if want == "allow":
                    ended.append((actor, token))
            before = await _audit_count()
            kw = {"json": {}} if op["method"] in ("POST", "PUT", "PATCH") else {}
            r = await api.client.request(op["method"], url, headers=api._h(token), **kw)
            checked += 1
            where = f"{op['method']} {url} as {actor} ({op['access']}): {r.status_code} {r.text[:200]}"
            if r.status_code >= 500:
                failures.append("server error: " + where)
            elif want == "allow":
                if not real or op["path"].endswith("/ws"):
                    # No row to act on, or a websocket asked over plain HTTP (426): being let past
                    # the guard is all there is to see.
                    ok = r.status_code not in (401, 403)
                elif op["method"] == "GET":
                    ok = r.status_code == 200
                else:
                    ok = r.status_code in (200, 201, 409, 422)
                if not ok:
                    failures.append(f"expected to be let in: {where}")
            else:
                body = r.json()
                code = {401: "UNAUTHORIZED", 403: "FORBIDDEN"}[want]
                if r.status_code != want or body["error"]["code"] != code \
                        or not re.search(r"[\u4e00-\u9fff]", body["error"]["message"]):
                    failures.append(f"expected {want} {code}: {where}")
                elif await _audit_count() != before:
                    failures.append(f"refused call still wrote an audit row: {where}")
    assert failures == [], "\n".join(failures)
    assert checked == len(ops) * len(ACTORS)
    # The holders really acted: the throwaway role is gone, the scratch org's main account was
    # locked and unlocked again, and the logout routes ended the sessions they were called with.
    assert not await Role.filter(id=world.role["city"].id).exists()
    assert not await Role.filter(id=world.role["builder"].id).exists()
    assert await Role.filter(id=world.role["pj"].id).exists()  # pj_clerk only reads
    main = await Account.get(org_id=world.scratch_org.id, is_org_main=True)
    assert main.locked is False and main.must_change_password is True
    assert {a for a, _ in ended} == set(ACTORS[1:])
    for a, t in ended:
        assert (await api.get("/api/v1/auth/me", t)).status_code == 401, a
    for a in ACTORS[1:]:
        assert (await api.get("/api/v1/auth/me", tokens[a])).status_code == 200, a


# ---- leaks: every {id} route aimed at rows outside the caller's scope ---------------------------

LEAK_PREFIXES = ("/api/v1/identity/orgs/", "/api/v1/identity/roles/", "/api/v1/identity/staff/",
                 "/api/v1/identity/accounts/", "/api/v1/files/")


def _valid_bodies() -> dict[str, dict]:
    """A body that would succeed if scope did not hold, so a 422 cannot hide a leak."""
    return {
        "identity.role_update": {"name": f"越权改名{_tag()}", "description": "越权", "permissions": []},
        "identity.staff_roles": {"role_ids": []},
        "identity.org_main_roles": {"role_ids": []},
        "identity.account_phone": {"phone": fresh_phone()},
        "identity.staff_update": {"name": "越权改名", "position": "supervisor"},
        "identity.staff_leave": {"left_on": dt.date.today().isoformat()},
        "identity.staff_open_account": {"login_name": f"leak{_tag()}", "password": "Leak@2026xy", "role_ids": []},
        "identity.account_ca_bind": {"ca_cert_sn": "ABCD1234EF", "ca_cert_subject": "CN=越权",
                                     "ca_valid_to": "2031-01-01"},
    }


def _outside(w: World) -> dict[str, dict[str, list]]:
    """Rows each caller must neither see nor touch."""
    g = w.org
    return {
        "pj": {  # 蓬江 district: the city, other districts, and units registered elsewhere
            "org_id": [g["city"].id, g["jh"].id, g["hs"].id, g["xh"].id],
            "account_id": ["gov_admin", "hs_builder_admin", "xh_operator_admin", w.staff["jh"].id,
                           w.staff["city"].id, w.person.id],
            "role_id": [("city", "系统管理员"), ("jh", "业务员"), ("hs", "单位管理员")],
            "file_id": ["gov_admin", "hs_builder_admin", "person"],
        },
        "builder": {
            "org_id": [g["city"].id, g["pj"].id, g["hs"].id, g["operator"].id],
            "account_id": ["gov_admin", "pj_clerk", "hs_builder_admin", "operator_admin", w.staff["hs"].id,
                           w.staff["operator"].id, w.person.id],
            "role_id": [("hs", "单位管理员"), ("operator", "单位管理员"), ("city", "系统管理员"), ("pj", "业务员")],
            "file_id": ["hs_builder_admin", "operator_admin", "gov_admin", "pj_clerk", "person"],
        },
        "operator": {
            "org_id": [g["city"].id, g["pj"].id, g["xh"].id, g["builder"].id],
            "account_id": ["gov_admin", "xh_operator_admin", "builder_admin", w.staff["xh"].id,
                           w.staff["builder"].id, w.person.id],
            "role_id": [("xh", "单位管理员"), ("builder", "单位管理员"), ("city", "系统管理员")],
            "file_id": ["xh_operator_admin", "builder_admin", "gov_admin", "person"],
        },
    }


async def _resolve(w: World, param: str, t) -> object:  # noqa: ANN001
    if param == "account_id" and isinstance(t, str):
        return (await Account.get(login_name=t)).id
    if param == "role_id" and isinstance(t, tuple):
        return (await Role.get(org_id=w.org[t[0]].id, name=t[1])).id
    if param == "file_id":
        return w.files[t]
    return t


async def _snapshot(param: str, id_: object) -> tuple:
    if param == "org_id":
        mains = await Account.filter(org_id=id_, is_org_main=True).values()
        roles = [sorted(await (await Account.get(id=m["id"])).roles.all().values_list("id", flat=True))
                 for m in mains]
        return await Org.filter(id=id_).values(), mains, roles
    if param == "account_id":
        acc = await Account.get(id=id_)
        return await Account.filter(id=id_).values(), sorted(await acc.roles.all().values_list("id", flat=True))
    if param == "role_id":
        role = await Role.get(id=id_)
        return await Role.filter(id=id_).values(), sorted(await role.accounts.all().values_list("id", flat=True))
    return await StoredFile.filter(id=id_).values(),


@pytest.mark.parametrize("actor,scope_key", [("pj_clerk", "pj"), ("pj_admin", "pj"),
                                             ("builder_admin", "builder"), ("operator_admin", "operator")])
async def test_id_routes_refuse_rows_outside_scope_and_change_nothing(world, inproc_app, actor, scope_key):
    api = world.api
    ops = [o for o in await _operations(api, inproc_app)
           if o["path"].startswith(LEAK_PREFIXES) and o["params"]]
    assert len(ops) >= 24
    targets = _outside(world)[scope_key]
    failures, calls = [], 0
    for op in ops:
        param = op["params"][0]
        body = _valid_bodies().get(op["name"])
        assert not op["body"] or body is not None, f"add a valid body for {op['name']} to _valid_bodies"
        for t in targets[param]:
            id_ = await _resolve(world, param, t)
            before, n = await _snapshot(param, id_), await _audit_count()
            r = await api.client.request(op["method"], op["path"].replace("{%s}" % param, str(id_)),
                                         headers=api._h(world.tokens[actor]),
                                         **({"json": body} if body is not None else {}))
            calls += 1
            where = f"{op['method']} {op['path']} {param}={id_} ({t}) as {actor}: {r.status_code} {r.text[:160]}"
            if r.status_code not in (403, 404):
                failures.append("not refused: " + where)
            elif r.json()["error"]["code"] not in ("FORBIDDEN", "NOT_FOUND"):
                failures.append("wrong error: " + where)
            if await _snapshot(param, id_) != before:
                failures.append("row changed: " + where)
            if await _audit_count() != n:
                failures.append("audit written: " + where)
    assert failures == [], "\n".join(failures)
    assert calls > 80


# ---- lists: every row returned lies in scope, and filters cannot widen it -----------------------

async def _all_items(api: Api, token: str, path: str, **params) -> tuple[list[dict], int]:
    r = await api.get(path, token, params={"page_size": 200, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["items"]) == min(body["total"], 200)
    return body["items"], body["total"]


async def test_district_clerk_lists_only_its_district(world):
    api, t = world.api, world.tokens["pj_clerk"]
    pj_orgs = set(await Org.filter(district_code=PJ).values_list("id", flat=True))
    assert {world.org["pj"].id, world.org["builder"].id, world.org["operator"].id, world.scratch_org.id} <= pj_orgs

    orgs, total = await _all_items(api, t, "/api/v1/identity/orgs")
    assert {o["id"] for o in orgs} == pj_orgs and total == len(pj_orgs)
    assert all(o["district_code"] == PJ for o in orgs)

    staff, total = await _all_items(api, t, "/api/v1/identity/staff")
    assert {s["org_id"] for s in staff} <= pj_orgs
    assert total == await Account.filter(kind="STAFF", org_id__in=pj_orgs).count()
    assert world.staff["pj"].id in {s["id"] for s in staff} and world.staff["builder"].id in {s["id"] for s in staff}

    roles, total = await _all_items(api, t, "/api/v1/identity/roles")
    assert {x["org_id"] for x in roles} <= pj_orgs
    assert total == await Role.filter(org_id__in=pj_orgs).count()

    # No account list or audit log for a read-only clerk.
    assert (await api.get("/api/v1/identity/accounts", t)).status_code == 403
    assert (await api.get("/api/v1/audit/logs", t)).status_code == 403


async def test_district_writer_lists_accounts_and_audit_of_its_district_only(world):
    api, t = world.api, world.tokens["pj_admin"]
    pj_orgs = set(await Org.filter(district_code=PJ).values_list("id", flat=True))
    accs, total = await _all_items(api, t, "/api/v1/identity/accounts")
    assert accs and {a["org_id"] for a in accs} <= pj_orgs
    assert all(a["kind"] == "STAFF" for a in accs)  # persons belong to no district org
    assert total == await Account.filter(org_id__in=pj_orgs).count()
    logs, total = await _all_items(api, t, "/api/v1/audit/logs")
    assert logs and {x["org_id"] for x in logs} <= pj_orgs
    assert total == await AuditLog.filter(org_id__in=pj_orgs).count()


async def test_city_clerk_sees_every_unit(world):
    api, t = world.api, world.tokens["gov_clerk"]
    _, total = await _all_items(api, t, "/api/v1/identity/orgs")
    assert total == await Org.all().count()
    _, total = await _all_items(api, t, "/api/v1/identity/staff")
    assert total == await Account.filter(kind="STAFF").count()


@pytest.mark.parametrize("actor,own,other", [("builder_admin", "builder", "hs"),
                                             ("operator_admin", "operator", "xh")])
async def test_unit_admin_lists_only_its_own_org(world, actor, own, other):
    api, t = world.api, world.tokens[actor]
    own_id, other_id = world.org[own].id, world.org[other].id
    staff, total = await _all_items(api, t, "/api/v1/identity/staff")
    assert staff and {s["org_id"] for s in staff} == {own_id}
    assert total == await Account.filter(kind="STAFF", org_id=own_id).count()
    roles, total = await _all_items(api, t, "/api/v1/identity/roles")
    assert roles and {x["org_id"] for x in roles} == {own_id}
    assert total == await Role.filter(org_id=own_id).count()
    for path in ("/api/v1/identity/orgs", "/api/v1/identity/accounts", "/api/v1/audit/logs"):
        assert (await api.get(path, t)).status_code == 403, path


async def _empty(api: Api, token: str, path: str, **params) -> None:
    items, total = await _all_items(api, token, path, **params)
    assert items == [] and total == 0, (path, params, items)


async def _xlsx_rows(api: Api, token: str, path: str, **params) -> list[tuple]:
    r = await api.get(path, token, params={"format": "xlsx", **params})
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    return list(ws.iter_rows(values_only=True))[1:]


async def test_filters_and_exports_cannot_widen_scope(world):
    api, g = world.api, world.org
    t = world.tokens["pj_clerk"]
    city_staff_name = (await Account.get(login_name="gov_admin")).name
    await _empty(api, t, "/api/v1/identity/orgs", id=g["city"].id)
    await _empty(api, t, "/api/v1/identity/orgs", district_code="440700")
    await _empty(api, t, "/api/v1/identity/orgs", q="鹤山")
    await _empty(api, t, "/api/v1/identity/staff", org_id=g["city"].id)
    await _empty(api, t, "/api/v1/identity/staff", q=city_staff_name)
    await _empty(api, t, "/api/v1/identity/roles", org_id=g["hs"].id)
    items, _ = await _all_items(api, t, "/api/v1/identity/orgs", kind="GOV")
    assert [o["id"] for o in items] == [g["pj"].id]
    items, _ = await _all_items(api, t, "/api/v1/identity/staff", org_id__in=f"{g['pj'].id},{g['city'].id}")
    assert items and {s["org_id"] for s in items} == {g["pj"].id}
    assert await _xlsx_rows(api, t, "/api/v1/identity/staff", org_id=g["city"].id) == []
    assert await _xlsx_rows(api, t, "/api/v1/identity/orgs", id__in=f"{g['city'].id},{g['jh'].id}") == []

    t = world.tokens["builder_admin"]
    hs_admin_name = (await Account.get(login_name="hs_builder_admin")).name
    await _empty(api, t, "/api/v1/identity/staff", org_id=g["hs"].id)
    await _empty(api, t, "/api/v1/identity/staff", org_kind="GOV")
    await _empty(api, t, "/api/v1/identity/staff", q=hs_admin_name)
    await _empty(api, t, "/api/v1/identity/staff", id=(await Account.get(login_name="operator_admin")).id)
    await _empty(api, t, "/api/v1/identity/roles", org_id=g["operator"].id)
    items, _ = await _all_items(api, t, "/api/v1/identity/roles", org_id__in=f"{g['builder'].id},{g['hs'].id}")
    assert items and {x["org_id"] for x in items} == {g["builder"].id}
    rows = await _xlsx_rows(api, t, "/api/v1/identity/staff")
    assert len(rows) == await Account.filter(kind="STAFF", org_id=g["builder"].id).count()
    assert await _xlsx_rows(api, t, "/api/v1/identity/roles", org_id=g["hs"].id) == []


# ---- writes that would cross the scope ----------------------------------------------------------

async def test_unit_admin_cannot_grant_gov_only_permissions(world):
    api, t = world.api, world.tokens["builder_admin"]
    n = await _audit_count()
    for code in ("identity.org.read", "identity.account.manage", "audit.log.read", "no.such.code"):
        name = f"越权角色{_tag()}"
        r = await api.post("/api/v1/identity/roles", t, json={"name": name, "permissions": ["identity.staff.read", code]})
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "INVALID_INPUT" and code in err["message"] and "不能授予" in err["message"]
        assert err["fields"] == {"permissions": "含无效权限"}
        assert not await Role.filter(name=name).exists()
    role = await Role.create(org=world.org["builder"], name=f"自有角色{_tag()}", permissions=["identity.staff.read"])
    r = await api.put(f"/api/v1/identity/roles/{role.id}", t,
                      json={"name": role.name, "permissions": ["identity.staff.read", "identity.org.manage"]})
    assert r.status_code == 422 and "identity.org.manage" in r.json()["error"]["message"]
    assert (await Role.get(id=role.id)).permissions == ["identity.staff.read"]
    assert await _audit_count() == n


async def test_unit_admin_cannot_create_staff_or_roles_in_another_org(world):
    api, t, g = world.api, world.tokens["builder_admin"], world.org
    n = await _audit_count()
    for other in ("hs", "city", "operator", "pj"):
        phone = fresh_phone()
        r = await api.post("/api/v1/identity/staff", t, json={"name": "越权员工", "phone": phone, "hired_on": "2026-01-05",
                                                              "org_id": g[other].id})
        assert r.status_code in (403, 404), r.text
        assert r.json()["error"]["code"] in ("FORBIDDEN", "NOT_FOUND")
        assert not await Account.filter(phone_idx=blind_index(phone)).exists()
        name = f"越权角色{_tag()}"
        r = await api.post("/api/v1/identity/roles", t, json={"name": name, "org_id": g[other].id})
        assert r.status_code in (403, 404), r.text
        assert not await Role.filter(name=name).exists()
    assert await _audit_count() == n


async def test_unit_admin_cannot_assign_another_orgs_role(world):
    api, t = world.api, world.tokens["builder_admin"]
    hs_role = await Role.get(org_id=world.org["hs"].id, name="单位管理员")
    own_role = await Role.get(org_id=world.org["builder"].id, name="单位管理员")
    staff = await _make_staff(world.org["builder"], "待分配员工")
    await staff.roles.add(await Role.create(org=world.org["builder"], name=f"原角色{_tag()}", permissions=[]))
    roles_before = sorted(await staff.roles.all().values_list("id", flat=True))
    n = await _audit_count()

    r = await api.put(f"/api/v1/identity/staff/{staff.id}/roles", t, json={"role_ids": [own_role.id, hs_role.id]})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["fields"] == {"role_ids": "含无效角色"}
    assert "本单位" in r.json()["error"]["message"] or "所属单位" in r.json()["error"]["message"]
    assert sorted(await staff.roles.all().values_list("id", flat=True)) == roles_before

    fresh = await _make_staff(world.org["builder"], "待开通员工")
    r = await api.post(f"/api/v1/identity/staff/{fresh.id}/account", t,
                       json={"login_name": f"cross{_tag()}", "password": "Cross@2026x", "role_ids": [hs_role.id]})
    assert r.status_code == 422, r.text
    row = await Account.get(id=fresh.id)
    # The login name was saved before the role check failed: the transaction must have undone it.
    assert row.login_name is None and row.password_hash is None and row.must_change_password is False
    assert await row.roles.all().count() == 0
    assert await _audit_count() == n


async def test_district_writer_cannot_reach_or_move_rows_outside_its_district(world):
    """A district 业务主管 holds every gov permission, but only over 蓬江."""
    api, t, g = world.api, world.tokens["pj_admin"], world.org
    gov_admin = await Account.get(login_name="gov_admin")
    city_role = await Role.get(org_id=g["city"].id, name="系统管理员")
    watched = [("account_id", gov_admin.id), ("account_id", world.staff["city"].id), ("role_id", city_role.id),
               ("org_id", g["city"].id), ("org_id", g["jh"].id)]
    before = [await _snapshot(p, i) for p, i in watched]
    n = await _audit_count()
    city_phone = fresh_phone()
    attempts = [
        ("POST", "/api/v1/identity/staff", {"name": "越区员工", "phone": city_phone, "hired_on": "2026-01-05",
                                            "org_id": g["city"].id}),
        ("PUT", f"/api/v1/identity/staff/{gov_admin.id}", {"name": "越区改名"}),
        ("PUT", f"/api/v1/identity/staff/{world.staff['city'].id}/roles", {"role_ids": [city_role.id]}),
        ("POST", f"/api/v1/identity/staff/{world.staff['city'].id}/leave", {"left_on": "2026-06-01"}),
        ("POST", "/api/v1/identity/roles", {"name": f"越区角色{_tag()}", "org_id": g["city"].id}),
        ("PUT", f"/api/v1/identity/roles/{city_role.id}", {"name": "越区改名", "permissions": []}),
        ("DELETE", f"/api/v1/identity/roles/{city_role.id}", None),
        ("POST", f"/api/v1/identity/accounts/{gov_admin.id}/disable", None),
        ("PUT", f"/api/v1/identity/accounts/{world.staff['city'].id}/phone", {"phone": fresh_phone()}),
        ("POST", f"/api/v1/identity/orgs/{g['city'].id}/main-account/lock", None),
        ("POST", f"/api/v1/identity/orgs/{g['jh'].id}/main-account/reset-password", None),
        ("PUT", f"/api/v1/identity/orgs/{g['city'].id}/main-account/roles", {"role_ids": []}),
    ]
    for method, url, body in attempts:
        r = await api.client.request(method, url, headers=api._h(t), **({"json": body} if body else {}))
        assert r.status_code in (403, 404), (method, url, r.status_code, r.text)
    assert not await Account.filter(name="越区员工").exists()
    assert [await _snapshot(p, i) for p, i in watched] == before
    assert await _audit_count() == n

    # Moving a row out of the district is no better: the org cannot be named on update, a role of
    # another org cannot be assigned, and a role keeps its org whatever the body says.
    mine = world.staff["pj"]
    r = await api.put(f"/api/v1/identity/staff/{mine.id}", t, json={"name": "改名", "org_id": g["city"].id})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"org_id": "不允许的字段"}
    r = await api.put(f"/api/v1/identity/staff/{mine.id}/roles", t, json={"role_ids": [city_role.id]})
    assert r.status_code == 422
    assert (await Account.get(id=mine.id)).org_id == g["pj"].id
    pj_role = await Role.create(org=g["pj"], name=f"蓬江角色{_tag()}", permissions=[])
    r = await api.put(f"/api/v1/identity/roles/{pj_role.id}", t,
                      json={"name": pj_role.name, "permissions": ["identity.staff.read"], "org_id": g["city"].id})
    assert r.status_code == 200, r.text
    assert (await Role.get(id=pj_role.id)).org_id == g["pj"].id and r.json()["org_id"] == g["pj"].id
    # And inside its district the same writer is let in, so the refusals above are about scope.
    r = await api.put(f"/api/v1/identity/staff/{mine.id}", t, json={"position": "supervisor"})
    assert r.status_code == 200 and (await Account.get(id=mine.id)).position == "supervisor"
    # A unit in the district is a different kind of org: its staff are the unit's own to manage.
    r = await api.put(f"/api/v1/identity/staff/{world.staff['builder'].id}", t, json={"name": "越类改名"})
    assert r.status_code == 403 and (await Account.get(id=world.staff["builder"].id)).name != "越类改名"


# ---- grants: nobody hands out more than they hold -----------------------------------------------

async def test_staff_manager_cannot_grant_itself_or_others_more_than_it_holds(world, api, new_staff):
    """A 员工管理 clerk (staff read/write only) must not become 系统管理员 by assigning roles."""
    login, password, me_id = await new_staff(permissions=["identity.staff.read", "identity.staff.write"])
    t = await api.login(login, password)
    city = world.org["city"]
    admin_role = await Role.get(org_id=city.id, name="系统管理员")
    own_role_ids = sorted(await (await Account.get(id=me_id)).roles.all().values_list("id", flat=True))
    gov_admin = await Account.get(login_name="gov_admin")
    hash_before = gov_admin.password_hash
    n = await _audit_count()

    r = await api.put(f"/api/v1/identity/staff/{me_id}/roles", t, json={"role_ids": own_role_ids + [admin_role.id]})
    assert r.status_code == 403, r.text
    assert "未拥有" in r.json()["error"]["message"] and "审计日志查询" in r.json()["error"]["message"]
    assert sorted(await (await Account.get(id=me_id)).roles.all().values_list("id", flat=True)) == own_role_ids

    colleague = await _make_staff(city, "新同事")
    r = await api.post(f"/api/v1/identity/staff/{colleague.id}/account", t,
                       json={"login_name": f"mate{_tag()}", "password": "Mate@2026xy", "role_ids": [admin_role.id]})
    assert r.status_code == 403, r.text
    row = await Account.get(id=colleague.id)
    assert row.login_name is None and await row.roles.all().count() == 0

    # Taking over a stronger account by resetting its password is the same escalation.
    r = await api.post(f"/api/v1/identity/staff/{gov_admin.id}/reset-password", t)
    assert r.status_code == 403, r.text
    assert (await Account.get(id=gov_admin.id)).password_hash == hash_before
    assert await _audit_count() == n

    # What it does hold it may hand out, and it may still manage its peers.
    peer_role = await Role.create(org=city, name=f"查询员{_tag()}", permissions=["identity.staff.read"])
    r = await api.put(f"/api/v1/identity/staff/{colleague.id}/roles", t, json={"role_ids": [peer_role.id]})
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()["roles"]] == [peer_role.id]
    r = await api.post(f"/api/v1/identity/staff/{colleague.id}/account", t,
                       json={"login_name": f"peer{_tag()}", "password": "Peer@2026xy", "role_ids": [peer_role.id]})
    assert r.status_code == 200, r.text
    r = await api.post(f"/api/v1/identity/staff/{colleague.id}/reset-password", t)
    assert r.status_code == 200 and r.json()["temporary_password"]
    # Removing a role it could not grant is fine: that takes power away.
    strong = await _make_staff(city, "强账号")
    await strong.roles.add(admin_role)
    r = await api.put(f"/api/v1/identity/staff/{strong.id}/roles", t, json={"role_ids": []})
    assert r.status_code == 200 and await (await Account.get(id=strong.id)).roles.all().count() == 0


async def test_role_editor_cannot_put_codes_it_lacks_into_a_role(world, api, new_staff):
    login, password, _ = await new_staff(permissions=["identity.role.read", "identity.role.write",
                                                      "identity.staff.read"])
    t = await api.login(login, password)
    name = f"越权角色{_tag()}"
    r = await api.post("/api/v1/identity/roles", t, json={"name": name, "permissions": ["identity.account.manage"]})
    assert r.status_code == 403 and "账号管理" in r.json()["error"]["message"], r.text
    assert not await Role.filter(name=name).exists()
    r = await api.post("/api/v1/identity/roles", t, json={"name": name, "permissions": ["identity.staff.read"]})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = await api.put(f"/api/v1/identity/roles/{rid}", t,
                      json={"name": name, "permissions": ["identity.staff.read", "audit.log.read"]})
    assert r.status_code == 403, r.text
    assert (await Role.get(id=rid)).permissions == ["identity.staff.read"]
    # A role that already holds codes the editor lacks can still be renamed or trimmed.
    wide = await Role.create(org=world.org["city"], name=f"宽角色{_tag()}", permissions=["audit.log.read", "pii.view"])
    r = await api.put(f"/api/v1/identity/roles/{wide.id}", t, json={"name": wide.name + "改", "permissions": ["pii.view"]})
    assert r.status_code == 200, r.text
    assert (await Role.get(id=wide.id)).permissions == ["pii.view"]


# ---- work items: route x role x action ----------------------------------------------------------
# A 蓬江 project declaration by builder_admin's org waits at 区住建初审 (gov_clerk, DISTRICT). Each call
# is made on a fresh case, so an allowed call really acts and a refused one is checked against rows
# that nothing else touched. The applicant's org (builder_admin) holds case.work.* and must still be
# refused every action on the bureau's step of its own case.

WORK_ACTORS = ("gov_admin", "gov_clerk", "pj_clerk", "pj_supervisor", "builder_admin", "operator_admin",
               "hs_builder_admin", "person")
_REVIEWERS = {"gov_admin", "gov_clerk", "pj_clerk", "pj_supervisor"}      # role + scope fit the step
_TRANSFERRERS = {"gov_admin", "pj_supervisor"}                            # …and they supervise
_UNSEEN = {"operator_admin": 404, "hs_builder_admin": 404, "person": 403}  # cannot read the case at all
WORK_ROUTES = {  # route -> actors allowed; the rest are refused with 403 (or 404 where the case is unseen)
    "claim": _REVIEWERS, "approve": _REVIEWERS, "return_applicant": _REVIEWERS, "reject": _REVIEWERS,
    "transfer": _TRANSFERRERS, "candidates": _TRANSFERRERS, "withdraw": {"builder_admin"},
}


async def _declaration(api: Api, builder_token: str, builder_org: Org) -> tuple[int, int]:
    r = await api.post("/api/v1/cases", builder_token, json={
        "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": builder_org.id},
        "district_code": PJ, "submit": True,
        "form": {"project_name": f"矩阵项目{_tag()}", "address": "江门市蓬江区白沙大道西88号", "supply_mode": "新建",
                 "building_area": 1000, "planned_units": 10, "investment": 100, "lng": 113.08, "lat": 22.59,
                 "buildings": "1栋:5:10"}})
    assert r.status_code == 201, r.text
    from app.workflow.models import WorkItem
    item = await WorkItem.get(case_id=r.json()["id"], step_id="first_review", status="open")
    return r.json()["id"], item.id


async def _case_rows(case_id: int) -> tuple:
    from app.workflow.models import Case, CaseEvent, WorkItem
    items = await WorkItem.filter(case_id=case_id).order_by("id").values_list(
        "id", "status", "assignee_id", "done_by_id", "action")
    case = await Case.filter(id=case_id).values_list("status", "row_version", "current_step_names")
    events = await CaseEvent.filter(case_id=case_id).count()
    audits = await AuditLog.filter(object_type="case", object_id=str(case_id)).count()
    return items, case, events, audits


async def _work_call(api: Api, token: str, route: str, case_id: int, item_id: int, target: int) -> object:
    if route == "claim":
        return await api.post(f"/api/v1/work-items/{item_id}/claim", token)
    if route in ("approve", "return_applicant", "reject"):
        return await api.post(f"/api/v1/work-items/{item_id}/act", token,
                              json={"action": route, "opinion": "矩阵测试意见"})
    if route == "transfer":
        return await api.post(f"/api/v1/work-items/{item_id}/transfer", token, json={"to_account_id": target})
    if route == "candidates":
        return await api.get(f"/api/v1/work-items/{item_id}/candidates", token)
    return await api.post(f"/api/v1/cases/{case_id}/withdraw", token, json={"reason": "矩阵测试"})


@pytest.mark.feature("GOV-01-02", "OPS-01-02", "BLD-01-02", "SYS-02")
async def test_work_item_route_role_action_matrix(live_server):  # noqa: ANN001
    from app.workflow.models import Case, WorkItem
    api = Api(live_server.url)
    try:
        tokens = {a: await (api.person_login(PERSON_ID) if a == "person" else api.login(a)) for a in WORK_ACTORS}
        ids = {a: (await Account.get(login_name=a)).id for a in WORK_ACTORS if a != "person"}
        builder_org = await Org.get(name=ORG_NAMES["builder"])
        failures: list[str] = []
        for route, allowed in WORK_ROUTES.items():
            for actor in WORK_ACTORS:
                case_id, item_id = await _declaration(api, tokens["builder_admin"], builder_org)
                target = ids["pj_clerk"] if actor != "pj_clerk" else ids["gov_clerk"]
                before = await _case_rows(case_id)
                r = await _work_call(api, tokens[actor], route, case_id, item_id, target)
                where = f"{route} as {actor}: {r.status_code} {r.text[:160]}"
                if actor in allowed:
                    item, case = await WorkItem.get(id=item_id), await Case.get(id=case_id)
                    ok = r.status_code == 200 and {
                        "claim": item.assignee_id == ids.get(actor) and item.status == "open",
                        "approve": item.done_by_id == ids.get(actor) and item.action == "approve",
                        "return_applicant": item.action == "return_applicant" and case.status == "returned",
                        "reject": item.action == "reject" and case.status == "rejected",
                        "transfer": item.assignee_id == target,
                        "candidates": target in {c["id"] for c in r.json().get("items", [])},
                        "withdraw": case.status == "withdrawn",
                    }[route]
                    if not ok:
                        failures.append("expected to act: " + where)
                    continue
                want = (_UNSEEN.get(actor, 403),) if actor in _UNSEEN else (403,)
                if r.status_code not in want:
                    failures.append(f"expected {want}: {where}")
                elif not re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"]):
                    failures.append("refusal without a Chinese message: " + where)
                if await _case_rows(case_id) != before:
                    failures.append("refused call changed the case: " + where)
        assert failures == [], "\n".join(failures)
    finally:
        await api.client.aclose()


@pytest.mark.feature("GOV-01-02", "BLD-01-02")
async def test_the_applicants_org_never_sees_the_bureaus_step_as_its_own(live_server):  # noqa: ANN001
    from app.workflow.models import WorkItem
    api = Api(live_server.url)
    try:
        t = await api.login("builder_admin")
        builder_org = await Org.get(name=ORG_NAMES["builder"])
        case_id, item_id = await _declaration(api, t, builder_org)
        # Even a colleague of the builder with the full case.work.* set, and the item assigned to nobody.
        mate_login = f"mate{_tag()}"
        await _make_staff(builder_org, "建设单位同事", login=mate_login,
                          roles=[await Role.create(org=builder_org, name=f"全部待办{_tag()}", permissions=[
                              "case.case.read", "case.work.handle", "case.work.approve", "case.work.supervise"])])
        mate = await api.login(mate_login)
        for token in (t, mate):
            todo = (await api.get("/api/v1/todo?all=1&page_size=200&sort=-id", token)).json()
            assert all(i["case_id"] != case_id or not (i["can_claim"] or i["can_act"] or i["can_transfer"])
                       for i in todo["items"])
            detail = (await api.get(f"/api/v1/cases/{case_id}", token)).json()
            assert detail["my_work_items"] == []
            assert detail["work_items"][0]["state_name"] == "待签收"
        assert (await WorkItem.get(id=item_id)).assignee_id is None
    finally:
        await api.client.aclose()
