"""Each SMS adapter against the sandbox, which checks the providers' real signatures."""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from channels.sms import SmsSendError, build_provider
from channels.sms import aliyun as aliyun_sign
from channels.sms import tencent as tencent_sign
from channels.sms.aliyun import AliyunSmsProvider
from channels.sms.sandbox import SandboxSmsProvider
from channels.sms.tencent import TencentSmsProvider

pytestmark = pytest.mark.feature("PUB-01-02", "PUB-01-05", "MOB-01-01", "MOB-01-03")

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ["sandbox", "aliyun", "tencent"]


def _test_redis_url() -> str:
    # Whatever Redis the run uses (REDIS_URL), but DB 14 so the sandbox lists stay apart.
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path="/14"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sms_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A sandbox process of our own on a free port; yields its base URL."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("sms_sandbox") / "sandbox.log"
    env = {**os.environ, "SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(port), "REDIS_URL": _test_redis_url(),
           "SANDBOX_TLS_PORT": str(_free_port()), "SANDBOX_TLS_DIR": str(tmp_path_factory.mktemp("tls"))}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "sandbox"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sandbox exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"sandbox did not become healthy:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def settings_for(base: str, provider: str, **overrides: str) -> SimpleNamespace:
    return SimpleNamespace(**{
        "sms_provider": provider,
        "sandbox_url": base,
        "sms_sign_name": "江门保租房",
        "aliyun_sms_endpoint": f"{base}/aliyun/sms/",
        "aliyun_access_key_id": "LTAI-sandbox",
        "aliyun_access_key_secret": "sandbox-secret",
        "tencent_sms_endpoint": f"{base}/tencent/sms/",
        "tencent_secret_id": "AKID-sandbox",
        "tencent_secret_key": "sandbox-secret",
        "tencent_sms_app_id": "1400000000",
        "tencent_region": "ap-guangzhou",
        **overrides,
    })


def new_phone() -> str:
    # A number of its own per test, so tests never read each other's messages.
    return f"139{secrets.randbelow(10**8):08d}"


async def messages(base: str, phone: str, limit: int = 20) -> list[dict]:
    async with httpx.AsyncClient() as client:
        resp = await client.get(f"{base}/sandbox/sms/messages", params={"phone": phone, "limit": limit})
    assert resp.status_code == 200
    return resp.json()["items"]


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_verification_code_is_delivered_and_readable(sms_sandbox: str, kind: str) -> None:
    provider = build_provider(settings_for(sms_sandbox, kind))
    phone = new_phone()
    try:
        message_id = await provider.send(phone, "verify_code", {"code": "482915"})
    finally:
        await provider.aclose()

    items = await messages(sms_sandbox, phone)
    assert len(items) == 1
    item = items[0]
    assert item["message_id"] == message_id
    assert item["phone"] == phone
    assert item["provider"] == kind
    assert item["template"] == "verify_code"
    assert item["params"] == {"code": "482915"}
    assert item["text"] == "【江门保租房】您的验证码为482915，5分钟内有效，请勿泄露。"
    assert datetime.fromisoformat(item["sent_at"]).tzinfo is not None


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_notice_and_plus86_number(sms_sandbox: str, kind: str) -> None:
    provider = build_provider(settings_for(sms_sandbox, kind, sms_sign_name="江门市住房保障"))
    phone = new_phone()
    try:
        await provider.send(f"+86{phone}", "notice", {"content": "您的保租房申请已受理，请留意后续通知。"})
    finally:
        await provider.aclose()

    items = await messages(sms_sandbox, f"+86{phone}")
    assert [i["text"] for i in items] == ["【江门市住房保障】您的保租房申请已受理，请留意后续通知。"]
    assert items[0]["phone"] == phone


def test_factory_picks_provider_and_has_defaults() -> None:
    assert isinstance(build_provider(SimpleNamespace()), SandboxSmsProvider)
    ali = build_provider(SimpleNamespace(sms_provider="aliyun"))
    assert isinstance(ali, AliyunSmsProvider)
    assert ali.endpoint == "http://127.0.0.1:8100/aliyun/sms/"
    assert ali.templates["verify_code"] == "SMS_480100001"
    tc = build_provider(SimpleNamespace(sms_provider="tencent", tencent_sms_templates={"notice": "9"}))
    assert isinstance(tc, TencentSmsProvider)
    assert tc.templates == {"verify_code": "2100001", "login_code": "2100003", "notice": "9"}
    assert tc.host == "127.0.0.1:8100"
    with pytest.raises(ValueError, match="不支持的短信通道"):
        build_provider(SimpleNamespace(sms_provider="yunpian"))


