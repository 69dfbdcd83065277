"""The inbox: each inbound message is recorded by message id and applied exactly once.

`receive(raw)`:
1. opens the envelope (shape, sender and key id, ±300 s window, SM2 signature, SM4-GCM body);
   a refused envelope becomes a `rejected` row with its reason, and nothing is applied;
2. in one transaction inserts the `in` row (INSERT … ON CONFLICT DO NOTHING on the message id):
   a message already recorded is a duplicate delivery, so nothing more happens;
3. only then burns the nonce in Redis, so a redelivery of a message we already hold is reported as
   a duplicate rather than a replay, while a different message reusing a nonce is refused;
4. checks that the partner may push this type and that the body fits its model
   (exchange.adapters.INBOUND); if not, the row is kept as rejected and nothing is applied;
5. runs the handler registered for (partner, type) in a savepoint, and marks the row applied.
   A handler raises InvalidMessage for content that can never be applied (the row is kept as
   rejected); any other error rolls everything back, frees the nonce and propagates, so the
   transport retries the delivery.
A known type with no handler yet is stored as `received`: domains built later register theirs.
An inbound answer to one of our outbox messages (correlation id) also marks that message replied.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from app.core import audit
from app.core.db import uow
from app.core.pii import encrypt
from exchange.adapters import inbound_model
from exchange.envelope import EnvelopeRejected, Header, open_, peek, redis_replay_guard
from exchange.keys import Keyring
from exchange.models import ExchangeMessage
from exchange.partners import PARTNERS, PLATFORM, partner_name, type_name

log = logging.getLogger("arh.exchange.inbox")

Handler = Callable[[Any, Header, dict[str, Any]], Awaitable[None]]
_HANDLERS: dict[tuple[str, str], Handler] = {}
ENVELOPE_KEEP_BYTES = 64 * 1024


class InvalidMessage(Exception):
    """An authentic message whose content cannot be applied; `reason` is a code, `message` Chinese."""

    def __init__(self, message: str, reason: str = "INVALID_BODY"):
        super().__init__(message)
        self.reason, self.message = reason, message


class _Replayed(Exception):
    pass


def register(partner: str, type: str, handler: Handler) -> None:
    """`async def handler(tx, header, body) -> None`, run inside the inbox transaction."""
    if partner not in PARTNERS:
        raise ValueError(f"unknown partner {partner!r}")
    existing = _HANDLERS.get((partner, type))
    if existing is not None and existing is not handler:
        raise ValueError(f"a handler for {partner}/{type} is already registered")
    _HANDLERS[(partner, type)] = handler


def handler_for(partner: str, type: str) -> Handler | None:
    return _HANDLERS.get((partner, type))


def _nonce_key(sender: str, nonce: str) -> str:
    return f"xnonce:{sender}:{nonce}"  # the key exchange.envelope.redis_replay_guard sets


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _text(v: Any, n: int) -> str | None:
    return None if v is None else str(v)[:n]


_partner_name = partner_name


async def _reject(raw: bytes, reason: str, message: str, header: Header | None = None) -> ExchangeMessage:
    if header is None:
        try:
            header = peek(raw)
        except Exception:  # noqa: BLE001 - not even a header: keep what we can
            header = None
    h = header.__dict__ if header is not None else {}
    row = ExchangeMessage(
        direction="in", status="rejected", message_id=_text(h.get("message_id"), 64),
        correlation_id=_text(h.get("correlation_id"), 64), partner=_text(h.get("sender"), 32) or "unknown",
        type=_text(h.get("type"), 64) or "unknown", business_no=_text(h.get("business_no"), 64),
        key_id=_text(h.get("key_id"), 16), error_code=reason[:32], last_error=message[:500],
        envelope=raw[:ENVELOPE_KEEP_BYTES].decode("utf-8", "replace"), finished_at=_now())
    async with uow() as tx:
        await row.save(using_db=tx)
        await audit.record("exchange.reject", "exchange_message", row.id, using=tx, only_changes=False,
                           after={"message_id": row.message_id, "partner": row.partner, "type": row.type,
                                  "reason": reason},
                           summary=f"拒收{_partner_name(row.partner)}报文：{message}")
    log.warning("rejected inbound message %s from %s: %s %s", row.message_id, row.partner, reason, message)
    return row


async def _insert(tx, header: Header, body: dict) -> int | None:  # noqa: ANN001
    """The inbox row, or None when this message id is already held (a duplicate delivery)."""
    # execute_query_dict: tortoise's execute_query drops the rows of an INSERT … RETURNING.
    rows = await tx.execute_query_dict(
        "INSERT INTO exchange_message (direction, message_id, correlation_id, partner, type, business_no,"
        " status, attempts, key_id, body, created_at, sent_at)"
        " VALUES ('in', $1, $2, $3, $4, $5, 'received', 0, $6, $7, $8, $9)"
        " ON CONFLICT (direction, message_id) WHERE status <> 'rejected' DO NOTHING RETURNING id",
        [header.message_id[:64], _text(header.correlation_id, 64), header.sender[:32], header.type[:64],
         _text(header.business_no, 64), header.key_id[:16],
         encrypt(json.dumps(body, ensure_ascii=False, separators=(",", ":"))), _now(),
         dt.datetime.fromtimestamp(header.sent_at, dt.timezone.utc)])
    return rows[0]["id"] if rows else None


async def _settle_request(tx, header: Header, body: dict) -> None:  # noqa: ANN001
    """An inbound answer to one of our outbox messages (e.g. a bank's payment result) closes it."""
    if not header.correlation_id:
        return
    out = await (ExchangeMessage.filter(direction="out", message_id=header.correlation_id,
                                        partner=header.sender, status="sent")
                 .select_for_update().using_db(tx).first())
    if out is None:
        return
    now = _now()
    out.status, out.finished_at = "replied", now
    out.reply = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if out.sent_at is not None:
        out.latency_ms = int((now - out.sent_at).total_seconds() * 1000)
    await out.save(using_db=tx, update_fields=["status", "finished_at", "reply", "latency_ms"])


def _check_type(header: Header, body: dict) -> InvalidMessage | None:
    """A push must be one this partner may send (exchange.adapters.INBOUND, or a registered handler)
    and fit its model."""
    model = inbound_model(header.sender, header.type)
    if model is None:
        if (header.sender, header.type) in _HANDLERS:
            return None
        return InvalidMessage(f"不接收{_partner_name(header.sender)}的“{type_name(header.type)[:64]}”类报文",
                              "UNKNOWN_TYPE")
    try:
        model.model_validate(body)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "报文"
        return InvalidMessage(f"报文内容不符合接口规范：{where} {err.get('msg', '')}"[:480])
    return None


async def _apply(tx, row_id: int, header: Header, body: dict, started: float) -> str:  # noqa: ANN001
    row = await ExchangeMessage.filter(id=row_id).using_db(tx).get()
    handler = _HANDLERS.get((header.sender, header.type))
    what = f"{_partner_name(header.sender)}报文“{type_name(header.type)}”"
    after = {"message_id": header.message_id, "partner": header.sender, "type": header.type,
             "business_no": header.business_no}
    invalid = _check_type(header, body)
    if invalid is None:
        await _settle_request(tx, header, body)
    if invalid is None and handler is None:
        action, summary = "exchange.receive", f"接收{what}（暂无处理程序）"
    else:
        if invalid is None:
            try:
                async with tx._in_transaction() as sp:  # a savepoint: an invalid body undoes only the handler
                    await handler(sp, header, body)
            except InvalidMessage as e:
                invalid = e
        if invalid is not None:
            row.status, row.error_code, row.last_error = "rejected", invalid.reason[:32], invalid.message[:500]
            action, summary = "exchange.reject", f"拒收{what}：{invalid.message}"
            after["reason"] = invalid.reason
        else:
            row.status = "applied"
            action, summary = "exchange.apply", f"处理{what}"
        row.finished_at = _now()
    row.latency_ms = int((time.perf_counter() - started) * 1000)
    await row.save(using_db=tx, update_fields=["status", "error_code", "last_error", "finished_at", "latency_ms"])
    await audit.record(action, "exchange_message", row.id, using=tx, only_changes=False, after=after,
                       summary=summary)
    if invalid is not None:
        log.warning("rejected inbound message %s from %s: %s %s", header.message_id, header.sender,
                    invalid.reason, invalid.message)
    return row.status


async def receive(raw: bytes, keyring: Keyring, redis) -> str:  # noqa: ANN001
    """Take one inbound envelope. Returns applied | received | duplicate | rejected."""
    started = time.perf_counter()
    try:
        header, body = await open_(raw, keyring, receiver=PLATFORM)
    except EnvelopeRejected as e:
        await _reject(raw, e.reason, e.message)
        return "rejected"
    guard = redis_replay_guard(redis)
    nonce_key = _nonce_key(header.sender, header.nonce)
    burned = False
    try:
        async with uow() as tx:
            row_id = await _insert(tx, header, body)
            if row_id is None:
                return "duplicate"
            if not await guard(header.sender, header.nonce):
                raise _Replayed()
            burned = True
            try:
                return await _apply(tx, row_id, header, body, started)
            except BaseException:
                # Freed before the rollback lets a concurrent redelivery of this message in.
                await redis.delete(nonce_key)
                raise
    except _Replayed:
        await _reject(raw, "REPLAY", "重复的报文（随机数已使用）", header)
        return "rejected"
    except BaseException:
        if burned:  # the commit failed: nothing was kept, so a redelivery must not look like a replay
            await redis.delete(nonce_key)
        raise
