"""The audit trail's SM3 hash chain, its monthly partitions, and the worker that maintains them.

A shared mechanism with no feature ID of its own (the spec catalogue has none for the audit trail).

Tamper tests break the shared chain on purpose, so each one restores the row it touched and
proves the chain verifies again before it ends.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json
import os
import sys

import pytest

from app.core import audit
from app.core.audit import _add_months, _month_start
from app.core.context import SystemActor
from app.core.db import conn
from app.core.models import AuditLog, Job
from tests.conftest import ROOT

COLS = ("id", "created_at", "actor_id", "actor_name", "actor_kind", "org_id", "org_name", "ip", "action",
        "object_type", "object_id", "summary", "before", "after", "prev_hash", "hash")


async def _append(n: int, tag: str) -> list[dict]:
    await asyncio.gather(*[
        audit.record(f"test.{tag}", "test", i, summary=f"并发写入{i}", only_changes=False,
                     actor=SystemActor(), after={"i": i, "tag": tag, "金额": decimal.Decimal("12.50")})
        for i in range(n)])
    _, rows = await conn().execute_query(
        "SELECT * FROM audit_log WHERE action = $1 ORDER BY id", [f"test.{tag}"])
    return [dict(r) for r in rows]


async def _partitions() -> set[str]:
    _, rows = await conn().execute_query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_log'")
    return {r["relname"] for r in rows}


def _pname(d: dt.date) -> str:
    return f"audit_log_y{d.year}m{d.month:02d}"


async def _make_partition(d: dt.date) -> str:
    a = _month_start(d)
    b = _add_months(a, 1)
    name = _pname(a)
    await conn().execute_script(
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF audit_log FOR VALUES FROM ('{a}') TO ('{b}')")
    return name


async def _cli_verify() -> tuple[int, str]:
    p = await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "verify-audit", cwd=ROOT,
                                             env={**os.environ}, stdout=asyncio.subprocess.PIPE,
                                             stderr=asyncio.subprocess.STDOUT)
    out, _ = await p.communicate()
    return p.returncode, out.decode()


async def test_concurrent_appends_form_one_unbroken_chain():
    rows = await _append(30, "concurrent")
    assert len(rows) == 30
    assert sorted(r["object_id"] for r in rows) == sorted(str(i) for i in range(30))
    # no fork: every hash is the prev_hash of exactly the next row, in id order
    _, chain = await conn().execute_query("SELECT id, prev_hash, hash FROM audit_log ORDER BY id")
    prevs = [r["prev_hash"] for r in chain]
    assert len(set(prevs)) == len(prevs)
    for a, b in zip(chain, chain[1:]):
        assert b["prev_hash"] == a["hash"]
    assert chain[0]["prev_hash"] == audit.GENESIS
    r = await audit.verify()
    assert r == {"ok": True, "checked": len(chain), "first_bad_id": None, "reason": None}
    # small batches walk the same chain
    assert (await audit.verify(batch=7))["ok"] is True


async def test_values_survive_the_jsonb_round_trip():
    """before/after go through jsonb, which reorders keys and makes every key a string."""
    await audit.record("test.values", "test", "x", actor=SystemActor(), only_changes=False,
                       before={"b": 1, "a": [1, 2, {"z": None, "y": True}]},
                       after={"名称": "江门", "when": dt.date(2026, 11, 26), "n": decimal.Decimal("1.10"),
                              "by_id": {2: "二", 10: "十"}, "pi": 3.25, "big": 2 ** 62, "huge": 1e20, "tiny": 1e-7})
    row = await AuditLog.filter(action="test.values").first()
    assert row.after["by_id"] == {"2": "二", "10": "十"}
    assert row.after["n"] == "1.10" and row.after["when"] == "2026-11-26"
    assert row.after["huge"] == 10 ** 20 and row.after["tiny"] == 1e-7
    assert await audit.verify() == {"ok": True, "checked": await AuditLog.all().count(), "first_bad_id": None,
                                    "reason": None}


async def test_altered_row_is_named_and_restoring_it_heals_the_chain():
    rows = await _append(5, "tamper")
    victim = rows[2]
    await conn().execute_query("UPDATE audit_log SET summary = $1 WHERE id = $2", ["被改过的摘要", victim["id"]])
    try:
        r = await audit.verify()
        assert r["ok"] is False
        assert r["first_bad_id"] == victim["id"]
        assert r["reason"] == "记录内容被篡改"
        assert r["checked"] == await AuditLog.filter(id__lt=victim["id"]).count()
        code, out = await _cli_verify()
        assert code == 1, out
        assert f"第 {victim['id']} 条" in out and "记录内容被篡改" in out
        # the JSON diff is chained too
        await conn().execute_query("UPDATE audit_log SET summary = $1 WHERE id = $2",
                                   [victim["summary"], victim["id"]])
        await conn().execute_query("""UPDATE audit_log SET after = jsonb_set(after, '{i}', '99') WHERE id = $1""",
                                   [victim["id"]])
        r = await audit.verify()
        assert (r["ok"], r["first_bad_id"], r["reason"]) == (False, victim["id"], "记录内容被篡改")
    finally:
        await conn().execute_query("UPDATE audit_log SET summary = $1, after = $2::jsonb WHERE id = $3",
                                   [victim["summary"], victim["after"] if isinstance(victim["after"], str)
                                    else json.dumps(victim["after"], ensure_ascii=False), victim["id"]])
    assert (await audit.verify())["ok"] is True


async def test_deleted_row_is_reported_at_its_successor_and_reinserting_heals():
    rows = await _append(5, "delete")
    victim, successor = rows[2], rows[3]
    await conn().execute_query("DELETE FROM audit_log WHERE id = $1", [victim["id"]])
    try:
        r = await audit.verify()
        assert r["ok"] is False
        assert r["first_bad_id"] == successor["id"]
        assert r["reason"] == "前一条记录被删除或链接被篡改"
        assert not await AuditLog.filter(id=victim["id"]).exists()
    finally:
        vals = [victim[c] if c not in ("before", "after") or victim[c] is None or isinstance(victim[c], str)
                else json.dumps(victim[c], ensure_ascii=False) for c in COLS]
        await conn().execute_query(
            f"INSERT INTO audit_log ({', '.join(COLS)}) VALUES ("
            + ", ".join(f"${i + 1}::jsonb" if c in ("before", "after") else f"${i + 1}"
                        for i, c in enumerate(COLS)) + ")", vals)
    assert (await audit.verify())["ok"] is True


async def test_cli_verify_audit_on_a_good_chain():
    code, out = await _cli_verify()
    assert code == 0, out
    n = await AuditLog.all().count()
    assert f"审计日志哈希链完整：共校验 {n} 条" in out


async def test_ensure_partitions_makes_this_and_next_month():
    today = dt.date.today()
    this, nxt = _pname(today), _pname(_add_months(_month_start(today), 1))
    made = await audit.ensure_partitions()
    assert this in made and nxt in made
    assert made == sorted(made)
    have = await _partitions()
    assert {this, nxt} <= have
    assert await audit.ensure_partitions() == made  # idempotent
    assert await _partitions() == have


async def test_drop_expired_partitions_keeps_the_retention_window():
    today = _month_start(dt.date.today())
    old = await _make_partition(dt.date(2020, 1, 1))
    three_back = await _make_partition(_add_months(today, -3))
    seven_back = await _make_partition(_add_months(today, -7))
    try:
        assert {old, three_back, seven_back} <= await _partitions()
        # a retention of 1 month is raised to the floor of 6: three months back stays
        dropped = await audit.drop_expired_partitions(1)
        assert sorted(dropped) == sorted([old, seven_back])
        have = await _partitions()
        assert old not in have and seven_back not in have
        assert three_back in have
        assert _pname(today) in have and _pname(_add_months(today, 1)) in have
        _, rows = await conn().execute_query("SELECT to_regclass($1) AS t", [old])
        assert rows[0]["t"] is None  # dropped, not just detached
        assert await audit.drop_expired_partitions(12) == []
    finally:
        await conn().execute_script(f"DROP TABLE IF EXISTS {old}; DROP TABLE IF EXISTS {seven_back}; "
                                    f"DROP TABLE IF EXISTS {three_back}")
    assert (await audit.verify())["ok"] is True


def test_settings_refuse_retention_below_six_months():
    from pydantic import ValidationError

    from app.config import Settings
    with pytest.raises(ValidationError, match="至少保留6个月"):
        Settings(audit_retention_months=5)
    assert Settings(audit_retention_months=6).audit_retention_months == 6


async def test_worker_maintains_partitions_and_reports_on_the_job(job_worker):
    from app import jobs
    from app.worker import broker, maintain_audit_partitions

    old = await _make_partition(dt.date(2019, 1, 1))
    job = await jobs.create("audit.maintain_partitions")
    assert job.status == "queued"
    await broker.startup()
    try:
        await maintain_audit_partitions.kiq(job_id=str(job.id))
        for _ in range(300):
            job = await Job.get(id=job.id)
            if job.status in ("done", "failed"):
                break
            await asyncio.sleep(0.1)
    finally:
        await broker.shutdown()
    assert job.status == "done", (job.status, job.message)
    assert job.progress == job.total == 2
    assert job.finished_at is not None and job.message == "完成"
    today = dt.date.today()
    assert _pname(today) in job.result["ensured"]
    assert _pname(_add_months(_month_start(today), 1)) in job.result["ensured"]
    assert job.result["dropped"] == [old]
    assert old not in await _partitions()
    assert (await audit.verify())["ok"] is True


# ---------------------------------------------------------------- anchors (issue 10 §3)

async def _reinsert(rows: list[dict]) -> None:
    for victim in rows:
        vals = [victim[c] if c not in ("before", "after") or victim[c] is None or isinstance(victim[c], str)
                else json.dumps(victim[c], ensure_ascii=False) for c in COLS]
        await conn().execute_query(
            f"INSERT INTO audit_log ({', '.join(COLS)}) VALUES ("
            + ", ".join(f"${i + 1}::jsonb" if c in ("before", "after") else f"${i + 1}"
                        for i, c in enumerate(COLS)) + ")", vals)


async def _remove_anchor(anchor_id: int) -> None:
    """Only a superuser can take an anchor back out, by switching its guard trigger off."""
    await conn().execute_script(
        "ALTER TABLE audit_anchor.receipt DISABLE TRIGGER receipt_append_only;"
        "ALTER TABLE audit_anchor.anchor DISABLE TRIGGER anchor_append_only;"
        f"DELETE FROM audit_anchor.receipt WHERE anchor_id = {int(anchor_id)};"
        f"DELETE FROM audit_anchor.anchor WHERE id = {int(anchor_id)};"
        "ALTER TABLE audit_anchor.anchor ENABLE TRIGGER anchor_append_only;"
        "ALTER TABLE audit_anchor.receipt ENABLE TRIGGER receipt_append_only;")


async def test_anchor_signs_the_chain_head_with_the_platform_key():
    from app import audit_anchor
    from exchange.adapters import timestamp as ts
    from exchange.models import ExchangeMessage
    from exchange.partners import PLATFORM
    await _append(3, "anchor-head")
    a = await audit_anchor.anchor("hourly")
    _, head = await conn().execute_query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 2")
    # The anchor's own audit row is the anchored head; the outbox row written after it is not.
    anchored = await AuditLog.get(id=a["head_id"])
    assert anchored.action == "audit.anchor" and anchored.hash == a["head_hash"]
    assert head[0]["id"] > a["head_id"] and head[1]["id"] == a["head_id"]
    assert a["row_count"] == await AuditLog.filter(id__lte=a["head_id"]).count()
    _, rows = await conn().execute_query("SELECT * FROM audit_anchor.anchor WHERE id = $1", [a["anchor_id"]])
    row = rows[0]
    ring = audit_anchor.keyring()
    assert row["signer"] == PLATFORM and row["kind"] == "hourly"
    assert row["signed_text"] == ts.anchor_text(a["head_id"], a["head_hash"], a["row_count"], row["created_at"])
    # Standard SM3withSM2 with the default signer id: an independent library verifies it.
    assert ts.verify(ring.sign_public(PLATFORM), row["signed_text"], row["signature"])
    import base64

    from gmssl import sm2
    sig = base64.b64decode(row["signature"])
    pub = ring.sign_public(PLATFORM)
    crypt = sm2.CryptSM2(private_key="", public_key=pub.hex()[2:] if len(pub) == 65 else pub.hex())
    r_len = sig[3]
    r = int.from_bytes(sig[4:4 + r_len], "big")
    s_len = sig[5 + r_len]
    s = int.from_bytes(sig[6 + r_len:6 + r_len + s_len], "big")
    assert crypt.verify_with_sm3(f"{r:064x}{s:064x}", row["signed_text"].encode())
    # The copy for the timestamp service is in the outbox, written in the same transaction.
    msg = await ExchangeMessage.get(direction="out", partner=ts.PARTNER, business_no=f"ANCHOR-{a['anchor_id']}")
    body = json.loads(msg.body)
    assert body["head_hash"] == a["head_hash"] and body["signature"] == row["signature"]
    assert (await audit_anchor.check())["ok"] is True


async def test_anchor_rows_refuse_update_delete_and_truncate():
    from app import audit_anchor
    a = await audit_anchor.anchor("manual")
    _, owner = await conn().execute_query(
        "SELECT n.nspowner::regrole::text AS schema_owner, c.relowner::regrole::text AS table_owner"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'audit_anchor' AND c.relname = 'anchor'")
    assert owner[0]["schema_owner"] == "arh_audit_owner" and owner[0]["table_owner"] == "arh_audit_owner"
    for sql in ("UPDATE audit_anchor.anchor SET head_id = 0 WHERE id = $1",
                "DELETE FROM audit_anchor.anchor WHERE id = $1"):
        with pytest.raises(Exception, match="审计锚点只能追加"):
            await conn().execute_query(sql, [a["anchor_id"]])
    with pytest.raises(Exception, match="审计锚点只能追加"):
        await conn().execute_script("TRUNCATE audit_anchor.anchor CASCADE")
    _, rows = await conn().execute_query("SELECT head_id FROM audit_anchor.anchor WHERE id = $1", [a["anchor_id"]])
    assert rows[0]["head_id"] == a["head_id"]


async def test_deleting_the_newest_rows_after_an_anchor_is_reported_as_truncation():
    from app import audit_anchor
    before = await _append(3, "before-anchor")
    a = await audit_anchor.anchor("daily")
    # Delete the last rows (the anchored head and the one before it, and whatever came after), as a
    # superuser would: the rest is still a valid chain, so the hash chain alone cannot tell.
    first = before[-1]["id"]
    _, doomed = await conn().execute_query("SELECT * FROM audit_log WHERE id >= $1 ORDER BY id", [first])
    doomed = [dict(r) for r in doomed]
    await conn().execute_query("DELETE FROM audit_log WHERE id >= $1", [first])
    try:
        assert (await audit.verify())["ok"] is True
        r = await audit_anchor.check()
        assert r["ok"] is False and r["problem"] == "truncated" and r["anchor_id"] == a["anchor_id"]
        assert f"锚点 #{a['anchor_id']}" in r["reason"] and f"第 {a['head_id']} 条记录已不存在" in r["reason"]
        assert r["head_id"] < first
        code, out = await _cli_verify()
        assert code == 1, out
        assert "审计日志哈希链完整" in out and f"审计日志锚点校验失败：锚点 #{a['anchor_id']}" in out
    finally:
        await _reinsert(doomed)
    assert (await audit_anchor.check())["ok"] is True


async def test_a_missing_row_before_the_anchored_head_is_reported():
    from app import audit_anchor
    rows = await _append(3, "count-anchor")
    a = await audit_anchor.anchor("manual")
    await conn().execute_query("DELETE FROM audit_log WHERE id = $1", [rows[1]["id"]])
    try:
        r = await audit_anchor.check()
        assert r["ok"] is False and r["problem"] == "truncated" and r["anchor_id"] == a["anchor_id"]
        assert f"共 {a['row_count']} 条记录，现仅存 {a['row_count'] - 1} 条" in r["reason"]
    finally:
        await _reinsert([rows[1]])
    assert (await audit_anchor.check())["ok"] is True


async def test_a_forged_anchor_is_detected():
    from app import audit_anchor
    from exchange.adapters import timestamp as ts
    from exchange.keys import generate
    from exchange.partners import PLATFORM
    _, head = await conn().execute_query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    n = await AuditLog.all().count()
    at = dt.datetime.now(dt.timezone.utc)
    text = ts.anchor_text(head[0]["id"], head[0]["hash"], n, at)
    # Signed with a key that is not the platform's: whoever can INSERT cannot forge an anchor.
    other = generate()["parties"][PLATFORM]
    sig = ts.sign(bytes.fromhex(other["sign_private"]), bytes.fromhex(other["sign_public"]), text)
    rows = await conn().execute_query_dict(
        "INSERT INTO audit_anchor.anchor (created_at, kind, head_id, head_hash, row_count, signer, signed_text,"
        " signature) VALUES ($1, 'manual', $2, $3, $4, $5, $6, $7) RETURNING id",
        [at, head[0]["id"], head[0]["hash"], n, PLATFORM, text, sig])
    forged = rows[0]["id"]
    try:
        r = await audit_anchor.check()
        assert r["ok"] is False and r["problem"] == "forged" and r["anchor_id"] == forged
        assert f"锚点 #{forged}" in r["reason"] and "签名验证失败" in r["reason"]
    finally:
        await _remove_anchor(forged)
    assert (await audit_anchor.check())["ok"] is True
