"""The dev/test provider: hands the message to our own sandbox, which records it for people and tests."""
from __future__ import annotations

import httpx

from .base import HttpSmsProvider, SmsSendError
from .templates import get_template


class SandboxSmsProvider(HttpSmsProvider):
    name = "sandbox"

    def __init__(self, *, base_url: str, sign_name: str, client: httpx.AsyncClient | None = None):
        super().__init__(client)
        self.url = f"{base_url.rstrip('/')}/sandbox/sms/send"
        self.sign_name = sign_name

    async def send(self, phone: str, template: str, params: dict[str, str]) -> str:
        tpl = get_template(template, params)
        status, body = await self._request_json("POST", self.url, json={
            "phone": phone,
            "template": template,
            "params": {k: params[k] for k in tpl.params},
            "sign_name": self.sign_name,
        })
        if status == 200 and body.get("message_id"):
            return str(body["message_id"])
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code = str(error.get("code") or f"HTTP_{status}")
        message = str(error.get("message") or "")
        raise SmsSendError(message or "短信发送失败，请稍后再试", provider=self.name, code=code,
                           provider_message=message)
