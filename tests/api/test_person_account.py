"""Person accounts end to end: SMS codes, registration, login, password reset and change, phone change,
logout, and the line between the person realm (/api/public, /api/me) and the staff realm (/api/v1)."""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import secrets
from dataclasses import dataclass

import httpx
import pytest

from app.core.cache import redis
from app.core.db import conn
from app.core.idcard import check_digit
from app.core.models import AuditLog
from app.core.pii import blind_index, decrypt, mask_id_number, mask_phone
from app.identity.models import Account
from tests.conftest import Api, fresh_phone

PW = "Tenant@2026a"
BAD_LOGIN = {"error": {"code": "BAD_CREDENTIALS", "message": "账号或密码错误", "fields": {}}}
SENT = {"ok": True, "message": "验证码已发送，5分钟内有效"}
GONE = {"code": "INVALID_INPUT", "message": "验证码已失效，请重新获取", "fields": {"sms_code": "验证码已失效"}}
WRONG = {"code": "INVALID_INPUT", "message": "验证码错误", "fields": {"sms_code": "验证码错误"}}

_ids = itertools.count(1)


def new_id_number(last: str | None = None) -> str:
    """A valid ID number no other test in this run uses; `last="X"` for one ending in X."""
    n = next(_ids)
    born = dt.date(1960, 1, 1) + dt.timedelta(days=(os.getpid() * 31 + n * 97) % 20000)
    while True:
        first17 = f"440703{born:%Y%m%d}{secrets.randbelow(1000):03d}"
        if last is None or check_digit(first17) == last:
            return first17 + check_digit(first17)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def unthrottle(phone: str) -> None:
    """Stands in for the 60 seconds a person waits before asking for the next code."""
    await redis().delete(f"smsrl:{blind_index(phone)}")


@dataclass
class Person:
    id: int
    name: str
    id_number: str
    phone: str
    password: str


@pytest.fixture
async def sent(sandbox):  # noqa: ANN001
    """sent(phone) -> every message the sandbox received for that phone, newest first."""
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as c:
        async def get(phone: str) -> list[dict]:
            r = await c.get("/sandbox/sms/messages", params={"phone": phone, "limit": 200})
            assert r.status_code == 200
            return r.json()["items"]
        yield get


@pytest.fixture
async def code_for(api, sms):  # noqa: ANN001
    async def get(phone: str, purpose: str = "register", client: Api | None = None) -> str:
        r = await (client or api).client.post("/api/public/sms/codes", json={"phone": phone, "purpose": purpose})
        assert r.status_code == 200, r.text
        assert r.json() == SENT
        return await sms(phone)
    return get


@pytest.fixture
async def me_code(api, sms):  # noqa: ANN001
    async def get(token: str, purpose: str, target: str, phone: str | None = None) -> str:
        r = await api.post("/api/me/sms/codes", token, json={"purpose": purpose, **({"phone": phone} if phone else {})})
        assert r.status_code == 200, r.text
        assert r.json() == SENT
        return await sms(target)
    return get


@pytest.fixture
async def register(api, code_for):  # noqa: ANN001
    async def make(password: str = PW, name: str = "陈小明") -> Person:
        phone, idn = fresh_phone(), new_id_number()
        code = await code_for(phone)
        r = await api.client.post("/api/public/auth/register", json={
            "name": name, "id_number": idn, "phone": phone, "sms_code": code, "password": password})
        assert r.status_code == 201, r.text
        return Person(r.json()["account"]["id"], name, idn, phone, password)
    return make


async def _register(api, **kw):  # noqa: ANN001, ANN003, ANN202
    body = {"name": "陈小明", "password": PW, **kw}
    return await api.client.post("/api/public/auth/register", json=body)


# ---- registration --------------------------------------------------------------------------

