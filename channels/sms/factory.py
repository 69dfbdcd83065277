"""The factory that picks the SMS provider named by settings: the one place that knows them all."""
from __future__ import annotations

from typing import Any

import httpx

from .aliyun import AliyunSmsProvider
from .base import SmsProvider
from .sandbox import SandboxSmsProvider
from .templates import DEFAULT_ALIYUN_TEMPLATES, DEFAULT_SIGN_NAME, DEFAULT_TENCENT_TEMPLATES
from .tencent import TencentSmsProvider


def _setting(settings: Any, name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    return default if value is None else value


def build_provider(settings: Any, *, client: httpx.AsyncClient | None = None) -> SmsProvider:
    """The provider named by settings.sms_provider; any object with the attributes will do.

    Pass `client` to share one connection pool; otherwise the provider opens its own
    and closes it in aclose().
    """
    kind = str(_setting(settings, "sms_provider", "sandbox")).strip().lower()
    sign_name = _setting(settings, "sms_sign_name", DEFAULT_SIGN_NAME)
    sandbox_url = _setting(settings, "sandbox_url", "http://127.0.0.1:8100")
    if kind == "sandbox":
        return SandboxSmsProvider(base_url=sandbox_url, sign_name=sign_name, client=client)
    if kind == "aliyun":
        return AliyunSmsProvider(
            endpoint=_setting(settings, "aliyun_sms_endpoint", f"{sandbox_url.rstrip('/')}/aliyun/sms/"),
            access_key_id=_setting(settings, "aliyun_access_key_id", "LTAI-sandbox"),
            access_key_secret=_setting(settings, "aliyun_access_key_secret", "sandbox-secret"),
            sign_name=sign_name,
            templates={**DEFAULT_ALIYUN_TEMPLATES, **_setting(settings, "aliyun_sms_templates", {})},
            client=client,
        )
    if kind == "tencent":
        return TencentSmsProvider(
            endpoint=_setting(settings, "tencent_sms_endpoint", f"{sandbox_url.rstrip('/')}/tencent/sms/"),
            secret_id=_setting(settings, "tencent_secret_id", "AKID-sandbox"),
            secret_key=_setting(settings, "tencent_secret_key", "sandbox-secret"),
            sdk_app_id=str(_setting(settings, "tencent_sms_app_id", "1400000000")),
            region=_setting(settings, "tencent_region", "ap-guangzhou"),
            sign_name=sign_name,
            templates={**DEFAULT_TENCENT_TEMPLATES, **_setting(settings, "tencent_sms_templates", {})},
            client=client,
        )
    raise ValueError(f"不支持的短信通道：{kind}（可选 sandbox、aliyun、tencent）")
