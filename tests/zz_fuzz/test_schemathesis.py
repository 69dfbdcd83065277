"""Property-based fuzzing of the whole HTTP API from its OpenAPI document: no input gives a 5xx.

Runs last (the directory sorts after api/ and e2e/): with a supervisor's token the fuzzer locks,
disables and resets whatever IDs it finds. It acts as a dedicated city supervisor, and as a
dedicated person for /api/me, so the demo accounts are left alone by design, not by luck.
"""
from __future__ import annotations

import datetime as dt
import io
import secrets
import uuid
from collections import Counter

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from app.core.models import Job
from app.identity.models import Account, Org, Role
from app.identity.passwords import hash_password
from app.identity.permissions import grantable
from tests.helpers import fresh_ip, fresh_phone, make_id_number

pytestmark = pytest.mark.feature("GOV-13-04", "GOV-13-05", "GOV-13-06", "GOV-13-07")

PASSWORD = "Fuzz@2026xy"
# Calls that would end the fuzzer's own session; everything else is fuzzed.
SESSION_KILLERS = [("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password"), ("POST", "/api/me/logout")]
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                print_blob=True)


class Identity:
    def __init__(self, token: str, account_id: int, role_id: int | None = None, real: dict | None = None):
        self.token, self.account_id, self.role_id = token, account_id, role_id
        self.real = real or {}  # path parameter -> a real row inside this identity's scope
        self.ip = fresh_ip()