@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_register_stores_pii_encrypted_with_blind_indexes(api, code_for):
    phone, idn = fresh_phone(), new_id_number(last="X")
    code = await code_for(phone)
    r = await _register(api, name="欧阳小明", id_number=idn.lower(), phone=phone, sms_code=code)
    assert r.status_code == 201, r.text
    acc_out = r.json()["account"]
    assert acc_out["kind"] == "PERSON" and acc_out["name"] == "欧阳小明"
    assert acc_out["phone"] == mask_phone(phone) and acc_out["id_number"] == mask_id_number(idn)
    assert acc_out["login_name"] is None and acc_out["org_id"] is None and acc_out["enabled"] is True

    acc = await Account.get(id=acc_out["id"])
    assert (acc.kind, acc.id_number, acc.phone) == ("PERSON", idn, phone)  # stored upper-case X
    assert acc.id_number_idx == blind_index(idn) == blind_index(idn.lower())
    assert acc.phone_idx == blind_index(phone)
    assert acc.password_hash.startswith("$argon2id$") and PW not in acc.password_hash
    assert acc.password_changed_at is not None
    _, rows = await conn().execute_query("select id_number, phone from account where id=$1", [acc.id])
    raw_id, raw_phone = bytes(rows[0]["id_number"]), bytes(rows[0]["phone"])
    for raw, plain in ((raw_id, idn), (raw_phone, phone)):
        assert plain.encode() not in raw and plain[-8:].encode() not in raw
        assert decrypt(raw) == plain
    assert raw_id[0] == 1  # key id

    log = await AuditLog.get(action="person.register", object_id=str(acc.id))
    assert log.after == {"name": "欧阳小明", "id_number": mask_id_number(idn), "phone": mask_phone(phone)}
    assert log.actor_id == acc.id and log.actor_kind == "PERSON" and log.ip == api.ip
    assert idn not in json.dumps(log.after) and phone not in json.dumps(log.after)

    # logs in with the ID number, x or X
    token = await api.person_login(idn.lower(), PW)
    r = await api.get("/api/me/profile", token)
    assert r.status_code == 200
    assert r.json()["account"]["id"] == acc.id and r.json()["account"]["phone"] == mask_phone(phone)


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_invalid_id_numbers_are_refused_in_chinese_and_keep_the_code(api, code_for):
    phone = fresh_phone()
    code = await code_for(phone)
    good = new_id_number()
    first17 = good[:17]
    bad_check = first17 + ("0" if good[17] != "0" else "1")
    bad_date = "44070319900230" + "123"
    bad_date += check_digit(bad_date)
    bad_region = "99" + good[2:17]
    bad_region += check_digit(bad_region)
    cases = {
        bad_check: "身份证号码校验位错误",
        bad_date: "身份证号码的出生日期无效",
        bad_region: "身份证号码的地区码无效",
        good[:17]: "身份证号码应为18位，前17位为数字，末位为数字或X",
    }
    for idn, reason in cases.items():
        r = await _register(api, id_number=idn, phone=phone, sms_code=code)
        assert r.status_code == 422, (idn, r.text)
        err = r.json()["error"]
        assert err["code"] == "INVALID_INPUT"
        assert err["fields"] == {"id_number": reason}
        assert reason in err["message"]
        assert not await Account.filter(id_number_idx=blind_index(idn)).exists()
    assert not await Account.filter(phone_idx=blind_index(phone)).exists()
    # refusing the form did not use up the code
    r = await _register(api, id_number=good, phone=phone, sms_code=code)
    assert r.status_code == 201, r.text


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_duplicate_id_number_or_phone_is_409(api, register, code_for):
    p = await register()
    phone2 = fresh_phone()
    code2 = await code_for(phone2)
    r = await _register(api, id_number=p.id_number, phone=phone2, sms_code=code2)
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "ID_NUMBER_REGISTERED", "message": "该身份证号已注册，请直接登录或找回密码",
                                 "fields": {}}
    await unthrottle(p.phone)
    code1 = await code_for(p.phone)
    r = await _register(api, id_number=new_id_number(), phone=p.phone, sms_code=code1)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PHONE_REGISTERED"
    assert await Account.filter(id_number_idx=blind_index(p.id_number)).count() == 1
    assert await Account.filter(phone_idx=blind_index(p.phone)).count() == 1
    assert not await Account.filter(phone_idx=blind_index(phone2)).exists()


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_password_policy_on_register(api, code_for):
    phone, idn = fresh_phone(), new_id_number()
    code = await code_for(phone)
    three = "密码需包含大写字母、小写字母、数字、特殊字符中的至少三类"
    cases = {"Ab@1x": "密码长度至少8位", "abcdefgh1": three, "ABCDEFGH!": three, "Ab1" * 22: "密码长度不能超过64位",
             idn: three, phone: three}
    for pw, msg in cases.items():
        r = await _register(api, id_number=idn, phone=phone, sms_code=code, password=pw)
        assert r.status_code == 422, (pw, r.text)
        assert r.json()["error"] == {"code": "INVALID_INPUT", "message": msg, "fields": {"password": msg}}
    assert not await Account.filter(id_number_idx=blind_index(idn)).exists()
    r = await _register(api, id_number=idn, phone=phone, sms_code=code, password="abc2026!x")
    assert r.status_code == 201, r.text


