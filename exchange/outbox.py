"""The outbox: a message to a partner is a row written in the business transaction; the relay
publishes it later.

- `enqueue(tx, ...)` joins the caller's transaction: a rolled-back change leaves no row, so
  nothing is sent for it.
- `relay_once()` locks due rows (FOR UPDATE SKIP LOCKED, so several relays share the work),
  seals each at send time (a fresh timestamp and nonce, so a message that waited out an outage
  still falls inside the receiver's ±300 s window) and publishes it with confirms.
- A message that cannot be sealed or is refused by the broker is retried after 2^n seconds
  (capped at 10 minutes) and marked dead after MAX_ATTEMPTS; dead rows are the dead-letter list,
  and `replay()` in app.api.exchange_monitor puts one back.
- The broker being down is not the message's fault: its attempts are not counted, the batch
  stops, and `run_relay` reconnects; every pending row goes out once the broker is back.
Delivery is at least once (a crash between the confirm and the commit sends a row again under
the same message id); receivers drop the repeat by message id, as our inbox does.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aio_pika.exceptions import DeliveryError
from tortoise.expressions import Q

from app.core import audit
from app.core.db import uow
from app.core.ids import uuid7
from exchange.envelope import Header, seal
from exchange.keys import Keyring
from exchange.models import ExchangeMessage
from exchange.partners import PARTNERS, PLATFORM, partner_name, type_name

log = logging.getLogger("arh.exchange.relay")

MAX_ATTEMPTS = 8
BACKOFF_CAP_SECONDS = 600
PUBLISH_TIMEOUT_SECONDS = 10
PUBLISH_CONCURRENCY = 32


class BrokerUnavailable(Exception):
    """RabbitMQ could not be reached; the relay reconnects and the rows stay pending."""


def backoff_seconds(attempts: int) -> int:
    return min(2 ** attempts, BACKOFF_CAP_SECONDS)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def enqueue(tx, partner: str, type: str, body: dict[str, Any], *,  # noqa: ANN001
                  business_no: str | None = None, correlation_id: str | None = None,
                  not_before: dt.datetime | None = None) -> ExchangeMessage:
    """Write an outbound message in the caller's transaction `tx`; the relay sends it after commit,
    and not before `not_before` when one is given."""
    if partner not in PARTNERS:
        raise ValueError(f"unknown partner {partner!r}")
    if not type or len(type) > 64:
        raise ValueError("message type must be 1-64 characters")
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    row = ExchangeMessage(direction="out", message_id=str(uuid7()), correlation_id=correlation_id,
                          partner=partner, type=type, business_no=business_no, status="pending", attempts=0,
                          next_attempt_at=not_before or _now(), body=json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    await row.save(using_db=tx)
    await audit.record("exchange.enqueue", "exchange_message", row.id, using=tx, only_changes=False,
                       after={"message_id": row.message_id, "partner": partner, "type": type,
                              "business_no": business_no},
                       summary=f"排队发送{PARTNERS[partner].name}报文“{type_name(type)}”")
    return row


def _seal(row: ExchangeMessage, keyring: Keyring) -> tuple[Header, bytes]:
    header = Header(sender=PLATFORM, receiver=row.partner, partner=row.partner, type=row.type,
                    key_id=keyring.active_key_id(row.partner), message_id=row.message_id,
                    correlation_id=row.correlation_id, business_no=row.business_no)
    return header, seal(header, json.loads(row.body), keyring)


async def _send(row: ExchangeMessage, transport, keyring: Keyring,  # noqa: ANN001
                sem: asyncio.Semaphore) -> tuple[str, str | None]:
    """('ok'|'message'|'broker', error text)."""
    try:
        header, raw = _seal(row, keyring)
    except Exception as e:  # noqa: BLE001 - a key or body problem belongs to this message alone
        return "message", f"报文封装失败：{type(e).__name__} {e}"
    row.key_id = header.key_id
    async with sem:
        try:
            await asyncio.wait_for(transport.publish(row.partner, raw, message_id=row.message_id,
                                                     correlation_id=row.correlation_id),
                                   PUBLISH_TIMEOUT_SECONDS)
        except DeliveryError as e:  # nacked or unroutable: the broker is up and refused this one
            return "message", f"消息中间件拒收：{e}"
        except Exception as e:  # noqa: BLE001 - connection lost, channel closed, timeout
            return "broker", f"消息中间件不可用：{type(e).__name__} {e}"
    return "ok", None


Clock = Callable[[], dt.datetime]


async def relay_once(transport, keyring: Keyring, batch: int = 100, *, clock: Clock = _now,  # noqa: ANN001
                     where: Q | None = None) -> int:
    """Publish the pending rows that are due; returns how many were sent. `where` narrows the pass
    (e.g. a relay of its own for one slow partner); `clock` says what time it is.

    Raises BrokerUnavailable (after committing what did go out) when RabbitMQ is unreachable."""
    now = clock()
    broker_error = None
    async with uow() as tx:
        qs = ExchangeMessage.filter(direction="out", status="pending", next_attempt_at__lte=now)
        if where is not None:
            qs = qs.filter(where)
        rows = await (qs
                      .order_by("next_attempt_at", "id").limit(batch)
                      .select_for_update(skip_locked=True).using_db(tx))
        if not rows:
            return 0
        sem = asyncio.Semaphore(PUBLISH_CONCURRENCY)
        results = await asyncio.gather(*(_send(r, transport, keyring, sem) for r in rows))
        sent = 0
        done = clock()
        for row, (outcome, error) in zip(rows, results, strict=True):
            if outcome == "ok":
                row.attempts += 1
                # From when it was due (a first send may have been scheduled later than it was written).
                due = row.next_attempt_at if row.attempts == 1 and row.next_attempt_at else row.created_at
                row.latency_ms = min(max(0, int((done - due).total_seconds() * 1000)), 2**31 - 1)
                row.status, row.sent_at, row.next_attempt_at, row.error_code = "sent", done, None, None
                sent += 1
            elif outcome == "broker":
                row.error_code, row.last_error = "BROKER_DOWN", error[:500]
                broker_error = error
            else:
                row.attempts += 1
                row.error_code, row.last_error = "SEND_FAILED", error[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status, row.finished_at, row.next_attempt_at = "dead", done, None
                    await audit.record("exchange.dead", "exchange_message", row.id, using=tx,
                                       only_changes=False,
                                       after={"message_id": row.message_id, "partner": row.partner,
                                              "type": row.type, "attempts": row.attempts, "error": error[:200]},
                                       summary=f"{partner_name(row.partner)}报文“{type_name(row.type)}”发送{row.attempts}次失败，转入死信")
                else:
                    row.next_attempt_at = done + dt.timedelta(seconds=backoff_seconds(row.attempts))
            await row.save(using_db=tx, update_fields=[
                "status", "sent_at", "next_attempt_at", "attempts", "error_code", "last_error", "latency_ms",
                "finished_at", "key_id"])
    if broker_error is not None:
        raise BrokerUnavailable(broker_error)
    return sent


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


async def run_relay(connect: Callable[[], Awaitable[Any]], keyring: Keyring, *, batch: int = 100,
                    idle_seconds: float = 0.5, stop: asyncio.Event | None = None,
                    on_connect: Callable[[Any], Awaitable[None]] | None = None,
                    clock: Clock = _now, where: Q | None = None) -> None:
    """Relay until `stop` is set. `connect()` returns a connected transport; it is called again
    (with growing pauses, up to 30 s) whenever RabbitMQ is unreachable. `on_connect(transport)`
    runs after each connection, e.g. to start consuming the platform's inbound queue."""
    stop = stop or asyncio.Event()
    transport = None
    pause = 1.0
    try:
        while not stop.is_set():
            if transport is None:
                try:
                    transport = await connect()
                    if on_connect is not None:
                        await on_connect(transport)
                    log.info("relay connected to RabbitMQ")
                    pause = 1.0
                except Exception as e:  # noqa: BLE001 - keep trying until the broker is back
                    log.warning("RabbitMQ unreachable (%s: %s); retrying in %.0f s", type(e).__name__, e, pause)
                    await _close(transport)
                    transport = None
                    await _sleep(stop, pause)
                    pause = min(pause * 2, 30.0)
                    continue
            try:
                n = await relay_once(transport, keyring, batch, clock=clock, where=where)
            except BrokerUnavailable as e:
                log.warning("publishing failed, reconnecting: %s", e)
                await _close(transport)
                transport = None
                continue
            except Exception:  # noqa: BLE001 - e.g. PostgreSQL restarting; the rows are still there
                log.exception("relay pass failed")
                await _sleep(stop, 5)
                continue
            if n < batch:
                await _sleep(stop, idle_seconds)
    finally:
        await _close(transport)


async def _close(transport) -> None:  # noqa: ANN001
    if transport is None:
        return
    try:
        await asyncio.wait_for(transport.close(), 5)
    except Exception:  # noqa: BLE001 - a dead connection may fail to close; it is dropped either way
        log.debug("closing a broken transport failed", exc_info=True)