@pytest.fixture(scope="module")
async def supervisor(live_server) -> Identity:  # noqa: ANN001
    """A city supervisor of its own, holding every gov permission, and rows of its own to fuzz."""
    city = await Org.get(kind="GOV", level="city")
    tag = secrets.token_hex(3)
    role = await Role.create(org=city, name=f"模糊测试主管{tag}", permissions=sorted(grantable("GOV")))
    acc = Account(kind="STAFF", org_id=city.id, login_name=f"fuzz_sup_{tag}", name="模糊测试主管",
                  phone=fresh_phone(), position="supervisor", hired_on=dt.date(2025, 1, 2),
                  password_hash=await hash_password(PASSWORD))
    await acc.save()
    await acc.roles.add(role)
    # What the fuzzer may lock, reset, rename and delete instead of anything the other tests use.
    spare = Account(kind="STAFF", org_id=city.id, name="模糊测试同事", phone=fresh_phone(), position="clerk",
                    hired_on=dt.date(2025, 1, 2))
    await spare.save()
    spare_role = await Role.create(org=city, name=f"模糊测试角色{tag}", permissions=["identity.staff.read"])
    unit = await Org.create(kind="OPERATOR", name=f"模糊测试运营单位{tag}", district_code="440705", level="org")
    unit_role = await Role.create(org=unit, name="单位管理员", permissions=["identity.staff.read"])
    main = Account(kind="STAFF", org_id=unit.id, login_name=f"fuzz_unit_{tag}", name="模糊测试主账号",
                   phone=fresh_phone(), is_org_main=True, password_hash=await hash_password(PASSWORD))
    await main.save()
    await main.roles.add(unit_role)
    job = await Job.create(id=uuid.uuid4(), kind="fuzz", created_by_id=acc.id)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as c:
        r = await c.post("/api/v1/auth/login", json={"username": acc.login_name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        r = await c.post("/api/v1/files", headers=auth, files={"file": ("a.png", _png(), "image/png")})
        assert r.status_code == 201, r.text
        file_id = r.json()["id"]
        # A case of its own (with a material, a work item and a receipt) and a campaign to fuzz.
        r = await c.post("/api/v1/cases", headers=auth, json={
            "case_type": "complaint", "district_code": "440705",
            "applicant": {"kind": "PERSON", "name": "模糊测试", "id_number": make_id_number("440705")},
            "form": {"category": "物业服务", "content": "模糊测试"},
            "materials": [{"file_id": file_id, "material_type": "现场照片"}]})
        assert r.status_code == 201, r.text
        case = r.json()
        r = await c.post(f"/api/v1/cases/{case['id']}/documents", headers=auth, json={"template_key": "case_receipt"})
        assert r.status_code == 201, r.text
        doc_id = r.json()["id"]
        now = dt.datetime.now(dt.timezone.utc)
        r = await c.post("/api/v1/campaigns", headers=auth, json={
            "name": f"模糊测试专题{tag}", "case_types": ["complaint"], "starts_at": now.isoformat(),
            "ends_at": (now + dt.timedelta(days=1)).isoformat()})
        assert r.status_code == 201, r.text
        housing = await _housing_rows(tag)
        return Identity(token, acc.id, role.id, housing | {"account_id": spare.id, "role_id": spare_role.id,
                                                 "org_id": unit.id, "file_id": file_id, "job_id": str(job.id),
                                                 "case_id": case["id"], "item_id": case["work_items"][0]["id"],
                                                 "material_id": case["materials"][0]["id"], "doc_id": doc_id,
                                                 "campaign_id": r.json()["id"], "key": "complaint",
                                                 "case_type_key": "complaint", "version": 1})


@pytest.fixture(scope="module")
async def fuzz_person(live_server) -> Identity:
    phone = fresh_phone()
    acc = Account(kind="PERSON", name="模糊测试人", id_number=make_id_number("440705", "19880808"), phone=phone,
                  password_hash=await hash_password(PASSWORD))
    await acc.save()
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as c:
        r = await c.post("/api/public/auth/login", json={"id_number": acc.id_number, "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        # An application of its own (a draft with a material) for the /api/me/cases routes to reach.
        r = await c.post("/api/me/files", headers=auth, files={"file": ("a.png", _png(), "image/png")})
        assert r.status_code == 201, r.text
        r = await c.post("/api/me/cases", headers=auth, json={
            "case_type": "complaint", "district_code": "440705", "form": {"category": "物业服务"},
            "materials": [{"file_id": r.json()["id"], "material_type": "现场照片"}]})
        assert r.status_code == 201, r.text
        case = r.json()
        return Identity(token, acc.id, real={"case_id": case["id"], "material_id": case["materials"][0]["id"]})


async def _housing_rows(tag: str) -> dict:
    """A project with a plan target, a community, a building, an entrance and a unit of the fuzzer's own."""
    from app.domains.housing.plans.models import AnnualPlan, PlanProjectTarget
    from app.domains.housing.projects.models import Project
    from app.domains.housing.stock.models import Building, Community, Entrance, Unit
    builder = await Org.get(name="鹤山市城建开发有限公司")
    p = await Project.create(code=f"FUZZ-{tag}", name=f"模糊测试项目{tag}", district_code="440784", address="鹤山市",
                             builder_id=builder.id, supply_mode="new_build", state="recognized")
    plan = await AnnualPlan.create(year=2026, name=f"模糊测试计划{tag}")
    target = await PlanProjectTarget.create(plan=plan, project=p, units_start=10)
    c = await Community.create(name=f"模糊测试小区{tag}", district_code="440784", address="鹤山市", project=p,
                               builder_id=builder.id)
    b = await Building.create(community=c, project_id=p.id, name="1栋", floors=3, district_code="440784",
                              builder_id=builder.id)
    e = await Entrance.create(building=b, name="1单元")
    u = await Unit.create(building=b, entrance=e, community_id=c.id, project_id=p.id, district_code="440784",
                          builder_id=builder.id, floor=1, number="101", area=50, state="available")
    return {"project_id": p.id, "plan_id": plan.id, "target_id": target.id, "community_id": c.id,
            "building_id": b.id, "entrance_id": e.id, "unit_id": u.id}


def _png() -> bytes:
    b = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(b, format="PNG")
    return b.getvalue()


def _keep_own_session(case, who: Identity) -> None:  # noqa: ANN001
    """The fuzzer may hit its own IDs (they are small integers): point those at a spare row instead."""
    params = case.path_parameters or {}
    if params.get("account_id") == who.account_id:
        params["account_id"] = who.real["account_id"]
    if who.role_id is not None and params.get("role_id") == who.role_id:
        params["role_id"] = who.real["role_id"]


def _fuzz(live_server, who: Identity, wanted, reach: float) -> list[str]:  # noqa: ANN001
    """Every operation, valid and invalid inputs alike; returns the 5xx found (shrunk by Hypothesis)."""
    schema = schemathesis.openapi.from_url(live_server.url + "/docs/openapi.json")
    schema.config.update(base_url=live_server.url)
    headers = {"Authorization": f"Bearer {who.token}", "X-Forwarded-For": who.ip}
    failures, ran, statuses = [], [], {}
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SESSION_KILLERS or not wanted(op.path):
            continue
        ran.append(op.label)
        # Random IDs mostly meet 404s; rounds on real rows also reach the use cases behind them.
        names = [p.name for p in op.path_parameters] if op.path_parameters else []
        real = {n: who.real[n] for n in names if n in who.real}
        rounds = [(m, None) for m in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if real and len(real) == len(names):
            rounds += [(GenerationMode.POSITIVE, real), (GenerationMode.NEGATIVE, real)]
        for mode, fixed in rounds:
            @FUZZ
            @given(case=op.as_strategy(generation_mode=mode, path_parameters=fixed))
            def run(case):  # noqa: ANN001, ANN202
                _keep_own_session(case, who)
                response = case.call(headers=headers)
                statuses.setdefault(op.label, Counter())[response.status_code] += 1
                case.validate_response(response, checks=[not_a_server_error], headers=headers)
            try:
                run()
            except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001 - collect them all, then fail once
                failures.append(f"{op.label} [{mode.value}{' real IDs' if fixed else ''}]: {str(e)[:1500]}")
    assert ran, "no operation was fuzzed"
    # The fuzzing got past the guard and the validation into the use cases, not just 401/403/422.
    reached = [op for op, seen in statuses.items() if any(200 <= code < 300 for code in seen)]
    assert len(reached) >= reach * len(ran), f"only {reached} ever succeeded: {statuses}"
    return failures


def test_no_server_error_as_supervisor(live_server, supervisor):  # noqa: ANN001
    failures = _fuzz(live_server, supervisor, lambda path: True, reach=0.5)
    assert failures == [], "\n\n".join(failures)


def test_no_server_error_as_person(live_server, fuzz_person):  # noqa: ANN001
    failures = _fuzz(live_server, fuzz_person, lambda path: path.startswith("/api/me/"), reach=0.3)
    assert failures == [], "\n\n".join(failures)


async def test_fuzzers_kept_their_sessions(live_server, supervisor, fuzz_person):  # noqa: ANN001
    """Otherwise most of the fuzzing above only met 401s."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as c:
        r = await c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {supervisor.token}"})
        assert r.status_code == 200 and set(r.json()["permissions"]) == grantable("GOV")
        r = await c.get("/api/me/profile", headers={"Authorization": f"Bearer {fuzz_person.token}"})
        assert r.status_code == 200


BAD_BODIES = [b"{not json", b'{"name":', b"\xff\xfe\x00", b"[]", b"null", b"123", b'"text"', b"{}" * 3,
              b'{"role_ids": "1,2"}', b'{"name": {"$ne": 1}}', b'{"permissions": [null, 1, {}]}',
              '{"name": "\u0000"}'.encode(), b'{"hired_on": "2026-02-30"}', b'{"left_on": 99999999999999999999}',
              b"[" * 100_000, b'{"permissions": ' + b"[" * 5000 + b"]" * 5000 + b"}",
              b'{"role_ids": [' + b"[" * 900 + b"]" * 900 + b"]}"]


async def test_bad_json_bodies_never_5xx(live_server, supervisor):  # noqa: ANN001
    failures, sent = [], 0
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30, headers={
            "Authorization": f"Bearer {supervisor.token}", "X-Forwarded-For": supervisor.ip}) as c:
        spec = (await c.get("/docs/openapi.json")).json()
        for path, item in spec["paths"].items():
            for method in ("post", "put", "patch"):
                if method not in item or path.endswith("/logout"):  # a bad body cannot change a password
                    continue
                url = path.replace("{account_id}", str(supervisor.real["account_id"])).replace("{role_id}", "999999999") \
                    .replace("{org_id}", "999999999")
                for body in BAD_BODIES:
                    for ctype in ("application/json", "text/plain"):
                        r = await c.request(method.upper(), url, content=body, headers={"Content-Type": ctype})
                        sent += 1
                        if r.status_code >= 500:
                            failures.append(f"{method.upper()} {url} {ctype} {body!r}: {r.status_code} {r.text[:120]}")
                        elif r.status_code in (400, 422):
                            assert r.json()["error"]["message"], (url, body)
    assert failures == [], "\n".join(failures)
    assert sent > 300


async def test_known_bad_inputs_get_a_clear_answer(live_server, supervisor):  # noqa: ANN001
    """What the fuzzer found once, pinned: each used to be a 500."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30, headers={
            "Authorization": f"Bearer {supervisor.token}", "X-Forwarded-For": supervisor.ip}) as c:
        # IDs beyond bigint name no row
        for url in ("/api/v1/identity/roles/27855528064579164356067983360",
                    "/api/v1/identity/staff/19604925885478044597076237484032",
                    "/api/v1/identity/orgs/-13607308918833968743046107365376"):
            r = await c.get(url)
            assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", (url, r.text)
        r = await c.post("/api/v1/identity/accounts/177992269876569866240/ca/disable")
        assert r.status_code == 404
        # list filters: NUL bytes, values longer than the column, numbers beyond bigint, dates at the edge
        for url, field in (("/api/v1/audit/logs?q=ab%00c", "q"), ("/api/v1/identity/staff?name=a%00b", "name"),
                           ("/api/v1/identity/orgs?district_code=4407031", "district_code"),
                           ("/api/v1/identity/orgs?credit_code=91440703MA4UJ8KX2RXX", "credit_code"),
                           ("/api/v1/identity/orgs?district_code__in=440703,4407031", "district_code"),
                           ("/api/v1/identity/staff?id=99999999999999999999", "id"),
                           ("/api/v1/identity/accounts?created_at__lte=9999-12-31", "created_at"),
                           ("/api/v1/identity/orgs?format=xlsx&district_code=4407031", "district_code")):
            r = await c.get(url)
            assert r.status_code == 422, (url, r.text)
            err = r.json()["error"]
            assert err["code"] == "INVALID_INPUT" and "查询条件" in err["message"] and field in err["fields"], (url, err)
        # bodies: a NUL in any string, however deep
        r = await c.post("/api/v1/auth/login", json={"username": "X\u0000\u0088", "password": "x"})
        assert r.status_code == 422 and "控制字符" in r.json()["error"]["message"]
        r = await c.post("/api/v1/identity/roles", json={"name": "角色", "permissions": ["a\u0000"]})
        assert r.status_code == 422 and "控制字符" in r.json()["error"]["message"]
        # IDs inside bodies beyond bigint
        r = await c.put(f"/api/v1/identity/staff/{supervisor.real['account_id']}/roles",
                        json={"role_ids": [235, 10370481796853227520]})
        assert r.status_code == 422 and r.json()["error"]["fields"] == {"role_ids.1": "数值过大"}
        r = await c.post("/api/v1/identity/roles", json={"name": "越界", "org_id": 2**63})
        assert r.status_code == 422 and "org_id" in r.json()["error"]["fields"]
        r = await c.post("/api/v1/identity/roles", content=b"[" * 100_000, headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["error"]["message"] == "请求体不是有效的 JSON"