# ---- SMS codes ------------------------------------------------------------------------------

@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_wrong_code_then_right_code(api, code_for, sent):
    phone, idn = fresh_phone(), new_id_number()
    code = await code_for(phone)
    msgs = await sent(phone)
    assert len(msgs) == 1 and code in msgs[0]["text"] and "5分钟" in msgs[0]["text"]
    r = await _register(api, id_number=idn, phone=phone, sms_code=other_code(code))
    assert r.status_code == 422 and r.json()["error"] == WRONG
    assert not await Account.filter(id_number_idx=blind_index(idn)).exists()
    for bad in ("12345", "12a456", ""):
        r = await _register(api, id_number=idn, phone=phone, sms_code=bad)
        assert r.status_code == 422
        assert r.json()["error"]["fields"] == {"sms_code": "验证码应为6位数字"}
    r = await _register(api, id_number=idn, phone=phone, sms_code=code)
    assert r.status_code == 201


@pytest.mark.feature("PUB-01-05", "MOB-01-03")
async def test_a_code_works_exactly_once(api, register, code_for):
    p = await register()
    await unthrottle(p.phone)
    code = await code_for(p.phone, "reset_password")
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": p.phone, "sms_code": code, "new_password": "Reset@2026a"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": p.phone, "sms_code": code, "new_password": "Reset@2026b"})
    assert r.status_code == 422 and r.json()["error"] == GONE
    await api.person_login(p.id_number, "Reset@2026a")


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_five_wrong_tries_kill_the_code(api, code_for):
    # four wrong tries leave the code alive
    phone, idn = fresh_phone(), new_id_number()
    code = await code_for(phone)
    for _ in range(4):
        r = await _register(api, id_number=idn, phone=phone, sms_code=other_code(code))
        assert r.json()["error"] == WRONG
    assert (await _register(api, id_number=idn, phone=phone, sms_code=code)).status_code == 201
    # the fifth kills it, and the right code is then refused
    phone, idn = fresh_phone(), new_id_number()
    code = await code_for(phone)
    for _ in range(5):
        r = await _register(api, id_number=idn, phone=phone, sms_code=other_code(code))
        assert r.status_code == 422 and r.json()["error"] == WRONG
    assert not await redis().exists(f"smscode:register:{blind_index(phone)}")
    r = await _register(api, id_number=idn, phone=phone, sms_code=code)
    assert r.status_code == 422 and r.json()["error"] == GONE
    assert not await Account.filter(id_number_idx=blind_index(idn)).exists()


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_unknown_expired_and_replaced_codes(api, code_for):
    phone, idn = fresh_phone(), new_id_number()
    r = await _register(api, id_number=idn, phone=phone, sms_code="123456")  # never asked for
    assert r.status_code == 422 and r.json()["error"] == GONE
    code = await code_for(phone)
    key = f"smscode:register:{blind_index(phone)}"
    ttl = await redis().ttl(key)
    assert 240 < ttl <= 300  # five minutes
    assert await redis().get(key) != code  # kept hashed, not in the clear
    await redis().delete(key)  # what five minutes do
    r = await _register(api, id_number=idn, phone=phone, sms_code=code)
    assert r.status_code == 422 and r.json()["error"] == GONE
    # a new code replaces the old one
    await unthrottle(phone)
    first = await code_for(phone)
    await unthrottle(phone)
    second = await code_for(phone)
    if first != second:
        r = await _register(api, id_number=idn, phone=phone, sms_code=first)
        assert r.status_code == 422 and r.json()["error"] == WRONG
    # a code for one purpose does not serve another
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": phone, "sms_code": second, "new_password": "Reset@2026a"})
    assert r.status_code == 422
    assert (await _register(api, id_number=idn, phone=phone, sms_code=second)).status_code == 201


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_one_code_per_phone_per_minute(api, code_for, sent):
    phone = fresh_phone()
    await code_for(phone)
    for purpose in ("register", "reset_password"):
        r = await api.client.post("/api/public/sms/codes", json={"phone": phone, "purpose": purpose})
        assert r.status_code == 429
        assert r.json()["error"] == {"code": "TOO_MANY_REQUESTS", "message": "验证码已发送，请60秒后再获取",
                                     "fields": {}}
    assert len(await sent(phone)) == 1
    assert 50 < await redis().ttl(f"smsrl:{blind_index(phone)}") <= 60


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_ten_codes_per_phone_per_day(api, code_for, sent):
    phone = fresh_phone()
    for _ in range(10):
        await unthrottle(phone)
        await code_for(phone)
    await unthrottle(phone)
    r = await api.client.post("/api/public/sms/codes", json={"phone": phone, "purpose": "register"})
    assert r.status_code == 429
    assert r.json()["error"]["message"] == "该手机号今日获取验证码次数已达上限，请明日再试"
    assert len(await sent(phone)) == 10


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_twenty_codes_per_ip_per_hour(api, live_server, code_for, sent):
    for _attempt in range(2):  # once more if the clock hour turned mid-test and reset the counter
        hour = dt.datetime.now().hour
        one_ip = Api(live_server.url)
        try:
            for _ in range(20):
                await code_for(fresh_phone(), client=one_ip)
            phone = fresh_phone()
            r = await one_ip.client.post("/api/public/sms/codes", json={"phone": phone, "purpose": "register"})
        finally:
            await one_ip.client.aclose()
        if dt.datetime.now().hour == hour:
            break
    assert r.status_code == 429
    assert r.json()["error"]["message"] == "本IP获取验证码过于频繁，请1小时后再试"
    assert await sent(phone) == []
    # the limit is the IP's, not the phone's
    await code_for(phone)
    assert len(await sent(phone)) == 1