@pytest.mark.parametrize(("kind", "overrides", "code"), [
    ("aliyun", {"aliyun_access_key_secret": "wrong-secret"}, "SignatureDoesNotMatch"),
    ("aliyun", {"aliyun_access_key_id": "LTAI-unknown"}, "InvalidAccessKeyId.NotFound"),
    ("tencent", {"tencent_secret_key": "wrong-secret"}, "AuthFailure.SignatureFailure"),
    ("tencent", {"tencent_secret_id": "AKID-unknown"}, "AuthFailure.SecretIdNotFound"),
    ("tencent", {"tencent_sms_app_id": "1400999999"}, "UnauthorizedOperation.SmsSdkAppIdVerifyFail"),
])
async def test_bad_credentials_are_refused(sms_sandbox: str, kind: str, overrides: dict, code: str) -> None:
    provider = build_provider(settings_for(sms_sandbox, kind, **overrides))
    phone = new_phone()
    try:
        with pytest.raises(SmsSendError) as caught:
            await provider.send(phone, "verify_code", {"code": "736104"})
    finally:
        await provider.aclose()

    err = caught.value
    assert (err.provider, err.code) == (kind, code)
    assert err.request_id
    assert str(err).isascii() is False  # a Chinese message for the user
    # Aliyun echoes its string-to-sign, which holds the phone and the code: it must not leak.
    for secret in (phone, "736104"):
        assert secret not in str(err) and secret not in err.provider_message
    assert await messages(sms_sandbox, phone) == []


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_unreachable_provider_is_a_clear_error(kind: str) -> None:
    nobody = f"http://127.0.0.1:{_free_port()}"
    provider = build_provider(settings_for(nobody, kind))
    try:
        with pytest.raises(SmsSendError) as caught:
            await provider.send(new_phone(), "verify_code", {"code": "123456"})
    finally:
        await provider.aclose()
    assert (caught.value.provider, caught.value.code) == (kind, "NETWORK_ERROR")
    assert str(caught.value) == "短信服务暂时无法连接，请稍后再试"


@pytest.mark.parametrize(("kind", "code"), [
    ("sandbox", "MOBILE_NUMBER_ILLEGAL"),
    ("aliyun", "isv.MOBILE_NUMBER_ILLEGAL"),
    ("tencent", "InvalidParameterValue.IncorrectPhoneNumber"),
])
@pytest.mark.parametrize("phone", ["1390000000", "23900000000", "1390000000a"])
async def test_invalid_phone_is_refused(sms_sandbox: str, kind: str, code: str, phone: str) -> None:
    provider = build_provider(settings_for(sms_sandbox, kind))
    try:
        with pytest.raises(SmsSendError) as caught:
            await provider.send(phone, "verify_code", {"code": "100200"})
    finally:
        await provider.aclose()
    assert caught.value.code == code
    assert str(caught.value) == "手机号格式不正确"
    assert await messages(sms_sandbox, phone) == []


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_missing_template_parameter_is_refused_before_sending(sms_sandbox: str, kind: str) -> None:
    provider = build_provider(settings_for(sms_sandbox, kind))
    phone = new_phone()
    try:
        with pytest.raises(SmsSendError, match="缺少参数：code"):
            await provider.send(phone, "verify_code", {})
        with pytest.raises(SmsSendError, match="短信模板不存在"):
            await provider.send(phone, "marketing", {"code": "1"})
    finally:
        await provider.aclose()
    assert await messages(sms_sandbox, phone) == []


async def test_unapproved_provider_template_is_refused(sms_sandbox: str) -> None:
    for kind, overrides, code in [
        ("aliyun", {"aliyun_sms_templates": {"verify_code": "SMS_000"}}, "isv.SMS_TEMPLATE_ILLEGAL"),
        ("tencent", {"tencent_sms_templates": {"verify_code": "1"}}, "FailedOperation.TemplateIncorrectOrUnapproved"),
    ]:
        provider = build_provider(settings_for(sms_sandbox, kind, **overrides))
        try:
            with pytest.raises(SmsSendError) as caught:
                await provider.send(new_phone(), "verify_code", {"code": "123456"})
        finally:
            await provider.aclose()
        assert caught.value.code == code
        assert str(caught.value) == "短信模板不可用，请检查模板配置"


async def test_aliyun_nonce_cannot_be_replayed(sms_sandbox: str) -> None:
    phone = new_phone()
    fields = aliyun_sign.signed_params(
        access_key_id="LTAI-sandbox", access_key_secret="sandbox-secret", action="SendSms",
        nonce=f"replay-{secrets.token_hex(8)}",
        params={"RegionId": "cn-hangzhou", "PhoneNumbers": phone, "SignName": "江门保租房",
                "TemplateCode": "SMS_480100001", "TemplateParam": '{"code":"555000"}'},
    )
    async with httpx.AsyncClient() as client:
        first = await client.post(f"{sms_sandbox}/aliyun/sms/", data=fields)
        again = await client.post(f"{sms_sandbox}/aliyun/sms/", data=fields)
    assert first.status_code == 200 and first.json()["Code"] == "OK"
    assert again.status_code == 400 and again.json()["Code"] == "SignatureNonceUsed"
    assert len(await messages(sms_sandbox, phone)) == 1


