"""Use cases of the 数据交换监控 page: message views with PII masked, statistics, dead-letter replay."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from app.core import audit
from app.core.db import conn, uow
from app.core.errors import Conflict
from app.core.pii import mask_bank_account, mask_id_number, mask_phone
from app.identity import scope
from app.identity.scope import CITY, Actor, get_scoped
from exchange.models import DIRECTIONS, STATUSES, ExchangeMessage
from exchange.partners import PARTNERS

# Partner traffic is the city's: the city level sees it, district offices and companies see none.
scope.register(ExchangeMessage, city=lambda a: None)

_ID_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_BANK_KEYS = ("bank_account", "account_no", "card_no", "payer_account")


def _iso(v: dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


def partner_name(code: str) -> str:
    p = PARTNERS.get(code)
    return p.name if p else code


def mask_json(v: Any, key: str = "") -> Any:
    """A message body for someone without pii.view: ID numbers, phones and bank accounts masked,
    by field name and, for fields we do not know, by the shape of the value."""
    if isinstance(v, dict):
        return {k: mask_json(x, str(k)) for k, x in v.items()}
    if isinstance(v, list):
        return [mask_json(x, key) for x in v]
    if not isinstance(v, str) or not v:
        return v
    k = key.lower()
    if "id_number" in k or k in ("id_no", "idcard", "id_card") or _ID_RE.match(v):
        return mask_id_number(v)
    if "phone" in k or "mobile" in k or _PHONE_RE.match(v):
        return mask_phone(v)
    if any(b in k for b in _BANK_KEYS):
        return mask_bank_account(v)
    return v


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def message_row(m: ExchangeMessage) -> dict:
    return {
        "id": m.id, "direction": m.direction, "message_id": m.message_id, "correlation_id": m.correlation_id,
        "partner": m.partner, "partner_name": partner_name(m.partner), "type": m.type,
        "business_no": m.business_no, "status": m.status, "attempts": m.attempts,
        "next_attempt_at": _iso(m.next_attempt_at), "error_code": m.error_code, "last_error": m.last_error,
        "key_id": m.key_id, "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at),
        "finished_at": _iso(m.finished_at), "latency_ms": m.latency_ms,
    }


async def message_rows(rows: list[ExchangeMessage]) -> list[dict]:
    return [message_row(m) for m in rows]


async def message_detail(actor: Actor, message_pk: int, reveal: bool) -> dict:
    """One message with its body and reply; the full text only when `reveal` (pii.view), audited."""
    m = await get_scoped(ExchangeMessage, actor, message_pk)
    body, reply = _loads(m.body), _loads(m.reply)
    out = message_row(m)
    if reveal:
        out |= {"body": body, "reply": reply, "envelope": m.envelope, "masked": False}
        await audit.record("pii.view", "exchange_message", m.id, only_changes=False,
                           after={"message_id": m.message_id, "partner": m.partner, "type": m.type},
                           summary=f"查看报文完整内容 {m.type}（{partner_name(m.partner)}）")
    else:
        out |= {"body": mask_json(body), "reply": mask_json(reply), "envelope": None, "masked": True}
    return out


async def replay(actor: Actor, message_pk: int) -> ExchangeMessage:
    """Put a dead letter back in the outbox: pending now, attempts from zero."""
    async with uow() as tx:
        m = await get_scoped(ExchangeMessage, actor, message_pk, for_update=True, using=tx)
        if m.direction != "out" or m.status != "dead":
            raise Conflict("只有发送失败转入死信的报文可以重新投递", code="NOT_DEAD_LETTER")
        before = {"status": m.status, "attempts": m.attempts, "last_error": m.last_error}
        m.status, m.attempts, m.next_attempt_at = "pending", 0, dt.datetime.now(dt.timezone.utc)
        m.finished_at, m.error_code = None, None
        await m.save(using_db=tx, update_fields=["status", "attempts", "next_attempt_at", "finished_at",
                                                 "error_code"])
        await audit.record("exchange.replay", "exchange_message", m.id, using=tx, before=before,
                           after={"status": m.status, "attempts": m.attempts, "last_error": m.last_error},
                           summary=f"重新投递报文 {m.type}（{partner_name(m.partner)}，{m.business_no or m.message_id}）")
    return m


_COUNTS = """
SELECT partner, type, direction, status, count(*) AS n
FROM exchange_message WHERE created_at >= $1
GROUP BY partner, type, direction, status ORDER BY partner, type, direction, status
"""
_LATENCY = """
SELECT partner, direction, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
FROM exchange_message WHERE created_at >= $1 AND latency_ms IS NOT NULL
GROUP BY partner, direction
"""
# What is waiting or stuck counts whenever it was written.
_BACKLOG = """
SELECT partner, status, count(*) AS n FROM exchange_message
WHERE status IN ('pending', 'dead') GROUP BY partner, status
"""


def _ms(v: float | None) -> int | None:
    return None if v is None else int(round(v))


async def stats(actor: Actor, hours: int = 24) -> dict:
    """Counts per partner × type × status and p50/p99 latency per partner over the last `hours`."""
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours)
    if actor.scope == CITY:  # the data scope of exchange messages: the city level sees them, nobody else
        db = conn()
        _, counts = await db.execute_query(_COUNTS, [since])
        _, latency = await db.execute_query(_LATENCY, [since])
        _, backlog = await db.execute_query(_BACKLOG)
    else:
        counts, latency, backlog = [], [], []
    partners: dict[str, dict] = {}

    def entry(code: str) -> dict:
        if code not in partners:
            p = PARTNERS.get(code)
            partners[code] = {"code": code, "name": partner_name(code), "feature": p.feature if p else None,
                              "interface": p.direction if p else None, "total": 0, "out": 0, "in": 0,
                              "by_status": {}, "pending": 0, "dead": 0,
                              "out_p50_ms": None, "out_p99_ms": None, "in_p50_ms": None, "in_p99_ms": None}
        return partners[code]

    for code in PARTNERS:
        entry(code)
    rows = []
    for r in counts:
        e = entry(r["partner"])
        e["total"] += r["n"]
        e[r["direction"]] = e.get(r["direction"], 0) + r["n"]
        e["by_status"][r["status"]] = e["by_status"].get(r["status"], 0) + r["n"]
        rows.append({"partner": r["partner"], "partner_name": partner_name(r["partner"]), "type": r["type"],
                     "direction": r["direction"], "status": r["status"], "count": r["n"]})
    for r in latency:
        e = entry(r["partner"])
        e[f"{r['direction']}_p50_ms"], e[f"{r['direction']}_p99_ms"] = _ms(r["p50"]), _ms(r["p99"])
    for r in backlog:
        entry(r["partner"])[r["status"]] = r["n"]
    return {"since": since.isoformat(), "hours": hours, "partners": list(partners.values()), "rows": rows,
            "statuses": STATUSES, "directions": DIRECTIONS}