# ---- login, reset, change -----------------------------------------------------------------

@pytest.mark.feature("PUB-01-04", "MOB-01-02")
async def test_wrong_password_unknown_and_malformed_id_get_the_same_401(api, register):
    p = await register()
    answers = []
    for idn, pw in ((p.id_number, "Wrong@2026x"), (new_id_number(), PW), ("123", PW), (p.phone, PW)):
        r = await api.client.post("/api/public/auth/login", json={"id_number": idn, "password": pw})
        assert r.status_code == 401, r.text
        answers.append(r.json())
    assert all(a == BAD_LOGIN for a in answers)
    # a staff login name is not a person login
    r = await api.client.post("/api/public/auth/login", json={"id_number": "gov_admin", "password": "Demo@2026"})
    assert r.status_code == 401 and r.json() == BAD_LOGIN
    r = await api.client.post("/api/public/auth/login", json={"id_number": p.id_number, "password": PW})
    assert r.status_code == 200
    body = r.json()
    assert body["account"]["id"] == p.id and body["token"]
    assert await Account.filter(id=p.id, last_login_at__isnull=False).exists()


@pytest.mark.feature("PUB-01-04", "MOB-01-02")
async def test_person_lockout_after_five_failures(api, register):
    p = await register()
    for i in range(4):
        r = await api.client.post("/api/public/auth/login", json={"id_number": p.id_number, "password": f"Bad@{i}xxxx"})
        assert r.status_code == 401
    r = await api.client.post("/api/public/auth/login", json={"id_number": p.id_number, "password": "Bad@9xxxx"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "ACCOUNT_LOCKED"
    r = await api.client.post("/api/public/auth/login", json={"id_number": p.id_number.lower(), "password": PW})
    assert r.status_code == 429


@pytest.mark.feature("PUB-01-05", "MOB-01-03")
async def test_password_reset_by_sms_ends_every_session(api, register, code_for):
    p = await register()
    t1 = await api.person_login(p.id_number, PW)
    t2 = await api.person_login(p.id_number, PW)
    before = (await Account.get(id=p.id)).password_changed_at
    await unthrottle(p.phone)
    code = await code_for(p.phone, "reset_password")
    for weak, msg in (("short1A", "密码长度至少8位"), ("alllowercase1", "密码需包含大写字母、小写字母、数字、特殊字符中的至少三类")):
        r = await api.client.post("/api/public/auth/password-reset",
                                  json={"phone": p.phone, "sms_code": code, "new_password": weak})
        assert r.status_code == 422 and r.json()["error"]["fields"] == {"new_password": msg}
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": p.phone, "sms_code": other_code(code), "new_password": "Reset@2026a"})
    assert r.status_code == 422 and r.json()["error"] == WRONG
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": p.phone, "sms_code": code, "new_password": "Reset@2026a"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    for t in (t1, t2):
        r = await api.get("/api/me/profile", t)
        assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    r = await api.client.post("/api/public/auth/login", json={"id_number": p.id_number, "password": PW})
    assert r.status_code == 401 and r.json() == BAD_LOGIN
    t3 = await api.person_login(p.id_number, "Reset@2026a")
    assert (await api.get("/api/me/profile", t3)).status_code == 200
    acc = await Account.get(id=p.id)
    assert acc.password_changed_at > before
    assert await AuditLog.filter(action="person.password_reset", object_id=str(p.id)).exists()


@pytest.mark.feature("PUB-01-05", "MOB-01-03")
async def test_reset_for_an_unregistered_phone_answers_alike_and_sends_nothing(api, register, sent):
    p = await register()
    await unthrottle(p.phone)
    stranger = fresh_phone()
    answers = {}
    for phone in (p.phone, stranger):
        first = await api.client.post("/api/public/sms/codes", json={"phone": phone, "purpose": "reset_password"})
        again = await api.client.post("/api/public/sms/codes", json={"phone": phone, "purpose": "reset_password"})
        answers[phone] = [(first.status_code, first.json()), (again.status_code, again.json())]
    assert answers[p.phone] == answers[stranger]
    assert answers[stranger][0] == (200, SENT)
    assert answers[stranger][1][0] == 429
    assert await sent(stranger) == []
    assert len(await sent(p.phone)) == 2  # the registration code and the reset code
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": stranger, "sms_code": "123456", "new_password": "Reset@2026a"})
    assert r.status_code == 422 and r.json()["error"] == GONE


@pytest.mark.feature("PUB-08-04-1")
async def test_change_password_with_old_password(api, register):
    p = await register()
    t = await api.person_login(p.id_number, PW)
    t_other = await api.person_login(p.id_number, PW)
    r = await api.post("/api/me/password", t, json={"old_password": "Wrong@2026x", "new_password": "New@2026abc"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"old_password": "原密码错误"}
    r = await api.post("/api/me/password", t, json={"old_password": PW, "new_password": PW})
    assert r.status_code == 422 and r.json()["error"]["message"] == "新密码不能与原密码相同"
    r = await api.post("/api/me/password", t, json={"old_password": PW, "new_password": "nouppercase"})
    assert r.status_code == 422 and "new_password" in r.json()["error"]["fields"]
    r = await api.post("/api/me/password", t, json={"new_password": "New@2026abc"})
    assert r.status_code == 422 and r.json()["error"]["message"] == "请输入原密码或手机验证码"
    assert (await api.get("/api/me/profile", t)).status_code == 200  # failures change nothing
    r = await api.post("/api/me/password", t, json={"old_password": PW, "new_password": "New@2026abc"})
    assert r.status_code == 200 and r.json() == {"ok": True, "relogin": True}
    for tok in (t, t_other):
        assert (await api.get("/api/me/profile", tok)).status_code == 401
    await api.person_login(p.id_number, "New@2026abc")
    r = await api.client.post("/api/public/auth/login", json={"id_number": p.id_number, "password": PW})
    assert r.status_code == 401
    log = await AuditLog.get(action="account.password_change", object_id=str(p.id))
    assert log.actor_id == p.id and "New@2026abc" not in json.dumps([log.before, log.after, log.summary])


@pytest.mark.feature("MOB-07-06-1")
async def test_change_password_with_sms_code(api, register, me_code):
    p = await register()
    t = await api.person_login(p.id_number, PW)
    await unthrottle(p.phone)
    code = await me_code(t, "change_password", p.phone)
    r = await api.post("/api/me/password", t, json={"sms_code": other_code(code), "new_password": "Sms@2026abc"})
    assert r.status_code == 422 and r.json()["error"] == WRONG
    r = await api.post("/api/me/password", t, json={"sms_code": code, "new_password": p.id_number})
    assert r.status_code == 422 and "new_password" in r.json()["error"]["fields"]
    r = await api.post("/api/me/password", t, json={"sms_code": code, "new_password": "Sms@2026abc"})
    assert r.status_code == 200 and r.json() == {"ok": True, "relogin": True}
    assert (await api.get("/api/me/profile", t)).status_code == 401
    t2 = await api.person_login(p.id_number, "Sms@2026abc")
    r = await api.post("/api/me/password", t2, json={"sms_code": code, "new_password": "Sms@2026xyz"})
    assert r.status_code == 422 and r.json()["error"] == GONE


@pytest.mark.feature("PUB-08-04-2")
async def test_change_phone_with_old_and_new_codes(api, register, me_code, sent, code_for):
    p = await register()
    t = await api.person_login(p.id_number, PW)
    new = fresh_phone()
    r = await api.post("/api/me/sms/codes", t, json={"purpose": "change_phone_new", "phone": p.phone})
    assert r.status_code == 422 and r.json()["error"]["message"] == "新手机号不能与原手机号相同"
    r = await api.post("/api/me/sms/codes", t, json={"purpose": "change_phone_new"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"phone": "必填"}
    await unthrottle(p.phone)
    old_code = await me_code(t, "change_phone_old", p.phone)
    new_code = await me_code(t, "change_phone_new", new, phone=new)
    r = await api.post("/api/me/phone", t, json={"new_phone": new, "new_code": new_code,
                                                  "old_code": other_code(old_code)})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"old_code": "验证码错误"}
    r = await api.post("/api/me/phone", t, json={"new_phone": new, "new_code": new_code})
    assert r.status_code == 422 and r.json()["error"]["message"] == "请输入原手机号验证码或当前密码"
    r = await api.post("/api/me/phone", t, json={"new_phone": p.phone, "new_code": new_code, "old_code": old_code})
    assert r.status_code == 422 and r.json()["error"]["message"] == "新手机号不能与原手机号相同"
    assert (await Account.get(id=p.id)).phone == p.phone
    r = await api.post("/api/me/phone", t, json={"new_phone": new, "new_code": new_code, "old_code": old_code})
    assert r.status_code == 200 and r.json() == {"ok": True}

    acc = await Account.get(id=p.id)
    assert acc.phone == new and acc.phone_idx == blind_index(new)
    _, rows = await conn().execute_query("select phone from account where id=$1", [p.id])
    assert new.encode() not in bytes(rows[0]["phone"]) and decrypt(bytes(rows[0]["phone"])) == new
    r = await api.get("/api/me/profile", t)
    assert r.status_code == 200 and r.json()["account"]["phone"] == mask_phone(new)
    log = await AuditLog.get(action="account.phone_change", object_id=str(p.id))
    assert log.before == {"phone": mask_phone(p.phone)} and log.after == {"phone": mask_phone(new)}

    # the old phone no longer reaches the account; the new one does
    n_old = len(await sent(p.phone))
    await unthrottle(p.phone)
    r = await api.client.post("/api/public/sms/codes", json={"phone": p.phone, "purpose": "reset_password"})
    assert r.status_code == 200 and len(await sent(p.phone)) == n_old
    await unthrottle(new)
    code = await code_for(new, "reset_password")
    r = await api.client.post("/api/public/auth/password-reset",
                              json={"phone": new, "sms_code": code, "new_password": "Moved@2026a"})
    assert r.status_code == 200
    await api.person_login(p.id_number, "Moved@2026a")


@pytest.mark.feature("MOB-07-06-2")
async def test_change_phone_with_password_and_new_code(api, register, me_code):
    p = await register()
    q = await register(name="李小芳")
    t = await api.person_login(p.id_number, PW)
    new = fresh_phone()
    new_code = await me_code(t, "change_phone_new", new, phone=new)
    r = await api.post("/api/me/phone", t, json={"new_phone": new, "new_code": new_code, "password": "Wrong@2026x"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"password": "密码错误"}
    r = await api.post("/api/me/phone", t, json={"new_phone": q.phone, "new_code": "123456", "password": PW})
    assert r.status_code == 409 and r.json()["error"]["code"] == "PHONE_REGISTERED"
    r = await api.post("/api/me/phone", t, json={"new_phone": new, "new_code": other_code(new_code), "password": PW})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"new_code": "验证码错误"}
    assert (await Account.get(id=p.id)).phone == p.phone
    r = await api.post("/api/me/phone", t, json={"new_phone": new, "new_code": new_code, "password": PW})
    assert r.status_code == 200
    acc = await Account.get(id=p.id)
    assert acc.phone == new and acc.phone_idx == blind_index(new)
    assert (await Account.get(id=q.id)).phone == q.phone
    r = await api.post("/api/me/phone", t, json={"new_phone": "12345", "new_code": "123456", "password": PW})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"new_phone": "手机号码格式有误，应为11位大陆手机号"}
    # the number given up is free for someone else
    tq = await api.person_login(q.id_number, PW)
    await unthrottle(p.phone)
    code = await me_code(tq, "change_phone_new", p.phone, phone=p.phone)
    r = await api.post("/api/me/phone", tq, json={"new_phone": p.phone, "new_code": code, "password": PW})
    assert r.status_code == 200, r.text
    assert (await Account.get(id=q.id)).phone_idx == blind_index(p.phone)


@pytest.mark.feature("PUB-08-06", "MOB-09-00")
async def test_logout_ends_only_that_session(api, register):
    p = await register()
    t = await api.person_login(p.id_number, PW)
    t_other = await api.person_login(p.id_number, PW)
    assert (await api.get("/api/me/profile", t)).status_code == 200
    r = await api.post("/api/me/logout", t)
    assert r.status_code == 200 and r.json() == {"ok": True}
    r = await api.get("/api/me/profile", t)
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    assert (await api.post("/api/me/logout", t)).status_code == 401
    assert (await api.get("/api/me/profile", t_other)).status_code == 200
    assert await AuditLog.filter(action="auth.logout", actor_id=p.id).exists()


@pytest.mark.feature("PUB-08-06", "PUB-01-04")
async def test_person_and_staff_realms_do_not_mix(api, register, token):
    staff = await token("gov_admin")
    for method, path, body in (("get", "/api/me/profile", None), ("post", "/api/me/password",
                                                                   {"old_password": "Demo@2026",
                                                                    "new_password": "New@2026abc"}),
                               ("post", "/api/me/sms/codes", {"purpose": "change_password"}),
                               ("post", "/api/me/logout", None)):
        r = await getattr(api, method)(path, staff, **({"json": body} if body else {}))
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"] == {"code": "FORBIDDEN", "message": "仅个人用户可用", "fields": {}}
    assert (await api.get("/api/v1/auth/me", staff)).status_code == 200  # the staff token still works
    p = await register()
    person = await api.person_login(p.id_number, PW)
    for path in ("/api/v1/identity/orgs", "/api/v1/identity/accounts", "/api/v1/identity/staff",
                 "/api/v1/identity/roles", "/api/v1/audit/logs"):
        r = await api.get(path, person)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"]["code"] == "FORBIDDEN"
    r = await api.post("/api/v1/identity/roles", person, json={"name": "x", "permissions": []})
    assert r.status_code == 403


# ---- races ----------------------------------------------------------------------------------

@pytest.mark.feature("PUB-01-05", "MOB-01-03")
async def test_ten_racing_uses_of_one_reset_code_one_wins(api, register, code_for):
    p = await register()
    await unthrottle(p.phone)
    code = await code_for(p.phone, "reset_password")
    pws = [f"Race@2026x{i}" for i in range(10)]
    rs = await asyncio.gather(*[api.client.post("/api/public/auth/password-reset", json={
        "phone": p.phone, "sms_code": code, "new_password": pw}) for pw in pws])
    codes = [r.status_code for r in rs]
    assert codes.count(200) == 1, codes
    assert all(r.json()["error"] == GONE for r in rs if r.status_code != 200)
    winner = pws[codes.index(200)]
    await api.person_login(p.id_number, winner)
    assert await AuditLog.filter(action="person.password_reset", object_id=str(p.id)).count() == 1


@pytest.mark.feature("PUB-01-02", "MOB-01-01")
async def test_ten_racing_registrations_with_one_code_make_one_account(api, code_for):
    phone, idn = fresh_phone(), new_id_number()
    code = await code_for(phone)
    rs = await asyncio.gather(*[_register(api, id_number=idn, phone=phone, sms_code=code) for _ in range(10)])
    codes = [r.status_code for r in rs]
    assert codes.count(201) == 1, codes
    assert set(codes) <= {201, 409, 422}
    assert await Account.filter(id_number_idx=blind_index(idn)).count() == 1
    assert await AuditLog.filter(action="person.register", object_id=str(rs[codes.index(201)].json()["account"]["id"])
                                 ).count() == 1
