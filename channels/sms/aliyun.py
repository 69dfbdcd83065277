"""Aliyun Dysmsapi SendSms: RPC style, API 2017-05-25, signature v1 (HMAC-SHA1).

The signing functions are pure so they can be checked against the example in
Aliyun's documentation and reused by the sandbox to verify requests.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from .base import HttpSmsProvider, SmsSendError, national_number, provider_template_id
from .templates import get_template

API_VERSION = "2017-05-25"
# Mainland SMS is served from the cn-hangzhou region whatever the endpoint.
REGION_ID = "cn-hangzhou"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Chinese for the codes a user or an operator can act on; anything else keeps Aliyun's Message.
_CODES_ZH = {
    "SignatureDoesNotMatch": "短信服务签名校验失败，请检查 AccessKey 配置",
    "InvalidAccessKeyId.NotFound": "短信服务 AccessKey 不存在，请检查配置",
    "InvalidTimeStamp.Expired": "短信服务请求已过期，请检查服务器时间",
    "SignatureNonceUsed": "短信服务请求重复，请重试",
    "isv.MOBILE_NUMBER_ILLEGAL": "手机号格式不正确",
    "isv.BUSINESS_LIMIT_CONTROL": "短信发送过于频繁，请稍后再试",
    "isv.DAY_LIMIT_CONTROL": "今日短信发送量已达上限",
    "isv.SMS_TEMPLATE_ILLEGAL": "短信模板不可用，请检查模板配置",
    "isv.SMS_SIGNATURE_ILLEGAL": "短信签名不可用，请检查签名配置",
    "isv.TEMPLATE_MISSING_PARAMETERS": "短信模板缺少参数",
    "isv.AMOUNT_NOT_ENOUGH": "短信账户余额不足",
    "isv.OUT_OF_SERVICE": "短信服务已停机",
}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of UTF-8: only A-Z a-z 0-9 - _ . ~ stay; space is %20, never +."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """HTTPMethod & percentEncode("/") & percentEncode(canonical query), Signature excluded."""
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(unsigned))}"


def sign(access_key_secret: str, method: str, params: Mapping[str, str]) -> str:
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def signed_params(*, access_key_id: str, access_key_secret: str, action: str, params: Mapping[str, str],
                  method: str = "POST", nonce: str | None = None, timestamp: datetime | None = None,
                  version: str = API_VERSION) -> dict[str, str]:
    """Common parameters plus the action's own, with Signature added."""
    out = {
        "AccessKeyId": access_key_id,
        "Action": action,
        "Format": "JSON",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": (timestamp or datetime.now(UTC)).strftime(TIMESTAMP_FORMAT),
        "Version": version,
        **params,
    }
    out["Signature"] = sign(access_key_secret, method, out)
    return out


class AliyunSmsProvider(HttpSmsProvider):
    name = "aliyun"

    def __init__(self, *, endpoint: str, access_key_id: str, access_key_secret: str, sign_name: str,
                 templates: Mapping[str, str], client: httpx.AsyncClient | None = None):
        super().__init__(client)
        self.endpoint = endpoint
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.templates = dict(templates)

    async def send(self, phone: str, template: str, params: dict[str, str]) -> str:
        tpl = get_template(template, params)
        fields = signed_params(
            access_key_id=self.access_key_id,
            access_key_secret=self.access_key_secret,
            action="SendSms",
            params={
                "RegionId": REGION_ID,
                "PhoneNumbers": national_number(phone),
                "SignName": self.sign_name,
                "TemplateCode": provider_template_id(self.templates, template, self.name),
                "TemplateParam": json.dumps({k: params[k] for k in tpl.params}, ensure_ascii=False),
            },
        )
        # POST with a form body keeps phone numbers and codes out of URLs and access logs.
        _, body = await self._request_json("POST", self.endpoint, data=fields)
        return parse_send_response(body)


def parse_send_response(body: Mapping[str, object]) -> str:
    code = str(body.get("Code") or "")
    if code == "OK" and body.get("BizId"):
        return str(body["BizId"])
    # Aliyun echoes its string-to-sign (phone number, code) after this marker; never keep it.
    message = str(body.get("Message") or "").split(" server string to sign is:")[0]
    raise SmsSendError(
        _CODES_ZH.get(code) or f"短信发送失败：{message or code or '未知错误'}",
        provider="aliyun", code=code or "UNKNOWN", provider_message=message,
        request_id=str(body.get("RequestId") or ""),
    )