async def test_aliyun_get_with_query_string_is_accepted(sms_sandbox: str) -> None:
    # The documented GET form: the same signature scheme with "GET" in the string-to-sign.
    phone = new_phone()
    fields = aliyun_sign.signed_params(
        access_key_id="LTAI-sandbox", access_key_secret="sandbox-secret", action="SendSms", method="GET",
        params={"RegionId": "cn-hangzhou", "PhoneNumbers": phone, "SignName": "江门保租房",
                "TemplateCode": "SMS_480100002", "TemplateParam": '{"content":"测试 通知*~+"}'},
    )
    async with httpx.AsyncClient() as client:
        resp = await client.get(f"{sms_sandbox}/aliyun/sms/", params=fields)
    assert resp.json()["Code"] == "OK", resp.text
    assert (await messages(sms_sandbox, phone))[0]["text"] == "【江门保租房】测试 通知*~+"


async def test_tencent_signature_covers_the_body(sms_sandbox: str) -> None:
    phone, other = new_phone(), new_phone()
    body = {"PhoneNumberSet": [f"+86{phone}"], "SmsSdkAppId": "1400000000", "SignName": "江门保租房",
            "TemplateId": "2100001", "TemplateParamSet": ["246810"]}
    payload = json.dumps(body).encode()
    timestamp = int(time.time())
    host = urlsplit(sms_sandbox).netloc
    signed = {"Content-Type": tencent_sign.CONTENT_TYPE, "Host": host}
    auth = tencent_sign.authorization(secret_id="AKID-sandbox", secret_key="sandbox-secret", timestamp=timestamp,
                                      service="sms", method="POST", headers=signed, payload=payload)
    headers = {**signed, "Authorization": auth, "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11",
               "X-TC-Timestamp": str(timestamp), "X-TC-Region": "ap-guangzhou"}
    tampered = json.dumps({**body, "PhoneNumberSet": [f"+86{other}"]}).encode()
    stale = {**headers, "X-TC-Timestamp": str(timestamp - 3600)}
    async with httpx.AsyncClient() as client:
        forged = await client.post(f"{sms_sandbox}/tencent/sms/", content=tampered, headers=headers)
        expired = await client.post(f"{sms_sandbox}/tencent/sms/", content=payload, headers=stale)
        genuine = await client.post(f"{sms_sandbox}/tencent/sms/", content=payload, headers=headers)
    assert forged.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert expired.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureExpire"
    status = genuine.json()["Response"]["SendStatusSet"][0]
    assert (status["Code"], status["PhoneNumber"]) == ("Ok", f"+86{phone}")
    assert await messages(sms_sandbox, other) == []
    assert [m["message_id"] for m in await messages(sms_sandbox, phone)] == [status["SerialNo"]]


async def test_concurrent_sends_are_all_recorded_newest_first(sms_sandbox: str) -> None:
    phone = new_phone()
    providers = [build_provider(settings_for(sms_sandbox, kind)) for kind in PROVIDERS]
    try:
        ids = await asyncio.gather(*(
            providers[i % 3].send(phone, "verify_code", {"code": f"{i:06d}"}) for i in range(30)
        ))
        last = await providers[0].send(phone, "verify_code", {"code": "999999"})
    finally:
        for p in providers:
            await p.aclose()
    assert len(set(ids)) == 30
    items = await messages(sms_sandbox, phone, limit=50)
    assert len(items) == 31
    assert items[0]["message_id"] == last
    assert {i["message_id"] for i in items[1:]} == set(ids)
    assert items[0]["params"] == {"code": "999999"}
    assert await messages(sms_sandbox, phone, limit=2) == items[:2]


async def test_messages_page_and_clearing(sms_sandbox: str) -> None:
    phone, keep = new_phone(), new_phone()
    provider = build_provider(settings_for(sms_sandbox, "sandbox"))
    try:
        await provider.send(phone, "verify_code", {"code": "314159"})
        await provider.send(keep, "verify_code", {"code": "271828"})
    finally:
        await provider.aclose()

    async with httpx.AsyncClient(base_url=sms_sandbox) as client:
        page = await client.get("/sandbox/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "沙箱短信记录" in page.text and "314159" in page.text and phone in page.text
        assert 'http-equiv="refresh"' in page.text

        bad = await client.get("/sandbox/sms/messages", params={"limit": "0"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_INPUT"

        assert (await client.delete("/sandbox/sms/messages", params={"phone": phone})).status_code == 200
        assert await messages(sms_sandbox, phone) == []
        assert len(await messages(sms_sandbox, keep)) == 1
        everyone = (await client.get("/sandbox/sms/messages", params={"limit": 200})).json()["items"]
        assert phone not in {m["phone"] for m in everyone}

        assert (await client.delete("/sandbox/sms/messages")).status_code == 200
        assert (await client.get("/sandbox/sms/messages")).json() == {"items": []}
        assert await messages(sms_sandbox, keep) == []
