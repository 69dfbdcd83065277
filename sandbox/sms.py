"""SMS stand-ins: Aliyun Dysmsapi and Tencent Cloud SMS with their real signing, plus our own
sandbox provider. Every accepted message is kept in Redis so the app, the tests and a person
at /sandbox/ can read it, whichever process sent it.
"""
from __future__ import annotations

import hmac
import json as jsonlib
import re
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from redis.asyncio import Redis
from sanic import Blueprint, Request
from sanic import json as sanic_json
from sanic.exceptions import BadRequest
from sanic.response import JSONResponse

from channels.sms import aliyun, tencent
from channels.sms.templates import (
    DEFAULT_ALIYUN_TEMPLATES,
    DEFAULT_SIGN_NAME,
    DEFAULT_TENCENT_TEMPLATES,
    TEMPLATES,
)

bp = Blueprint("sandbox_sms")

KEY_PREFIX = "sandbox:sms:"
ALL_KEY = f"{KEY_PREFIX}all"
MAX_KEPT = 200
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ALIYUN_HOST = "dysmsapi.aliyuncs.com"
ALIYUN_CLOCK_SKEW = timedelta(minutes=15)
TENCENT_CLOCK_SKEW_SECONDS = 300

# The provider consoles' approved templates: the ids the adapters use by default.
ALIYUN_TEMPLATES = {code: name for name, code in DEFAULT_ALIYUN_TEMPLATES.items()}
TENCENT_TEMPLATES = {tid: name for name, tid in DEFAULT_TENCENT_TEMPLATES.items()}

json = partial(sanic_json, dumps=partial(jsonlib.dumps, ensure_ascii=False))


# ---------------------------------------------------------------- store

def national_mobile(phone: str) -> str | None:
    """The 11-digit mainland number, or None when it is not one."""
    phone = str(phone).strip()
    for prefix in ("+86", "0086", "86"):
        if phone.startswith(prefix) and len(phone) == len(prefix) + 11:
            phone = phone[len(prefix):]
            break
    return phone if MOBILE_RE.match(phone) else None


def _phone_key(phone: str) -> str:
    return f"{KEY_PREFIX}phone:{phone}"


async def record_message(redis: Redis, *, provider: str, phone: str, template: str, provider_template: str,
                         params: dict[str, str], sign_name: str, message_id: str) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "phone": phone,
        "template": template,
        "provider_template": provider_template,
        "params": params,
        "sign_name": sign_name,
        "text": f"【{sign_name}】{TEMPLATES[template].render(params)}",
        "provider": provider,
        "sent_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    raw = jsonlib.dumps(message, ensure_ascii=False)
    async with redis.pipeline(transaction=True) as pipe:
        for key in (ALL_KEY, _phone_key(phone)):
            pipe.lpush(key, raw)
            pipe.ltrim(key, 0, MAX_KEPT - 1)
        await pipe.execute()
    return message


