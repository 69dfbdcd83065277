"""The SMS port the app uses, its error, and what the HTTP providers share (channels/sms/factory.py picks one)."""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import httpx

# Providers answer in well under a second; a stuck provider must not hold a request for long.
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class SmsSendError(Exception):
    """A message was not accepted. str(err) is Chinese and safe to show to the user."""

    def __init__(self, message_zh: str, *, provider: str = "", code: str = "",
                 provider_message: str = "", request_id: str = ""):
        super().__init__(message_zh)
        self.message = message_zh
        self.provider = provider
        self.code = code
        self.provider_message = provider_message
        self.request_id = request_id


@runtime_checkable
class SmsProvider(Protocol):
    name: str

    async def send(self, phone: str, template: str, params: dict[str, str]) -> str:
        """Send one templated message; return the provider's message id or raise SmsSendError."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP connections the provider holds."""
        ...


def national_number(phone: str) -> str:
    """Drop a +86 / 0086 prefix; the number itself is checked by the provider."""
    phone = phone.strip().replace(" ", "").replace("-", "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            return phone[len(prefix):]
    return phone


def provider_template_id(templates: dict[str, str], name: str, provider: str) -> str:
    template_id = templates.get(name)
    if not template_id:
        raise SmsSendError(f"短信模板未配置：{name}", provider=provider, code="TEMPLATE_NOT_CONFIGURED")
    return template_id


class HttpSmsProvider:
    """Shared HTTP plumbing: one connection pool, transport errors turned into SmsSendError."""

    name = ""

    def __init__(self, client: httpx.AsyncClient | None = None):
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=HTTP_TIMEOUT)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _request_json(self, method: str, url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        try:
            resp = await self._client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise SmsSendError("短信服务暂时无法连接，请稍后再试", provider=self.name,
                               code="NETWORK_ERROR", provider_message=type(exc).__name__) from exc
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise SmsSendError("短信服务返回了无法识别的结果，请稍后再试", provider=self.name,
                               code=f"HTTP_{resp.status_code}")
        return resp.status_code, body
