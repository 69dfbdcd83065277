"""The audit anchor's copy travels through the relay to the timestamp stand-in, whose signed
receipt comes back through the inbox and is stored beside the anchor (issue 10 §3)."""
from __future__ import annotations

import pytest

from app import audit_anchor
from app.core.db import conn
from exchange.adapters import timestamp as ts
from exchange.models import ExchangeMessage
from tests.adapters.test_exchange_flows import delivered, eventually, relay, sbx, system_actor  # noqa: F401


async def _receipt(anchor_id: int) -> dict | None:
    _, rows = await conn().execute_query("SELECT * FROM audit_anchor.receipt WHERE anchor_id = $1", [anchor_id])
    return dict(rows[0]) if rows else None


async def test_the_timestamp_service_returns_a_signed_receipt_for_an_anchor(sbx):  # noqa: F811
    a = await audit_anchor.anchor("hourly")
    body = await delivered(sbx, ts.PARTNER, ts.T_ANCHOR, f"ANCHOR-{a['anchor_id']}")
    assert body["head_hash"] == a["head_hash"] and body["anchor_id"] == a["anchor_id"]
    receipt = await eventually(lambda: _receipt(a["anchor_id"]))
    assert receipt["head_hash"] == a["head_hash"] and receipt["serial_no"].startswith("TSA")
    ring = audit_anchor.keyring()
    assert ts.verify(ring.sign_public(ts.PARTNER), receipt["signed_text"], receipt["signature"])
    inbound = await ExchangeMessage.get(direction="in", type=ts.T_RECEIPT, business_no=f"ANCHOR-{a['anchor_id']}")
    assert inbound.status == "applied", inbound.last_error
    r = await audit_anchor.check()
    assert r["ok"] is True
    if r["last_anchor"]["id"] == a["anchor_id"]:
        assert r["last_anchor"]["receipt"] == {"serial_no": receipt["serial_no"], "signature_ok": True,
                                               "timestamped_at": receipt["timestamped_at"].isoformat()}


async def test_a_receipt_that_does_not_match_the_anchor_is_refused():
    from exchange.envelope import Header
    from exchange.inbox import InvalidMessage
    from app.core.db import uow
    a = await audit_anchor.anchor("manual")
    ring = audit_anchor.keyring()
    import datetime as dt
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    wrong = "f" * 64
    text = ts.receipt_text("TSAFAKE", at, a["anchor_id"], wrong)
    body = {"anchor_id": a["anchor_id"], "head_hash": wrong, "serial_no": "TSAFAKE", "timestamped_at": at.isoformat(),
            "signed_text": text,
            "signature": ts.sign(ring.sign_private(ts.PARTNER), ring.sign_public(ts.PARTNER), text)}
    h = Header(sender=ts.PARTNER, receiver="arh", partner=ts.PARTNER, type=ts.T_RECEIPT, key_id="k1")
    with pytest.raises(InvalidMessage, match="与平台锚点不符"):
        async with uow() as tx:
            await audit_anchor.store_receipt(tx, h, body)
    body |= {"head_hash": a["head_hash"], "signed_text": ts.receipt_text("TSAFAKE", at, a["anchor_id"], a["head_hash"])}
    with pytest.raises(InvalidMessage, match="签名验证失败"):
        async with uow() as tx:
            await audit_anchor.store_receipt(tx, h, body)
    assert await _receipt(a["anchor_id"]) is None
