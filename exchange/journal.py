"""The monitor's record of request/reply calls: `ExchangeClient(..., recorder=journal.record)`.

A query (INT-01 … INT-07 and the other calls) is not an outbox message: the domain waits for the
answer. It is still one `exchange_message` row (direction out), so the monitor shows it with its
status, latency and error: sent on request, then replied, or failed with the reason.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from exchange.envelope import Header
from exchange.models import ExchangeMessage


def _json(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str)


async def record(event: str, header: Header, detail: dict) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    if event == "request":
        await ExchangeMessage.create(
            direction="out", message_id=header.message_id, correlation_id=header.correlation_id,
            partner=header.partner, type=header.type, business_no=header.business_no, status="sent", attempts=1,
            key_id=header.key_id, body=_json(detail.get("body", {})), sent_at=now)
        return
    q = ExchangeMessage.filter(direction="out", message_id=header.message_id)
    latency = detail.get("latency_ms")
    if event == "reply":
        await q.update(status="replied", reply=_json(detail.get("reply")), latency_ms=latency, finished_at=now)
    elif event == "partner_error":
        err = (detail.get("reply") or {}).get("error") or {}
        await q.update(status="failed", reply=_json(detail.get("reply")), latency_ms=latency, finished_at=now,
                       error_code=str(err.get("code", "PARTNER_ERROR"))[:32],
                       last_error=str(err.get("message", "对方系统返回错误"))[:500])
    elif event == "timeout":
        await q.update(status="failed", finished_at=now, error_code="TIMEOUT", last_error="对方系统未在时限内应答")
    elif event == "rejected":
        await q.update(status="failed", finished_at=now, error_code=str(detail.get("error", "REJECTED"))[:32],
                       last_error="消息中间件不可用" if detail.get("error") == "BROKER_UNAVAILABLE"
                       else "应答报文未通过验证")
    else:
        raise ValueError(f"unknown exchange event {event!r}")
