"""Staff login, sessions, lockout and the access contract (GOV-13-07, PUB-01-03)."""
from __future__ import annotations

import datetime as dt
import secrets
import time
from urllib.parse import quote

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.core.cache import redis
from app.core.models import AuditLog
from app.identity import second_factor
from app.identity.models import Account, Role
from app.identity.sessions import _key
from tests.helpers import complete_login

pytestmark = pytest.mark.feature("PUB-01-03", "GOV-13-07")


async def test_login_returns_token_and_me_has_menus(api):
    r = await api.client.post("/api/v1/auth/login", json={"username": "gov_admin", "password": "Demo@2026"})
    body = await complete_login(api.client, r)  # gov_admin's role asks for the SMS second factor
    assert body["account"]["login_name"] == "gov_admin"
    assert body["account"]["phone"] == "138****0101"  # masked by default
    me = (await api.get("/api/v1/auth/me", body["token"])).json()
    assert me["org"]["name"] == "江门市住房和城乡建设局"
    assert me["scope"] == "CITY"
    assert "identity.org.read" in me["permissions"]
    system = next(m for m in me["menus"] if m["code"] == "system")
    assert [c["code"] for c in system["children"]] == ["system.orgs", "system.staff", "system.roles",
                                                       "system.accounts", "system.audit"]
    leaves = {c["code"] for m in me["menus"] for c in m["children"]}
    assert {"work.todo", "work.intake", "config.processes", "housing.units"} <= leaves


async def test_builder_sees_only_its_menus(api, token):
    me = (await api.get("/api/v1/auth/me", await token("builder_admin"))).json()
    assert me["scope"] == "ORG"
    system = next(m for m in me["menus"] if m["code"] == "system")
    assert {c["code"] for c in system["children"]} == {"system.staff", "system.roles", "system.org_info"}
    leaves = {c["code"] for m in me["menus"] for c in m["children"]}
    assert {"work.todo", "work.intake", "housing.projects", "housing.units"} <= leaves
    # Nothing that is the housing bureau's own.
    assert not leaves & {"system.orgs", "system.accounts", "system.audit", "config.processes", "config.rules",
                         "housing.plans", "work.campaigns"}
    assert not any(p.startswith(("identity.org.read", "identity.org.manage", "audit", "identity.account"))
                   for p in me["permissions"])


