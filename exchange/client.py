"""Request/reply with partners, and the partner side used by the sandbox.

Reply bodies are `{"ok": true, "data": {...}}` or `{"ok": false, "error": {"code", "message"}}`.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from exchange.envelope import EnvelopeRejected, Header, open_, redis_replay_guard, seal
from exchange.keys import Keyring
from exchange.partners import PLATFORM
from exchange.transport import Transport

log = logging.getLogger("arh.exchange")


class ExchangeError(Exception):
    message = "数据交换失败"


class ExchangeTimeout(ExchangeError):
    def __init__(self, partner: str, seconds: float):
        super().__init__(f"{partner} 在 {seconds:g} 秒内未应答")
        self.partner, self.seconds = partner, seconds
        self.message = f"对方系统（{partner}）未在{seconds:g}秒内应答"


class ExchangeRejected(ExchangeError):
    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message


class PartnerError(ExchangeError):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


# (event, header, detail) -> None; the monitor records requests and replies through it.
Recorder = Callable[[str, Header, dict], Awaitable[None]]


class ExchangeClient:
    def __init__(self, keyring: Keyring, transport: Transport, redis, recorder: Recorder | None = None):  # noqa: ANN001
        self.keyring, self.transport, self.redis = keyring, transport, redis
        self.replay = redis_replay_guard(redis)
        self.recorder = recorder
        self._pending: dict[str, asyncio.Future] = {}
        self._reply_to: str | None = None

    async def start(self) -> "ExchangeClient":
        self._reply_to = await self.transport.reply_queue(self._on_reply)
        return self

    async def _on_reply(self, msg) -> None:  # noqa: ANN001
        fut = self._pending.get(msg.correlation_id or "")
        if fut is not None and not fut.done():
            fut.set_result(msg.body)  # a duplicate reply finds the future done and is ignored

    async def request(self, partner: str, type: str, body: dict[str, Any], *, timeout: float = 10.0,
                      business_no: str | None = None) -> dict[str, Any]:
        if self._reply_to is None:
            await self.start()
        header = Header(sender=PLATFORM, receiver=partner, partner=partner, type=type,
                        key_id=self.keyring.active_key_id(partner), business_no=business_no)
        raw = seal(header, body, self.keyring)
        fut = asyncio.get_running_loop().create_future()
        self._pending[header.message_id] = fut
        started = time.perf_counter()
        await self._record("request", header, {"body": body})
        try:
            try:
                await self.transport.publish(partner, raw, message_id=header.message_id,
                                             correlation_id=header.message_id, reply_to=self._reply_to)
            except Exception as e:  # noqa: BLE001 - broker down or refused: the caller sees one typed error
                await self._record("rejected", header, {"error": "BROKER_UNAVAILABLE"})
                raise ExchangeRejected("BROKER_UNAVAILABLE", "消息中间件不可用，请稍后再试") from e
            reply_raw = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError as e:
            await self._record("timeout", header, {"error": "timeout"})
            raise ExchangeTimeout(partner, timeout) from e
        finally:
            self._pending.pop(header.message_id, None)
        try:
            rh, reply = await open_(reply_raw, self.keyring, receiver=PLATFORM, replay=self.replay)
        except EnvelopeRejected as e:
            await self._record("rejected", header, {"error": e.reason})
            raise ExchangeRejected(e.reason, e.message) from e
        if rh.sender != partner or rh.correlation_id != header.message_id:
            await self._record("rejected", header, {"error": "WRONG_SENDER"})
            raise ExchangeRejected("WRONG_SENDER", "应答方与请求对象不符")
        latency = int((time.perf_counter() - started) * 1000)
        if not reply.get("ok"):
            err = reply.get("error") or {}
            await self._record("partner_error", header, {"reply": reply, "latency_ms": latency})
            raise PartnerError(str(err.get("code", "PARTNER_ERROR")), str(err.get("message", "对方系统返回错误")))
        await self._record("reply", header, {"reply": reply, "latency_ms": latency})
        data = reply.get("data")
        if not isinstance(data, dict):
            raise PartnerError("BAD_RESPONSE", "对方系统应答格式错误")
        return data

    async def _record(self, event: str, header: Header, detail: dict) -> None:
        if self.recorder is not None:
            try:
                await self.recorder(event, header, detail)
            except Exception:  # noqa: BLE001 - monitoring must never fail a business call
                log.exception("exchange recorder failed")


def seal_reply(keyring: Keyring, request: Header, body: dict[str, Any]) -> tuple[Header, bytes]:
    h = Header(sender=request.receiver, receiver=request.sender, partner=request.partner,
               type=request.type + ".reply", key_id=request.key_id, correlation_id=request.message_id,
               business_no=request.business_no)
    return h, seal(h, body, keyring)


PartnerHandler = Callable[[Header, dict[str, Any]], Awaitable[dict[str, Any] | None]]


async def serve_partner(transport: Transport, keyring: Keyring, redis, partner: str,  # noqa: ANN001
                        handler: PartnerHandler) -> None:
    """Consume the partner's queue: open each envelope, run the handler, reply when asked."""
    replay = redis_replay_guard(redis)

    async def on_raw(raw: bytes, msg) -> None:  # noqa: ANN001
        try:
            header, body = await open_(raw, keyring, receiver=partner, replay=replay)
        except EnvelopeRejected as e:
            log.warning("%s rejected a message: %s", partner, e)
            return
        reply = await handler(header, body)
        if reply is not None and msg.reply_to:
            rh, rraw = seal_reply(keyring, header, reply)
            await transport.reply(msg.reply_to, rraw, message_id=rh.message_id, correlation_id=header.message_id)

    await transport.consume(partner, on_raw)


async def push_to_platform(transport: Transport, keyring: Keyring, partner: str, type: str,
                           body: dict[str, Any], business_no: str | None = None) -> Header:
    """A partner-originated event (bank result, access event, sale contract...) sent to the platform."""
    h = Header(sender=partner, receiver=PLATFORM, partner=partner, type=type,
               key_id=keyring.active_key_id(partner), business_no=business_no)
    await transport.publish(PLATFORM, seal(h, body, keyring), message_id=h.message_id)
    return h
