"""Tencent Cloud SMS SendSms: API 3.0, version 2021-01-11, TC3-HMAC-SHA256 signing.

The signing functions are pure so they can be checked against the example in
Tencent Cloud's documentation and reused by the sandbox to verify requests.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx

from .base import HttpSmsProvider, SmsSendError, national_number, provider_template_id
from .templates import get_template

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "sms"
API_VERSION = "2021-01-11"
ACTION = "SendSms"
CONTENT_TYPE = "application/json; charset=utf-8"
# The API 3.0 canonical URI is always "/", whatever path the endpoint is mounted on.
CANONICAL_URI = "/"

_AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z0-9]+)"
    r"/tc3_request, SignedHeaders=(?P<signed_headers>[a-z0-9;\-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)

_CODES_ZH = {
    "AuthFailure.SignatureFailure": "短信服务签名校验失败，请检查 SecretId/SecretKey 配置",
    "AuthFailure.SecretIdNotFound": "短信服务 SecretId 不存在，请检查配置",
    "AuthFailure.SignatureExpire": "短信服务请求已过期，请检查服务器时间",
    "InvalidParameterValue.IncorrectPhoneNumber": "手机号格式不正确",
    "FailedOperation.PhoneNumberInBlacklist": "该手机号无法接收短信",
    "FailedOperation.TemplateIncorrectOrUnapproved": "短信模板不可用，请检查模板配置",
    "FailedOperation.SignatureIncorrectOrUnapproved": "短信签名不可用，请检查签名配置",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": "短信模板参数与审核通过的模板不一致",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "短信应用 SdkAppId 校验失败，请检查配置",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "短信发送过于频繁，请稍后再试",
    "LimitExceeded.PhoneNumberOneHourLimit": "该手机号本小时短信发送量已达上限",
    "LimitExceeded.PhoneNumberDailyLimit": "该手机号今日短信发送量已达上限",
    "FailedOperation.InsufficientBalanceInSmsPackage": "短信套餐包余量不足",
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def canonical_request(*, method: str, uri: str, query: str, headers: Mapping[str, str],
                      payload: bytes) -> tuple[str, str]:
    """(CanonicalRequest, SignedHeaders): header names and values lower-cased, sorted by name."""
    items = sorted((k.strip().lower(), v.strip().lower()) for k, v in headers.items())
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in items)
    signed_headers = ";".join(k for k, _ in items)
    request = "\n".join([method.upper(), uri, query, canonical_headers, signed_headers, sha256_hex(payload)])
    return request, signed_headers


def credential_scope(timestamp: int, service: str) -> str:
    # The date is the UTC date of the timestamp: a local date breaks every night at 00:00 UTC+8.
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    return f"{date}/{service}/tc3_request"


def string_to_sign(timestamp: int, service: str, canonical: str) -> str:
    return "\n".join([ALGORITHM, str(timestamp), credential_scope(timestamp, service),
                      sha256_hex(canonical.encode())])


def signature(secret_key: str, timestamp: int, service: str, to_sign: str) -> str:
    date = credential_scope(timestamp, service).split("/", 1)[0]
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def authorization(*, secret_id: str, secret_key: str, timestamp: int, service: str, method: str,
                  headers: Mapping[str, str], payload: bytes, uri: str = CANONICAL_URI, query: str = "") -> str:
    canonical, signed_headers = canonical_request(method=method, uri=uri, query=query,
                                                  headers=headers, payload=payload)
    sig = signature(secret_key, timestamp, service, string_to_sign(timestamp, service, canonical))
    return (f"{ALGORITHM} Credential={secret_id}/{credential_scope(timestamp, service)}, "
            f"SignedHeaders={signed_headers}, Signature={sig}")


def parse_authorization(header: str) -> dict[str, str] | None:
    """The parts of a TC3 Authorization header, or None when it is not one."""
    match = _AUTH_RE.match(header.strip())
    return match.groupdict() if match else None


class TencentSmsProvider(HttpSmsProvider):
    name = "tencent"

    def __init__(self, *, endpoint: str, secret_id: str, secret_key: str, sdk_app_id: str, region: str,
                 sign_name: str, templates: Mapping[str, str], client: httpx.AsyncClient | None = None):
        super().__init__(client)
        self.endpoint = endpoint
        self.host = httpx.URL(endpoint).netloc.decode()
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.region = region
        self.sign_name = sign_name
        self.templates = dict(templates)

    async def send(self, phone: str, template: str, params: dict[str, str]) -> str:
        tpl = get_template(template, params)
        payload = json.dumps({
            "PhoneNumberSet": [f"+86{national_number(phone)}"],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": provider_template_id(self.templates, template, self.name),
            "TemplateParamSet": [params[k] for k in tpl.params],
        }, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(time.time())
        # Host is set explicitly so the signed value is exactly the one sent;
        # X-TC-Action is signed too so a captured request cannot be replayed as another action.
        signed = {"Content-Type": CONTENT_TYPE, "Host": self.host, "X-TC-Action": ACTION}
        headers = {
            **signed,
            "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "Authorization": authorization(secret_id=self.secret_id, secret_key=self.secret_key,
                                           timestamp=timestamp, service=SERVICE, method="POST",
                                           headers=signed, payload=payload),
        }
        _, body = await self._request_json("POST", self.endpoint, content=payload, headers=headers)
        return parse_send_response(body)


def parse_send_response(body: Mapping[str, object]) -> str:
    response = body.get("Response")
    if not isinstance(response, dict):
        raise SmsSendError("短信服务返回了无法识别的结果，请稍后再试", provider="tencent", code="BAD_RESPONSE")
    request_id = str(response.get("RequestId") or "")
    error = response.get("Error")
    statuses = response.get("SendStatusSet")
    if isinstance(error, dict):
        code, message = str(error.get("Code") or ""), str(error.get("Message") or "")
    elif isinstance(statuses, list) and statuses and isinstance(statuses[0], dict):
        status = statuses[0]
        if status.get("Code") == "Ok" and status.get("SerialNo"):
            return str(status["SerialNo"])
        code, message = str(status.get("Code") or ""), str(status.get("Message") or "")
    else:
        code, message = "BAD_RESPONSE", ""
    raise SmsSendError(
        _CODES_ZH.get(code) or f"短信发送失败：{message or code or '未知错误'}",
        provider="tencent", code=code or "UNKNOWN", provider_message=message, request_id=request_id,
    )
