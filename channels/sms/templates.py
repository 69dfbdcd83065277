"""Our logical SMS templates and the provider template ids they are filed under.

Providers only send text from templates approved in their console, so the app
names a logical template and each adapter maps it to the provider's id.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Template

from .base import SmsSendError

DEFAULT_SIGN_NAME = "江门保租房"


@dataclass(frozen=True)
class SmsTemplate:
    name: str
    # Ordered: Tencent takes template parameters by position, not by name.
    params: tuple[str, ...]
    # Aliyun-style ${name} placeholders; this is the text filed with the provider.
    text: str

    def render(self, params: Mapping[str, str]) -> str:
        return Template(self.text).substitute({k: params[k] for k in self.params})


TEMPLATES: dict[str, SmsTemplate] = {
    "verify_code": SmsTemplate("verify_code", ("code",), "您的验证码为${code}，5分钟内有效，请勿泄露。"),
    "notice": SmsTemplate("notice", ("content",), "${content}"),
    # The second factor of a staff login. The reference is also shown on the login page, so the
    # person can tell which login a code belongs to.
    "login_code": SmsTemplate("login_code", ("code", "ref"),
                              "您正在登录管理平台，验证码${code}（编号${ref}），5分钟内有效。如非本人操作，请立即修改密码。"),
}

DEFAULT_ALIYUN_TEMPLATES: dict[str, str] = {"verify_code": "SMS_480100001", "notice": "SMS_480100002",
                                             "login_code": "SMS_480100003"}
DEFAULT_TENCENT_TEMPLATES: dict[str, str] = {"verify_code": "2100001", "notice": "2100002", "login_code": "2100003"}


def get_template(name: str, params: Mapping[str, str]) -> SmsTemplate:
    """The template, after checking the caller gave every parameter it needs as a string."""
    template = TEMPLATES.get(name)
    if template is None:
        raise SmsSendError(f"短信模板不存在：{name}", code="TEMPLATE_NOT_FOUND")
    missing = [p for p in template.params if not isinstance(params.get(p), str) or not params[p]]
    if missing:
        raise SmsSendError(f"短信模板缺少参数：{'、'.join(missing)}", code="TEMPLATE_MISSING_PARAMETERS")
    return template


def render_text(sign_name: str, name: str, params: Mapping[str, str]) -> str:
    """The text as the phone shows it: the signature in 【】 and then the body."""
    return f"【{sign_name}】{get_template(name, params).render(params)}"