async def test_wrong_password_and_unknown_user_get_the_same_answer(api):
    a = await api.client.post("/api/v1/auth/login", json={"username": "gov_clerk", "password": "Wrong@2026"})
    b = await api.client.post("/api/v1/auth/login", json={"username": "nobody_here", "password": "Wrong@2026"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json() == {"error": {"code": "BAD_CREDENTIALS", "message": "账号或密码错误", "fields": {}}}


async def test_five_failures_lock_for_15_minutes_even_with_right_password(api, new_staff):
    login, password, _ = await new_staff()
    for i in range(4):
        r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": f"Bad@pass{i}"})
        assert r.status_code == 401
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": "Bad@pass9"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "ACCOUNT_LOCKED"
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    assert r.status_code == 429
    assert "15分钟" in r.json()["error"]["message"]
    assert await AuditLog.filter(action="auth.lockout").exists()
    # the same lock message for a login that does not exist: nothing is revealed
    for i in range(5):
        r = await api.client.post("/api/v1/auth/login", json={"username": "ghost_user_x", "password": f"Bad@pass{i}"})
    assert r.status_code == 429


async def test_logout_revokes_token(api, new_staff):
    login, password, _ = await new_staff()
    t = await api.login(login, password)
    assert (await api.get("/api/v1/auth/me", t)).status_code == 200
    assert (await api.post("/api/v1/auth/logout", t)).status_code == 200
    r = await api.get("/api/v1/auth/me", t)
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


async def test_session_idle_ttl_and_absolute_timeout(api, new_staff):
    login, password, _ = await new_staff()
    t = await api.login(login, password)
    ttl = await redis().ttl(_key(t))
    assert 1700 < ttl <= 1800  # 30 minutes idle
    # a session older than 12 hours is dead even if it was used recently
    await redis().hset(_key(t), "created", int(time.time()) - 12 * 3600 - 1)
    assert (await api.get("/api/v1/auth/me", t)).status_code == 401
    assert not await redis().exists(_key(t))


async def test_password_change_revokes_all_sessions(api, new_staff):
    login, password, _ = await new_staff()
    t1 = await api.login(login, password)
    t2 = await api.login(login, password)
    r = await api.post("/api/v1/auth/password", t1, json={"old_password": "Wrong@123x", "new_password": "New@2026abc"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"old_password": "原密码错误"}
    r = await api.post("/api/v1/auth/password", t1, json={"old_password": password, "new_password": "short"})
    assert r.status_code == 422 and "8位" in r.json()["error"]["message"]
    r = await api.post("/api/v1/auth/password", t1, json={"old_password": password, "new_password": login})
    assert r.status_code == 422
    r = await api.post("/api/v1/auth/password", t1, json={"old_password": password, "new_password": "New@2026abc"})
    assert r.status_code == 200 and r.json()["relogin"] is True
    for t in (t1, t2):
        assert (await api.get("/api/v1/auth/me", t)).status_code == 401
    await api.login(login, "New@2026abc")


async def test_no_token_and_garbage_token(api):
    r = await api.get("/api/v1/auth/me")
    assert r.status_code == 401
    r = await api.get("/api/v1/auth/me", "x" * 500)
    assert r.status_code == 401
    r = await api.client.post("/api/v1/auth/login", content=b"{not json")
    assert r.status_code == 422 and r.json()["error"]["message"] == "请求体不是有效的 JSON"


async def test_health_ready_and_docs(api):
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    r = await api.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"] == {"postgresql": "ok", "redis": "ok", "rabbitmq": "ok"}
    spec = (await api.get("/docs/openapi.json")).json()
    assert "/api/v1/auth/login" in spec["paths"]
    page = (await api.get("/docs")).text
    assert "/docs/static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    r = await api.get("/docs/static/swagger-ui-bundle.js")
    assert r.status_code == 200 and len(r.content) > 100_000


# ---- the second factor (issue 10 §1: MLPS level 3 asks administrators for two factors) ---------

async def _sandbox_login_sms(sandbox_url: str, ref: str) -> dict:
    async with httpx.AsyncClient(base_url=sandbox_url) as c:
        items = (await c.get("/sandbox/sms/messages", params={"limit": 200})).json()["items"]
    found = [m for m in items if m["template"] == "login_code" and m["params"]["ref"] == ref]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.feature("PUB-01-03", "GOV-13-07")
async def test_admin_logs_in_with_password_then_the_sms_code(api, sandbox):
    r = await api.client.post("/api/v1/auth/login", json={"username": "gov_admin", "password": "Demo@2026"})
    assert r.status_code == 200, r.text
    ch = r.json()
    assert "token" not in ch and ch["second_factor"] == "sms"
    assert ch["phone"] == "138****0101" and len(ch["ref"]) == 4 and ch["expires_in"] == 300
    sms = await _sandbox_login_sms(sandbox.url, ch["ref"])
    assert sms["phone"] == "13800000101"
    assert sms["text"] == (f"【江门保租房】您正在登录管理平台，验证码{sms['params']['code']}（编号{ch['ref']}），"
                           "5分钟内有效。如非本人操作，请立即修改密码。")
    acc = await Account.get(login_name="gov_admin")
    log = await AuditLog.filter(action="auth.login_challenge", object_id=str(acc.id)).order_by("-id").first()
    assert log.after == {"factor": "sms", "ref": ch["ref"]}

    # The challenge token alone is no session.
    assert (await api.get("/api/v1/auth/me", ch["challenge_token"])).status_code == 401
    code = sms["params"]["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": wrong})
    assert r.status_code == 422 and r.json()["error"] == {"code": "INVALID_INPUT", "message": "验证码错误",
                                                          "fields": {"code": "验证码错误"}}
    r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": "12a"})
    assert r.status_code == 422 and r.json()["error"]["message"] == "验证码应为6位数字"
    r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": code})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["factor"] == "sms" and body["account"]["login_name"] == "gov_admin"
    assert (await api.get("/api/v1/auth/me", body["token"])).status_code == 200
    log = await AuditLog.filter(action="auth.login", object_id=str(acc.id)).order_by("-id").first()
    assert log.after == {"factor": "sms"} and log.summary == "登录成功（短信验证码二次验证）"
    # used once: the challenge is gone with its code
    r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": code})
    assert r.status_code == 401 and r.json()["error"]["code"] == "LOGIN_CHALLENGE_EXPIRED"
    assert r.json()["error"]["message"] == "登录验证已超时，请重新输入账号和密码"


@pytest.mark.feature("PUB-01-03")
async def test_a_clerk_logs_in_with_the_password_alone_and_resend_waits(api):
    r = await api.client.post("/api/v1/auth/login", json={"username": "gov_clerk", "password": "Demo@2026"})
    assert r.status_code == 200 and r.json()["factor"] == "password" and r.json()["token"]
    r = await api.client.post("/api/v1/auth/login", json={"username": "pj_supervisor", "password": "Demo@2026"})
    ch = r.json()
    assert ch["second_factor"] == "sms"  # the supervisor's role asks for it
    r = await api.post("/api/v1/auth/login/resend", json={"challenge_token": ch["challenge_token"]})
    assert r.status_code == 429 and "秒后再获取" in r.json()["error"]["message"]
    r = await api.post("/api/v1/auth/login/resend", json={"challenge_token": "nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "LOGIN_CHALLENGE_EXPIRED"


@pytest.mark.feature("PUB-01-03", "GOV-13-04")
async def test_second_factor_is_a_role_property_and_an_account_may_opt_in(api, token, new_staff):
    t = await token("gov_admin")
    made = {}
    for name, body in {"plain": {"permissions": ["case.case.read"]},
                       "approver": {"permissions": ["case.case.read", "case.work.approve"]},
                       "approver_off": {"permissions": ["case.work.approve"], "second_factor": False}}.items():
        r = await api.post("/api/v1/identity/roles", t, json={"name": f"二次验证{name}{secrets.token_hex(3)}", **body})
        assert r.status_code == 201, r.text
        made[name] = (await Role.get(id=r.json()["id"])).second_factor
    assert made == {"plain": False, "approver": True, "approver_off": False}

    login, password, acc_id = await new_staff(permissions=["case.case.read"])
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    assert "token" in r.json()
    t_self = r.json()["token"]
    r = await api.put("/api/v1/auth/second-factor", t_self, json={"enabled": True})
    assert r.status_code == 200 and r.json() == {"second_factor": True, "required": True}
    assert (await Account.get(id=acc_id)).second_factor is True
    assert await AuditLog.filter(action="account.second_factor", object_id=str(acc_id)).exists()
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    assert r.json()["second_factor"] == "sms" and "token" not in r.json()
    await complete_login(api.client, r)
    # an admin may switch the account's own choice off again (员工管理 → 编辑), audited
    r = await api.put(f"/api/v1/identity/staff/{acc_id}", t, json={"second_factor": False})
    assert r.status_code == 200 and r.json()["second_factor"] is False
    log = await AuditLog.filter(action="staff.update", object_id=str(acc_id)).order_by("-id").first()
    assert log.before == {"second_factor": True} and log.after == {"second_factor": False}
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    assert r.json()["factor"] == "password"


@pytest.mark.feature("PUB-01-03", "GOV-13-07")
async def test_lockout_counts_failures_of_both_factors(api, new_staff):
    login, password, acc_id = await new_staff(permissions=["case.work.approve"])
    for i in range(2):
        r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": f"Bad@pass{i}"})
        assert r.status_code == 401
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    ch = r.json()
    assert ch["second_factor"] == "sms"
    for i in range(2):  # failures 3 and 4
        r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": "000000"})
        assert r.status_code == 422, r.text
    r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": "000001"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "ACCOUNT_LOCKED"
    # locked: the right password does not even get a challenge, and the old challenge is gone
    r = await api.client.post("/api/v1/auth/login", json={"username": login, "password": password})
    assert r.status_code == 429 and "分钟后再试" in r.json()["error"]["message"]
    r = await api.post("/api/v1/auth/login/verify", json={"challenge_token": ch["challenge_token"], "code": "000000"})
    assert r.status_code == 401
    fails = await AuditLog.filter(action="auth.login_failed", object_id=str(acc_id)).order_by("id")
    assert [f.after["factor"] for f in fails] == ["password", "password", "sms", "sms", "sms"]


# ---- the bound CA certificate behind nginx client-certificate TLS -------------------------------

def _certificate(serial: int, days: int = 365) -> tuple[str, str]:
    """A CA and a staff certificate it issued: (escaped PEM as nginx's $ssl_client_escaped_cert, serial hex)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试CA")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试员工")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(serial)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
            .sign(ca_key, hashes.SHA256()))
    return quote(cert.public_bytes(serialization.Encoding.PEM).decode()), f"{serial:X}"


@pytest.mark.feature("GOV-13-07", "PUB-01-03")
async def test_bound_ca_certificate_is_the_second_factor_behind_nginx(api, token, new_staff):
    login, password, acc_id = await new_staff(permissions=["case.work.approve"])
    pem, sn = _certificate(0x5A3C0000 + secrets.randbelow(1 << 20))
    r = await api.put(f"/api/v1/identity/accounts/{acc_id}/ca", await token("gov_admin"),
                      json={"ca_cert_sn": sn, "ca_cert_subject": "CN=测试员工", "ca_valid_to": "2030-01-01"})
    assert r.status_code == 200, r.text
    body = {"username": login, "password": password}

    # what nginx sets after verifying the client certificate (the test client is the trusted proxy)
    r = await api.client.post("/api/v1/auth/login", json=body,
                              headers={"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-Cert": pem})
    assert r.status_code == 200, r.text
    assert r.json()["factor"] == "ca" and r.json()["token"]
    log = await AuditLog.filter(action="auth.login", object_id=str(acc_id)).order_by("-id").first()
    assert log.after == {"factor": "ca"} and log.summary == "登录成功（CA证书二次验证）"

    # nginx did not verify it: the header counts for nothing, the SMS code is asked for
    r = await api.client.post("/api/v1/auth/login", json=body,
                              headers={"X-SSL-Client-Verify": "FAILED:certificate has expired", "X-SSL-Client-Cert": pem})
    assert r.json()["second_factor"] == "sms"

    # another certificate of the same CA: refused, and counted as a failed login
    other, _ = _certificate(0x7B000000 + secrets.randbelow(1 << 20))
    r = await api.client.post("/api/v1/auth/login", json=body,
                              headers={"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-Cert": other})
    assert r.status_code == 401 and r.json()["error"] == {
        "code": "CA_CERT_MISMATCH", "message": "所用CA证书与账号绑定的证书不一致，登录未完成", "fields": {}}
    fail = await AuditLog.filter(action="auth.login_failed", object_id=str(acc_id)).order_by("-id").first()
    assert fail.after == {"realm": "staff", "factor": "ca"}

    # a disabled certificate is no factor
    r = await api.post(f"/api/v1/identity/accounts/{acc_id}/ca/disable", await token("gov_admin"))
    assert r.status_code == 200 and r.json()["ca_enabled"] is False
    r = await api.client.post("/api/v1/auth/login", json=body,
                              headers={"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-Cert": pem})
    assert r.status_code == 401 and r.json()["error"]["code"] == "CA_CERT_MISMATCH"


def test_client_certificate_headers_count_only_from_the_trusted_proxy():
    pem, sn = _certificate(0x1234ABCD)
    headers = {"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-Cert": pem}
    assert second_factor.client_cert_from(headers, "127.0.0.1").serial == "1234ABCD"  # CLIENT_CERT_TRUSTED_PROXIES
    assert second_factor.client_cert_from(headers, "10.0.0.9") is None
    assert second_factor.client_cert_from(headers, None) is None
    assert second_factor.client_cert_from({**headers, "X-SSL-Client-Cert": "garbage"}, "127.0.0.1") is None
    assert second_factor.trusted_peer("10.1.2.3", "10.1.0.0/16, 192.168.1.5")
    assert not second_factor.trusted_peer("10.2.2.3", "10.1.0.0/16, 192.168.1.5")
    assert not second_factor.trusted_peer("10.1.2.3", "")
    assert second_factor.normalize_serial("00:1a:2B") == "1A2B"
    cert = second_factor.client_cert_from(headers, "127.0.0.1")
    now = dt.datetime.now(dt.timezone.utc)
    assert second_factor.cert_matches(cert, "12:34:ab:cd", True, dt.date(2099, 1, 1), now) is None
    assert second_factor.cert_matches(cert, "1234ABCE", True, None, now) == "所用CA证书与账号绑定的证书不一致"
    assert second_factor.cert_matches(cert, "1234ABCD", False, None, now) == "该账号未绑定或未启用CA证书"
    assert second_factor.cert_matches(cert, "1234ABCD", True, dt.date(2020, 1, 1), now) == "CA证书已过期"
