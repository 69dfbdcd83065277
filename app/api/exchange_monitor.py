"""Use cases of the 数据交换监控 page: message views with PII masked, statistics, dead-letter replay.

Beside its routes in app/api: it reads through identity's data scope, which sits above exchange."""
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
from exchange.partners import INTERFACE_KINDS, MESSAGE_TYPES, PARTNERS, partner_name, type_name

# Partner traffic is the city's: the city level sees it, district offices and companies see none.
scope.register(ExchangeMessage, city=lambda a: None)

_ID_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_BANK_KEYS = ("bank_account", "account_no", "card_no", "payer_account")


def _iso(v: dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


# Error codes a message row can carry, in Chinese: (short label for the filter, sentence for the
# clerk; {partner} is the partner's name). Envelope rejections, relay and request failures, and the
# partner errors we know. The raw code and the partner's own text stay in the detail drawer.
ERRORS: dict[str, tuple[str, str]] = {
    # the envelope and the inbox (docs/exchange.md §2.5, §5)
    "MALFORMED": ("报文格式错误", "{partner}发来的报文格式不正确，已拒收"),
    "WRONG_RECEIVER": ("接收方不符", "报文的接收方不是本平台，已拒收"),
    "STALE": ("时间戳超出范围", "报文的发送时间与本平台时钟相差超过5分钟，已拒收；请核对双方系统时间"),
    "UNKNOWN_KEY": ("未知的发送方或密钥", "报文使用了本平台未登记的密钥，已拒收；请核对与{partner}约定的密钥"),
    "BAD_SIGNATURE": ("签名验证失败", "报文签名验证未通过，可能被篡改或密钥不一致，已拒收"),
    "UNDECRYPTABLE": ("无法解密", "报文无法解密，可能是数据密钥不一致，已拒收"),
    "REPLAY": ("重放报文", "收到重复使用的报文随机数，疑似重放，已拒收"),
    "UNKNOWN_TYPE": ("未约定的报文类型", "{partner}发来了接口未约定的报文类型，已拒收"),
    "INVALID_BODY": ("内容不符合接口规范", "{partner}发来的报文内容不符合接口规范，未予处理"),
    "WRONG_SENDER": ("应答方不符", "应答报文不是{partner}发出的，已拒收"),
    # the relay and the request/reply client
    "SEND_FAILED": ("发送失败", "报文发送失败，系统将自动重试"),
    "BROKER_DOWN": ("消息中间件不可用", "消息中间件暂时不可用，恢复后自动发送"),
    "BROKER_UNAVAILABLE": ("消息中间件不可用", "消息中间件暂时不可用，请求未能发出"),
    "TIMEOUT": ("应答超时", "{partner}未在规定时间内应答"),
    "BAD_RESPONSE": ("应答格式错误", "{partner}返回的数据格式不正确"),
    "PARTNER_ERROR": ("对方系统错误", "{partner}返回了错误"),
    # partner errors in replies
    "SYSTEM_BUSY": ("对方系统繁忙", "{partner}繁忙，暂时无法处理，请稍后再试"),
    "PARTNER_INTERNAL": ("对方系统内部错误", "{partner}内部错误，暂时无法处理"),
    "NOT_FOUND": ("查无记录", "{partner}未查到相关记录"),
    "UNIT_NOT_FOUND": ("查无房屋", "{partner}的楼盘表中没有该不动产单元"),
    "UNSUPPORTED_TYPE": ("对方不支持该业务", "{partner}不支持该类业务"),
    "INVALID_REQUEST": ("请求不符合接口规范", "{partner}认为请求内容不符合接口规范"),
}
ERROR_LABELS = {code: short for code, (short, _) in ERRORS.items()}


def error_text(code: str | None, last_error: str | None, partner: str, status: str | None = None) -> str | None:
    """What went wrong, as a sentence a clerk can read: never the raw code."""
    if not code and not last_error:
        return None
    name = partner_name(partner)
    if not name.endswith(("系统", "平台", "服务")):
        name += "系统"  # 税务 → 税务系统, 工商银行 → 工商银行系统
    if code == "SEND_FAILED":
        then = "已转入死信，请排除原因后重新投递" if status == "dead" else "系统将自动重试"
        if last_error and last_error.startswith("报文封装失败"):
            return f"报文封装失败：与{name}的密钥不可用或已撤销，{then}"
        return f"报文发送失败，{then}"
    if code in ERRORS:
        return ERRORS[code][1].format(partner=name)
    if code:  # a partner error we do not know: the partner's own words
        return f"{name}返回错误：{last_error}" if last_error else f"{name}返回了错误"
    return last_error


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
        "type_name": type_name(m.type), "business_no": m.business_no, "status": m.status,
        "status_name": STATUSES.get(m.status, m.status), "direction_name": DIRECTIONS.get(m.direction, m.direction),
        "attempts": m.attempts, "next_attempt_at": _iso(m.next_attempt_at), "error_code": m.error_code,
        "error_name": ERROR_LABELS.get(m.error_code or "", m.error_code),
        "error_text": error_text(m.error_code, m.last_error, m.partner, m.status), "last_error": m.last_error,
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
                           summary=f"查看报文完整内容：{partner_name(m.partner)}“{type_name(m.type)}”"
                                   f"（{m.business_no or '无业务编号'}）")
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
                           summary=f"重新投递报文：{partner_name(m.partner)}“{type_name(m.type)}”"
                                   f"（{m.business_no or '无业务编号'}）")
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
                              "interface": p.direction if p else None,
                              "interface_name": INTERFACE_KINDS.get(p.direction) if p else None,
                              "total": 0, "out": 0, "in": 0,
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
                     "type_name": type_name(r["type"]), "direction": r["direction"], "status": r["status"],
                     "count": r["n"]})
    for r in latency:
        e = entry(r["partner"])
        e[f"{r['direction']}_p50_ms"], e[f"{r['direction']}_p99_ms"] = _ms(r["p50"]), _ms(r["p99"])
    for r in backlog:
        entry(r["partner"])[r["status"]] = r["n"]
    return {"since": since.isoformat(), "hours": hours, "partners": list(partners.values()), "rows": rows,
            "statuses": STATUSES, "directions": DIRECTIONS, "types": MESSAGE_TYPES, "errors": ERROR_LABELS}
