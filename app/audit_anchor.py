"""Audit chain anchors: the chain head (last id, its hash, the row count) signed with the platform's
SM2 key and kept in the append-only schema `audit_anchor` (migration 0008), with a copy sent through
the exchange to the timestamp service, whose signed receipt is stored beside it.

The hash chain alone (app.core.audit.verify) cannot see its newest rows deleted: what is left is
still a valid chain. An anchor can: `check()` reports any anchor whose head row is gone, whose hash
no longer matches, or whose rows up to the head are fewer than anchored, and any anchor whose
signature does not verify (a forged one). Anchors are taken hourly and at each day's close
(app/audit_anchor_jobs.py).
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from app.config import get_settings
from app.core import audit
from app.core.context import SystemActor
from app.core.db import conn, uow
from exchange.adapters import timestamp as ts
from exchange.envelope import Header
from exchange.inbox import InvalidMessage, register
from exchange.keys import Keyring
from exchange.partners import PLATFORM

log = logging.getLogger("arh.audit.anchor")
ACTOR = SystemActor(name="审计锚定")
KINDS = {"hourly": "每小时", "daily": "日终", "manual": "手动"}


@functools.cache
def _keyring(path: str) -> Keyring:
    return Keyring.load(path)


def keyring() -> Keyring:
    return _keyring(get_settings().exchange_keyring)


async def anchor(kind: str = "manual", *, ring: Keyring | None = None) -> dict[str, Any]:
    """Sign the chain head and store the anchor; queue its copy for the timestamp service."""
    if kind not in KINDS:
        raise ValueError(f"unknown anchor kind {kind!r}")
    ring = ring or keyring()
    async with uow() as tx:
        # Recorded first, so the anchor covers its own audit row; record() takes the chain lock,
        # held until commit, so no row can slip in between the head read and the anchor.
        await audit.record("audit.anchor", "audit_anchor", None, using=tx, actor=ACTOR, only_changes=False,
                           after={"kind": kind}, summary=f"{KINDS[kind]}锚定审计日志哈希链")
        _, rows = await tx.execute_query(
            "SELECT id, hash, (SELECT count(*) FROM audit_log) AS n FROM audit_log ORDER BY id DESC LIMIT 1")
        head_id, head_hash, n = rows[0]["id"], rows[0]["hash"], rows[0]["n"]
        at = dt.datetime.now(dt.timezone.utc)
        text = ts.anchor_text(head_id, head_hash, n, at)
        sig = ts.sign(ring.sign_private(PLATFORM), ring.sign_public(PLATFORM), text)
        stored = await tx.execute_query_dict(
            "INSERT INTO audit_anchor.anchor (created_at, kind, head_id, head_hash, row_count, signer,"
            " signed_text, signature) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
            [at, kind, head_id, head_hash, n, PLATFORM, text, sig])
        anchor_id = stored[0]["id"]
        await ts.send_anchor(tx, ts.AnchorCopy(anchor_id=anchor_id, head_id=head_id, head_hash=head_hash,
                                               row_count=n, anchored_at=at, signed_text=text, signature=sig))
    log.info("audit chain anchored: #%s head %s (%s rows)", anchor_id, head_id, n)
    return {"anchor_id": anchor_id, "kind": kind, "head_id": head_id, "head_hash": head_hash, "row_count": n,
            "created_at": at.isoformat()}


def _label(a: dict) -> str:
    at = a["created_at"].astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"锚点 #{a['id']}（{at:%Y-%m-%d %H:%M:%S}，{KINDS.get(a['kind'], a['kind'])}）"


def _signature_ok(a: dict, ring: Keyring) -> bool:
    text = ts.anchor_text(a["head_id"], a["head_hash"], a["row_count"], a["created_at"])
    try:
        pub = ring.sign_public(a["signer"])
    except Exception:  # noqa: BLE001 - an unknown signer is as good as a forged signature
        return False
    return a["signer"] == PLATFORM and text == a["signed_text"] and ts.verify(pub, text, a["signature"])


async def check(*, ring: Keyring | None = None) -> dict[str, Any]:
    """Every anchor against the chain as it is now. `ok` is False on the first problem, which is
    named with its anchor: truncated (the head row is gone or rows up to it are missing), altered
    (the head row's hash differs) or forged (the signature does not verify)."""
    ring = ring or keyring()
    db = conn()
    _, anchors = await db.execute_query(
        "SELECT a.*, l.hash AS current_hash, r.serial_no, r.timestamped_at, r.signed_text AS r_text,"
        " r.signature AS r_signature, r.head_hash AS r_head_hash"
        " FROM audit_anchor.anchor a LEFT JOIN audit_log l ON l.id = a.head_id"
        " LEFT JOIN LATERAL (SELECT * FROM audit_anchor.receipt x WHERE x.anchor_id = a.id ORDER BY x.id LIMIT 1) r"
        " ON true ORDER BY a.id")
    _, head = await db.execute_query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    out: dict[str, Any] = {"ok": True, "anchors": len(anchors), "problem": None, "anchor_id": None,
                           "reason": None, "last_anchor": None,
                           "head_id": head[0]["id"] if head else 0}
    last_good = None
    for a in anchors:
        a = dict(a)
        if not _signature_ok(a, ring):
            return out | {"ok": False, "problem": "forged", "anchor_id": a["id"],
                          "reason": f"{_label(a)}的签名验证失败：锚点被伪造或篡改"}
        if a["head_id"] and a["current_hash"] is None:
            return out | {"ok": False, "problem": "truncated", "anchor_id": a["id"],
                          "reason": f"{_label(a)}锚定的第 {a['head_id']} 条记录已不存在："
                                    f"审计日志在该锚点之后被截断（当前最后一条为第 {out['head_id']} 条）"}
        if a["head_id"] and a["current_hash"] != a["head_hash"]:
            return out | {"ok": False, "problem": "altered", "anchor_id": a["id"],
                          "reason": f"{_label(a)}锚定的第 {a['head_id']} 条记录哈希不符：记录被篡改"}
        last_good = a
    if last_good is not None:
        _, n = await db.execute_query("SELECT count(*) AS n FROM audit_log WHERE id <= $1", [last_good["head_id"]])
        if n[0]["n"] < last_good["row_count"]:
            return out | {"ok": False, "problem": "truncated", "anchor_id": last_good["id"],
                          "reason": f"{_label(last_good)}时共 {last_good['row_count']} 条记录，"
                                    f"现仅存 {n[0]['n']} 条：有记录被删除"}
        receipt = None
        if last_good["serial_no"]:
            ok = last_good["r_head_hash"] == last_good["head_hash"] and ts.verify(
                ring.sign_public(ts.PARTNER), last_good["r_text"], last_good["r_signature"])
            receipt = {"serial_no": last_good["serial_no"], "timestamped_at": last_good["timestamped_at"].isoformat(),
                       "signature_ok": ok}
        out["last_anchor"] = {"id": last_good["id"], "kind": last_good["kind"],
                              "created_at": last_good["created_at"].isoformat(), "head_id": last_good["head_id"],
                              "row_count": last_good["row_count"], "receipt": receipt}
    return out


async def store_receipt(tx, header: Header, body: dict[str, Any]) -> None:  # noqa: ANN001
    """Inbox handler: the timestamp service's receipt, kept only when its signature holds and it
    names an anchor we hold with the same hash."""
    try:
        r = ts.Receipt.model_validate(body)
    except ValueError as e:
        raise InvalidMessage("时间戳回执格式不正确") from e
    ring = keyring()
    if r.signed_text != ts.receipt_text(r.serial_no, r.timestamped_at, r.anchor_id, r.head_hash) \
            or not ts.verify(ring.sign_public(ts.PARTNER), r.signed_text, r.signature):
        raise InvalidMessage("时间戳回执签名验证失败")
    _, rows = await tx.execute_query("SELECT head_hash FROM audit_anchor.anchor WHERE id = $1", [r.anchor_id])
    if not rows or rows[0]["head_hash"] != r.head_hash:
        raise InvalidMessage("时间戳回执与平台锚点不符")
    await tx.execute_query(
        "INSERT INTO audit_anchor.receipt (anchor_id, authority, serial_no, timestamped_at, head_hash, signed_text,"
        " signature, message_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (anchor_id, serial_no) DO NOTHING",
        [r.anchor_id, ts.PARTNER, r.serial_no, r.timestamped_at, r.head_hash, r.signed_text, r.signature,
         header.message_id])


register(ts.PARTNER, ts.T_RECEIPT, store_receipt)
