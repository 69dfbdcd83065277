"""Staff login, sessions, lockout and the access contract (GOV-13-07, PUB-01-03)."""
from __future__ import annotations

import time

import pytest

from app.core.cache import redis
from app.core.models import AuditLog
from app.identity.sessions import _key

pytestmark = pytest.mark.feature("PUB-01-03", "GOV-13-07")


async def test_login_returns_token_and_me_has_menus(api):
    r = await api.client.post("/api/v1/auth/login", json={"username": "gov_admin", "password": "Demo@2026"})
    assert r.status_code == 200
    body = r.json()
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