async def recent_messages(redis: Redis, phone: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Newest first."""
    key = _phone_key(phone) if phone else ALL_KEY
    return [jsonlib.loads(raw) for raw in await redis.lrange(key, 0, limit - 1)]


async def clear_messages(redis: Redis, phone: str | None = None) -> None:
    if phone:
        key = _phone_key(phone)
        raws = await redis.lrange(key, 0, -1)
        async with redis.pipeline(transaction=True) as pipe:
            for raw in raws:
                pipe.lrem(ALL_KEY, 0, raw)
            pipe.delete(key)
            await pipe.execute()
        return
    keys = [ALL_KEY] + [k async for k in redis.scan_iter(match=f"{KEY_PREFIX}phone:*", count=500)]
    await redis.delete(*keys)


def _template_params(template: str, params: Any) -> dict[str, str] | None:
    """The template's parameters when every one is present as a non-empty string."""
    if not isinstance(params, dict):
        return None
    names = TEMPLATES[template].params
    if not all(isinstance(params.get(n), str) and params[n] for n in names):
        return None
    return {n: params[n] for n in names}


# ---------------------------------------------------------------- our sandbox provider

def _our_error(status: int, code: str, message: str) -> JSONResponse:
    return json({"error": {"code": code, "message": message, "fields": {}}}, status=status)


@bp.post("/sandbox/sms/send")
async def sandbox_send(request: Request) -> JSONResponse:
    try:
        body = request.json
    except BadRequest:
        body = None
    if not isinstance(body, dict):
        return _our_error(400, "INVALID_INPUT", "请求体应为 JSON 对象")
    phone = national_mobile(str(body.get("phone") or ""))
    if phone is None:
        return _our_error(400, "MOBILE_NUMBER_ILLEGAL", "手机号格式不正确")
    template = body.get("template")
    if template not in TEMPLATES:
        return _our_error(400, "TEMPLATE_NOT_FOUND", "短信模板不存在")
    params = _template_params(template, body.get("params"))
    if params is None:
        return _our_error(400, "TEMPLATE_MISSING_PARAMETERS", "短信模板缺少参数")
    sign_name = str(body.get("sign_name") or DEFAULT_SIGN_NAME)
    message = await record_message(
        request.app.ctx.redis, provider="sandbox", phone=phone, template=template, provider_template=template,
        params=params, sign_name=sign_name, message_id=f"sbx-{uuid.uuid4().hex}",
    )
    return json({"message_id": message["message_id"]})


def _phone_arg(request: Request) -> str | None:
    # "+8613800138000" and "13800138000" name the same list.
    phone = request.args.get("phone", "").strip()
    return (national_mobile(phone) or phone) if phone else None


@bp.get("/sandbox/sms/messages")
async def list_messages(request: Request) -> JSONResponse:
    phone = _phone_arg(request)
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_KEPT:
        return _our_error(400, "INVALID_INPUT", f"limit 应为 1 到 {MAX_KEPT} 的整数")
    return json({"items": await recent_messages(request.app.ctx.redis, phone, limit)})


@bp.delete("/sandbox/sms/messages")
async def delete_messages(request: Request) -> JSONResponse:
    phone = _phone_arg(request)
    await clear_messages(request.app.ctx.redis, phone)
    return json({"status": "ok"})


# ---------------------------------------------------------------- Aliyun Dysmsapi (RPC, signature v1)

def _aliyun_error(request_id: str, status: int, code: str, message: str) -> JSONResponse:
    return json({
        "RequestId": request_id,
        "HostId": ALIYUN_HOST,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi",
    }, status=status)


def _rpc_params(request: Request) -> dict[str, str]:
    # RPC parameters may come in the query string, a form body, or both.
    params = {k: v[0] for k, v in request.get_args(keep_blank_values=True).items()}
    form = request.get_form(keep_blank_values=True) if request.method == "POST" else None
    if form:
        params.update({k: v[0] for k, v in form.items()})
    return params


@bp.route("/aliyun/sms/", methods=["GET", "POST"])
async def aliyun_rpc(request: Request) -> JSONResponse:
    """Dysmsapi SendSms. Answers JSON whatever Format asks: our adapter only ever asks for JSON."""
    cfg = request.app.ctx.cfg
    request_id = str(uuid.uuid4()).upper()
    p = _rpc_params(request)

    if not p.get("AccessKeyId"):
        return _aliyun_error(request_id, 400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.")
    if (not p.get("Signature") or p.get("SignatureMethod") != "HMAC-SHA1"
            or p.get("SignatureVersion") != "1.0" or not p.get("SignatureNonce") or not p.get("Timestamp")):
        return _aliyun_error(request_id, 400, "IncompleteSignature",
                             "The request signature does not conform to Aliyun standards.")
    if p["AccessKeyId"] != cfg.aliyun_key_id:
        return _aliyun_error(request_id, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    expected = aliyun.sign(cfg.aliyun_key_secret, request.method, p)
    if not hmac.compare_digest(expected.encode(), p["Signature"].encode()):
        return _aliyun_error(
            request_id, 400, "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation. server string to sign is:"
            + aliyun.string_to_sign(request.method, p),
        )
    try:
        sent = datetime.strptime(p["Timestamp"], aliyun.TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return _aliyun_error(request_id, 400, "InvalidTimeStamp.Format",
                             "Specified time stamp or date value is not well formatted.")
    if abs(datetime.now(UTC) - sent) > ALIYUN_CLOCK_SKEW:
        return _aliyun_error(request_id, 400, "InvalidTimeStamp.Expired",
                             "Specified time stamp or date value is expired.")
    nonce_key = f"{KEY_PREFIX}aliyun-nonce:{p['SignatureNonce']}"
    if not await request.app.ctx.redis.set(nonce_key, "1", nx=True, ex=int(ALIYUN_CLOCK_SKEW.total_seconds()) * 2):
        return _aliyun_error(request_id, 400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    if p.get("Action") != "SendSms":
        return _aliyun_error(request_id, 404, "InvalidAction.NotFound",
                             "Specified api is not found, please check your url and method.")
    if p.get("Version") != aliyun.API_VERSION:
        return _aliyun_error(request_id, 400, "InvalidVersion", "Specified parameter Version is not valid.")

    def biz_error(code: str, message: str) -> JSONResponse:
        # Business refusals come back as HTTP 200 with a non-OK Code.
        return json({"Message": message, "RequestId": request_id, "Code": code})

    if not p.get("PhoneNumbers"):
        return _aliyun_error(request_id, 400, "MissingPhoneNumbers", "PhoneNumbers is mandatory for this action.")
    phones = [national_mobile(n) for n in p["PhoneNumbers"].split(",")]
    if len(phones) > 1000:
        return biz_error("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
    if not all(phones):
        return biz_error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    if not p.get("SignName"):
        return biz_error("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
    template = ALIYUN_TEMPLATES.get(p.get("TemplateCode", ""))
    if template is None:
        return biz_error("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
    try:
        raw_params = jsonlib.loads(p.get("TemplateParam") or "{}")
    except ValueError:
        return biz_error("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
    params = _template_params(template, raw_params)
    if params is None:
        return biz_error("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")

    biz_id = f"{secrets.randbelow(9 * 10**17) + 10**17}^0"
    for phone in phones:
        await record_message(request.app.ctx.redis, provider="aliyun", phone=phone, template=template,
                             provider_template=p["TemplateCode"], params=params, sign_name=p["SignName"],
                             message_id=biz_id)
    return json({"Message": "OK", "RequestId": request_id, "BizId": biz_id, "Code": "OK"})


# ---------------------------------------------------------------- Tencent Cloud SMS (API 3.0, TC3)

def _tencent_error(request_id: str, code: str, message: str) -> JSONResponse:
    # API 3.0 answers HTTP 200 even for errors; the Error object says what went wrong.
    return json({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}})


def _tencent_auth_error(request: Request, request_id: str) -> JSONResponse | None:
    cfg = request.app.ctx.cfg
    auth = tencent.parse_authorization(request.headers.get("authorization", ""))
    if auth is None:
        return _tencent_error(request_id, "AuthFailure.InvalidAuthorization",
                              "请求头部的 Authorization 不符合腾讯云标准。")
    if auth["secret_id"] != cfg.tencent_secret_id:
        return _tencent_error(request_id, "AuthFailure.SecretIdNotFound", "密钥不存在，请检查 SecretId 是否正确。")
    try:
        timestamp = int(request.headers.get("x-tc-timestamp", ""))
    except ValueError:
        return _tencent_error(request_id, "MissingParameter", "缺少参数 X-TC-Timestamp。")
    if abs(time.time() - timestamp) > TENCENT_CLOCK_SKEW_SECONDS:
        return _tencent_error(request_id, "AuthFailure.SignatureExpire", "签名过期，请检查服务器时间。")
    signed_names = auth["signed_headers"].split(";")
    signed = {name: request.headers.get(name) for name in signed_names}
    failure = _tencent_error(request_id, "AuthFailure.SignatureFailure",
                             "请求签名验证失败，请检查您的签名计算是否正确。")
    if ({"content-type", "host"} - set(signed_names) or any(v is None for v in signed.values())
            or auth["service"] != tencent.SERVICE
            or f"{auth['date']}/{auth['service']}/tc3_request" != tencent.credential_scope(timestamp, auth["service"])):
        return failure
    canonical, _ = tencent.canonical_request(method=request.method, uri=tencent.CANONICAL_URI,
                                             query=request.query_string, headers=signed, payload=request.body)
    expected = tencent.signature(cfg.tencent_secret_key, timestamp, auth["service"],
                                 tencent.string_to_sign(timestamp, auth["service"], canonical))
    if not hmac.compare_digest(expected, auth["signature"]):
        return failure
    return None


@bp.post("/tencent/sms/")
async def tencent_api(request: Request) -> JSONResponse:
    cfg = request.app.ctx.cfg
    request_id = str(uuid.uuid4())
    denied = _tencent_auth_error(request, request_id)
    if denied is not None:
        return denied
    if request.headers.get("x-tc-action") != tencent.ACTION:
        return _tencent_error(request_id, "InvalidAction", "接口不存在。")
    if request.headers.get("x-tc-version") != tencent.API_VERSION:
        return _tencent_error(request_id, "NoSuchVersion", "接口版本不存在。")
    if not request.headers.get("x-tc-region"):
        return _tencent_error(request_id, "MissingParameter", "缺少参数 X-TC-Region。")
    try:
        body = jsonlib.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _tencent_error(request_id, "InvalidParameter", "请求体不是合法的 JSON 对象。")
    numbers = body.get("PhoneNumberSet")
    if not isinstance(numbers, list) or not numbers:
        return _tencent_error(request_id, "MissingParameter", "缺少参数 PhoneNumberSet。")
    if len(numbers) > 200:
        return _tencent_error(request_id, "LimitExceeded.PhoneNumberCountLimit", "单次提交的手机号个数超过200个。")
    if str(body.get("SmsSdkAppId") or "") != cfg.tencent_sms_app_id:
        return _tencent_error(request_id, "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId 校验失败。")
    sign_name = body.get("SignName")
    if not isinstance(sign_name, str) or not sign_name:
        return _tencent_error(request_id, "FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。")
    template = TENCENT_TEMPLATES.get(str(body.get("TemplateId") or ""))
    if template is None:
        return _tencent_error(request_id, "FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。")
    values = body.get("TemplateParamSet") or []
    names = TEMPLATES[template].params
    params = (_template_params(template, dict(zip(names, values, strict=True)))
              if isinstance(values, list) and len(values) == len(names) else None)
    context = str(body.get("SessionContext") or "")

    statuses = []
    for number in numbers:
        phone = national_mobile(str(number))
        status = {"SerialNo": "", "PhoneNumber": str(number), "Fee": 0, "SessionContext": context, "IsoCode": ""}
        if phone is None:
            status.update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="incorrect phone number")
        elif params is None:
            status.update(Code="FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                          Message="request content does not match the template content")
        else:
            serial = f"5000:{secrets.randbelow(9 * 10**27) + 10**27}"
            await record_message(request.app.ctx.redis, provider="tencent", phone=phone, template=template,
                                 provider_template=str(body["TemplateId"]), params=params, sign_name=sign_name,
                                 message_id=serial)
            status.update(SerialNo=serial, PhoneNumber=f"+86{phone}", Fee=1, IsoCode="CN", Code="Ok",
                          Message="send success")
        statuses.append(status)
    return json({"Response": {"SendStatusSet": statuses, "RequestId": request_id}})
