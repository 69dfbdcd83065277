"""Inbox handlers for the pushes that are stored as they arrive (import this module to register them):

- REA-02 / REA-03: a sale contract from the real-estate trading system becomes a HouseTransaction
  (one per kind and contract number; a contract sent again replaces the stored one);
- INT-14: access events from the door systems become AccessEvent rows (an event sent again is
  stored once).
Each runs inside the inbox transaction; content that can never be stored raises InvalidMessage.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import BaseModel, ValidationError

from app.config import get_settings
from app.core import audit
from app.core.pii import blind_index, mask_id_number
from exchange.adapters import access_control as ac
from exchange.adapters import real_estate_trading as rea
from exchange.envelope import Header
from exchange.inbox import InvalidMessage, register
from exchange.models import AccessEvent, HouseTransaction

CN = ZoneInfo("Asia/Shanghai")
M = TypeVar("M", bound=BaseModel)
MAX_EVENT_AGE = dt.timedelta(days=400)
MAX_EVENT_AHEAD = dt.timedelta(days=1)
_BIGINT = 2 ** 63


def _parse(model: type[M], body: dict) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "报文"
        raise InvalidMessage(f"报文内容不符合接口规范：{where} {err.get('msg', '')}"[:480]) from e


def _fits(label: str, value: str | None, n: int) -> None:
    if value is not None and len(value) > n:
        raise InvalidMessage(f"{label}超过{n}个字符")


# ---------------------------------------------------------------- REA-02 / REA-03

async def store_sale_contract(tx, header: Header, body: dict[str, Any]) -> None:  # noqa: ANN001
    c = _parse(rea.SaleContract, body)
    kind = rea.SALE_CONTRACT_KINDS[header.type]
    if c.kind != kind:
        raise InvalidMessage("合同类型与报文类型不一致")
    for label, value, n in (("合同编号", c.contract_no, 64), ("买方名称", c.buyer.name, 128),
                            ("卖方名称", c.seller.name, 128), ("房屋坐落", c.unit.address, 255),
                            ("不动产单元号", c.unit.register_id, 28)):
        _fits(label, value, n)
    if not c.contract_no or c.price_fen >= _BIGINT:
        raise InvalidMessage("合同编号为空或成交价超出范围")
    values = {
        "buyer_name": c.buyer.name, "buyer_id_number": c.buyer.id_number.strip().upper(),
        "seller_name": c.seller.name, "seller_id_number": c.seller.id_number.strip().upper(),
        "party_idx": sorted({blind_index(p.id_number) for p in [*c.buyers, *c.sellers]} - {None}),
        "matched_idx": sorted({blind_index(x) for x in c.matched_id_numbers} - {None}),
        "register_id": c.unit.register_id, "unit_address": c.unit.address, "area": c.unit.building_area,
        "price_fen": c.price_fen, "signed_on": c.signed_on, "filed_at": c.filed_at,
        "payload": json.dumps(body, ensure_ascii=False, separators=(",", ":")), "message_id": header.message_id,
    }
    row = await (HouseTransaction.filter(kind=kind, contract_no=c.contract_no)
                 .select_for_update().using_db(tx).first())
    action = "house_transaction.update" if row else "house_transaction.create"
    before = _audit_view(row) if row else None
    if row is None:
        row = HouseTransaction(kind=kind, contract_no=c.contract_no, **values)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    await row.save(using_db=tx)
    await audit.record(action, "house_transaction", row.id, using=tx, before=before, after=_audit_view(row),
                       only_changes=before is not None,
                       summary=f"{'新建商品房' if kind == 'new' else '存量房'}买卖合同 {c.contract_no}")


def _audit_view(t: HouseTransaction) -> dict:
    return {"kind": t.kind, "contract_no": t.contract_no, "buyer_name": t.buyer_name,
            "buyer_id_number": mask_id_number(t.buyer_id_number), "seller_name": t.seller_name,
            "unit_address": t.unit_address, "area": str(t.area), "price_fen": t.price_fen,
            "signed_on": t.signed_on.isoformat() if t.signed_on else None, "message_id": t.message_id}


# ---------------------------------------------------------------- INT-14

_known_partitions: set[str] = set()


def _month_bounds(d: dt.datetime) -> tuple[str, dt.date, dt.date]:
    u = d.astimezone(dt.timezone.utc)
    a = dt.date(u.year, u.month, 1)
    b = dt.date(a.year + (a.month == 12), a.month % 12 + 1, 1)
    return f"access_event_y{a.year}m{a.month:02d}", a, b


async def ensure_access_partitions(moments: list[dt.datetime]) -> None:
    """Create the month partitions these events fall in. DDL runs on a connection of its own,
    outside the pool (a handler holding a pool connection must not wait for a second one) and
    before the handler writes to access_event (creating a partition locks the parent table)."""
    wanted = {_month_bounds(m) for m in moments}
    missing = [w for w in wanted if w[0] not in _known_partitions]
    if not missing:
        return
    c = await asyncpg.connect(get_settings().database_url)
    try:
        for name, a, b in sorted(missing):
            if not await c.fetchval("SELECT to_regclass($1) IS NOT NULL", name):
                try:
                    await c.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF access_event "
                                    f"FOR VALUES FROM ('{a.isoformat()} 00:00:00+00') TO ('{b.isoformat()} 00:00:00+00')")
                except (asyncpg.DuplicateTableError, asyncpg.UniqueViolationError):
                    pass  # another process made it at the same moment
            _known_partitions.add(name)
    finally:
        await c.close()


async def store_access_events(tx, header: Header, body: dict[str, Any]) -> None:  # noqa: ANN001
    p = _parse(ac.AccessEvents, body)
    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    for e in p.events:
        when = e.occurred_at if e.occurred_at.tzinfo else e.occurred_at.replace(tzinfo=CN)
        if not now - MAX_EVENT_AGE <= when <= now + MAX_EVENT_AHEAD:
            raise InvalidMessage(f"通行时间超出合理范围：{e.occurred_at.isoformat()}")
        for label, value, n in (("事件编号", e.event_id, 64), ("门禁点", e.door, 64), ("小区编码", e.community_code, 32),
                                ("通行人姓名", e.person_name, 64), ("证件号码", e.person_id_number, 32)):
            _fits(label, value, n)
        if not e.event_id or not e.person_id_number:
            raise InvalidMessage("事件编号和证件号码不能为空")
        idn = e.person_id_number.strip().upper()
        rows.append(AccessEvent(event_id=e.event_id, occurred_at=when, person_id_number=idn,
                                person_id_number_idx=blind_index(idn), person_name=e.person_name, door=e.door,
                                community_code=e.community_code, direction=e.direction, method=e.method,
                                message_id=header.message_id, received_at=now))
    await ensure_access_partitions([r.occurred_at for r in rows])
    # The inbox's own audit entry (exchange.apply) records this write; events are too many for one each.
    await AccessEvent.bulk_create(rows, ignore_conflicts=True, using_db=tx)


register(rea.PARTNER, rea.T_SALE_CONTRACT_NEW, store_sale_contract)
register(rea.PARTNER, rea.T_SALE_CONTRACT_SECOND_HAND, store_sale_contract)
register(ac.PARTNER, ac.T_ACCESS_EVENTS, store_access_events)
