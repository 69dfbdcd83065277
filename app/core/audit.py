"""The audit trail: every write appends who, org, IP, action, object and a before/after diff.

Rows form an SM3 hash chain: hash = SM3(prev_hash || canonical row). A transaction-level
advisory lock serialises appends so the chain has no forks; `verify()` walks it and names
the first row that was altered or whose predecessor was deleted.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from app.core.context import current_actor, current_ip
from app.core.crypto import sm3
from app.core.db import conn as default_conn
from app.core.db import uow
from app.core.pii import mask_bank_account, mask_id_number, mask_phone

GENESIS = "0" * 64
_LOCK_KEY = 7_100_001  # advisory lock id for the audit chain
_PII_MASKERS = {"phone": mask_phone, "contact_phone": mask_phone, "id_number": mask_id_number,
                "bank_account": mask_bank_account}
_SECRET = {"password", "password_hash", "new_password", "old_password"}


def _jsonable(v: Any) -> Any:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, float) and abs(v) >= 1e16 and v.is_integer():
        return int(v)  # jsonb prints 1e20 as 100000000000000000000, which reads back as an int
    if isinstance(v, (bytes, bytearray, memoryview)):
        return None
    if isinstance(v, dict):
        # jsonb stores every key as a string; hash what will be read back, or verify() fails.
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_jsonable(x) for x in v]
    return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)


def snapshot(obj: Any, fields: list[str]) -> dict:
    """A model's fields as audit JSON, PII masked and secrets dropped."""
    out = {}
    for f in fields:
        if f in _SECRET:
            continue
        v = getattr(obj, f, None)
        out[f] = _PII_MASKERS[f](v) if f in _PII_MASKERS and v else _jsonable(v)
    return out


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _canonical(row: dict) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_hash(prev_hash: str, row: dict) -> str:
    return sm3(prev_hash.encode() + _canonical(row)).hex()


_CHAINED = ("created_at", "actor_id", "actor_name", "actor_kind", "org_id", "org_name", "ip",
            "action", "object_type", "object_id", "summary", "before", "after")


async def record(action: str, object_type: str, object_id: Any = None, *, before: dict | None = None,
                 after: dict | None = None, summary: str | None = None, using=None,  # noqa: ANN001
                 actor=None, only_changes: bool = True) -> None:  # noqa: ANN001
    """Append one audit row inside the caller's transaction (`using`), or in its own."""
    if using is None:
        # The chain lock only holds inside a transaction.
        async with uow() as tx:
            return await record(action, object_type, object_id, before=before, after=after, summary=summary,
                                using=tx, actor=actor, only_changes=only_changes)
    db = using
    actor = actor or current_actor.get()
    if only_changes:
        before, after = diff(before, after)
    now = dt.datetime.now(dt.timezone.utc)
    row = {
        "created_at": now.isoformat(),
        "actor_id": getattr(actor, "account_id", None),
        "actor_name": getattr(actor, "name", None),
        "actor_kind": getattr(actor, "kind", None),
        "org_id": getattr(actor, "org_id", None),
        "org_name": getattr(actor, "org_name", None),
        "ip": current_ip.get(),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "summary": summary,
        "before": _jsonable(before),
        "after": _jsonable(after),
    }
    await db.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK_KEY])
    _, rows = await db.execute_query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    prev = rows[0]["hash"] if rows else GENESIS
    h = row_hash(prev, row)
    await db.execute_query(
        "INSERT INTO audit_log (created_at, actor_id, actor_name, actor_kind, org_id, org_name, ip,"
        " action, object_type, object_id, summary, before, after, prev_hash, hash)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12::jsonb,$13::jsonb,$14,$15)",
        [now, row["actor_id"], row["actor_name"], row["actor_kind"], row["org_id"], row["org_name"],
         row["ip"], action, object_type, row["object_id"], summary,
         None if row["before"] is None else json.dumps(row["before"], ensure_ascii=False),
         None if row["after"] is None else json.dumps(row["after"], ensure_ascii=False), prev, h])


async def verify(batch: int = 5000) -> dict:
    """Walk the chain in id order. Returns ok, rows checked, and the first bad row."""
    db = default_conn()
    prev, last_id, checked = GENESIS, 0, 0
    while True:
        _, rows = await db.execute_query(
            "SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2", [last_id, batch])
        if not rows:
            return {"ok": True, "checked": checked, "first_bad_id": None, "reason": None}
        for r in rows:
            row = {k: r[k] for k in _CHAINED}
            row["created_at"] = r["created_at"].isoformat()
            for k in ("before", "after"):
                if isinstance(row[k], str):
                    row[k] = json.loads(row[k])
            if r["prev_hash"] != prev:
                return {"ok": False, "checked": checked, "first_bad_id": r["id"],
                        "reason": "前一条记录被删除或链接被篡改"}
            if row_hash(prev, row) != r["hash"]:
                return {"ok": False, "checked": checked, "first_bad_id": r["id"],
                        "reason": "记录内容被篡改"}
            prev, last_id, checked = r["hash"], r["id"], checked + 1


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


async def ensure_partitions(months_ahead: int = 2, today: dt.date | None = None) -> list[str]:
    """Create this month's and the next months' partitions; idempotent."""
    db = default_conn()
    start = _month_start(today or dt.date.today())
    made = []
    for i in range(-1, months_ahead + 1):
        a, b = _add_months(start, i), _add_months(start, i + 1)
        name = f"audit_log_y{a.year}m{a.month:02d}"
        await db.execute_script(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF audit_log "
            f"FOR VALUES FROM ('{a.isoformat()}') TO ('{b.isoformat()}')")
        made.append(name)
    return made


async def drop_expired_partitions(retention_months: int, today: dt.date | None = None) -> list[str]:
    """Detach and drop partitions wholly older than the retention window (never < 6 months)."""
    retention_months = max(retention_months, 6)
    db = default_conn()
    cutoff = _add_months(_month_start(today or dt.date.today()), -retention_months)
    _, rows = await db.execute_query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_log'")
    dropped = []
    for r in rows:
        name = r["relname"]
        try:
            y, m = int(name[11:15]), int(name[16:18])
        except ValueError:
            continue
        if _add_months(dt.date(y, m, 1), 1) <= cutoff:
            await db.execute_script(f"ALTER TABLE audit_log DETACH PARTITION {name}; DROP TABLE {name}")
            dropped.append(name)
    return dropped
