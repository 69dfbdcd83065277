"""Outbox and inbox on the real PostgreSQL, Redis and RabbitMQ.

Outbound rows made here carry a `not_before` a year ahead and each relay pass is narrowed to the
test's own rows, so a relay process that the session may run elsewhere never takes them; the
relay under test is given a clock past that moment.
"""
from __future__ import annotations

import asyncio
import base64
import copy
import datetime as dt
import json
import os
import secrets
import socket
import time

import pytest
from tortoise.expressions import Q

from app.core.cache import redis
from app.core.context import SystemActor, current_actor
from app.core.db import uow
from app.core.errors import Conflict
from app.core.models import AuditLog
from app.core.pii import blind_index
from app.identity.scope import CITY, DISTRICT, Actor, scoped
from exchange import handlers  # noqa: F401 - registers the REA and INT-14 handlers
from app.api import exchange_monitor as monitor
from exchange import inbox, journal, outbox
from exchange.adapters import access_control as ac
from exchange.adapters import banks
from exchange.adapters import real_estate_trading as rea
from exchange.envelope import Header, open_, seal
from exchange.keys import Keyring
from exchange.models import AccessEvent, ExchangeMessage, HouseTransaction
from exchange.partners import PLATFORM
from exchange.transport import Transport
from tests.helpers import make_id_number

FAR = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)


def later(seconds: float = 1) -> dt.datetime:
    return FAR + dt.timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return Keyring.load(os.environ["EXCHANGE_KEYRING"])


@pytest.fixture(autouse=True)
def system_actor():
    token = current_actor.set(SystemActor())
    yield
    current_actor.reset(token)


@pytest.fixture
def prefix() -> str:
    """Exchanges and queues of this test alone (the sandbox consumes the session's own)."""
    return f"{os.environ['EXCHANGE_PREFIX']}.t{secrets.token_hex(4)}"


def amqp() -> str:
    return os.environ["AMQP_URL"]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/"


def tag() -> str:
    return f"T{time.strftime('%H%M%S')}{secrets.token_hex(3).upper()}"


async def drain(prefix: str, party: str, expect: int, timeout: float = 15) -> list:
    """Every message waiting in the party's queue (waits until `expect` arrived, then a little more)."""
    t = await Transport.connect(amqp(), prefix)
    try:
        q = await t.declare_party(party)
        got, deadline, quiet_until = [], time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            m = await q.get(no_ack=True, fail=False)
            if m is not None:
                got.append(m)
                continue
            if len(got) >= expect:
                quiet_until = quiet_until or time.monotonic() + 0.5
                if time.monotonic() > quiet_until:
                    break
            await asyncio.sleep(0.05)
        await q.delete(if_unused=False, if_empty=False)
        return got
    finally:
        await t.close()


async def enqueue_many(partner: str, n: int, bn_prefix: str) -> list[int]:
    async with uow() as tx:
        rows = [await outbox.enqueue(tx, partner, "report.push",
                                     {"seq": i, "id_number": make_id_number()},
                                     business_no=f"{bn_prefix}-{i:03d}", not_before=FAR) for i in range(n)]
    return [r.id for r in rows]


# ---------------------------------------------------------------- outbox


async def test_a_rolled_back_change_sends_nothing(keyring, prefix):
    bn = tag()

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with uow() as tx:
            row = await outbox.enqueue(tx, "mohurd", "beneficiary.push", {"name": "陈明"}, business_no=bn,
                                       not_before=FAR)
            assert await ExchangeMessage.filter(id=row.id).using_db(tx).exists()
            raise Abort()
    assert not await ExchangeMessage.filter(business_no=bn).exists()
    assert not await AuditLog.filter(action="exchange.enqueue", object_id=str(row.id)).exists()
    t = await Transport.connect(amqp(), prefix)
    try:
        assert await outbox.relay_once(t, keyring, clock=later, where=Q(business_no=bn)) == 0
    finally:
        await t.close()
    assert await drain(prefix, "mohurd", expect=0, timeout=1) == []


async def test_a_committed_message_is_sealed_at_send_time_and_published(keyring, prefix):
    bn = tag()
    (row_id,) = await enqueue_many("accounting", 1, bn)
    row = await ExchangeMessage.get(id=row_id)
    assert (row.direction, row.status, row.attempts) == ("out", "pending", 0)
    raw_body = (await ExchangeMessage.filter(id=row_id).values_list("body", flat=True))[0]
    assert "id_number" in json.loads(raw_body)  # the ORM decrypts; the column holds ciphertext:
    from app.core.db import conn
    _, db_rows = await conn().execute_query("SELECT body FROM exchange_message WHERE id = $1", [row_id])
    assert b"id_number" not in bytes(db_rows[0]["body"])
    assert await AuditLog.filter(action="exchange.enqueue", object_id=str(row_id)).exists()

    t = await Transport.connect(amqp(), prefix)
    try:
        before = int(time.time())
        assert await outbox.relay_once(t, keyring, clock=later, where=Q(id=row_id)) == 1
    finally:
        await t.close()
    (msg,) = await drain(prefix, "accounting", expect=1)
    header, body = await open_(msg.body, keyring, receiver="accounting")
    assert header.message_id == row.message_id == msg.message_id
    assert header.business_no == f"{bn}-000" and body["seq"] == 0
    assert header.sent_at >= before  # sealed when sent, not when queued
    row = await ExchangeMessage.get(id=row_id)
    assert (row.status, row.attempts, row.key_id) == ("sent", 1, keyring.active_key_id("accounting"))
    assert row.sent_at is not None and row.next_attempt_at is None


@pytest.mark.feature("INT-09", "INT-12", "INT-13")
async def test_broker_down_then_back_delivers_everything_once(keyring, prefix):
    bn = tag()
    first = await enqueue_many("smart_community", 15, bn + "A")
    connects: list[str] = []
    live: list[Transport] = []

    async def connect() -> Transport:
        # Down for the first two tries (nothing listens on that port), then the real broker.
        if len(connects) < 2:
            connects.append("down")
            return await Transport.connect(closed_port_url(), prefix, timeout=2)
        connects.append("up")
        t = await Transport.connect(amqp(), prefix)
        live.append(t)
        return t

    stop = asyncio.Event()
    ids = list(first)
    where = Q(business_no__startswith=bn)
    task = asyncio.create_task(outbox.run_relay(connect, keyring, stop=stop, clock=later, where=where,
                                                idle_seconds=0.05))
    try:
        async def wait_sent(expected: list[int]) -> None:
            for _ in range(300):
                if await ExchangeMessage.filter(id__in=expected, status="sent").count() == len(expected):
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("not all messages went out")

        await wait_sent(first)
        assert connects[:3] == ["down", "down", "up"]
        # The broker drops the relay's connection; what is queued meanwhile waits and goes out after.
        await live[-1].connection.close()
        second = await enqueue_many("smart_community", 15, bn + "B")
        ids += second
        await wait_sent(ids)
        assert connects.count("up") == 2, connects
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)

    rows = await ExchangeMessage.filter(id__in=ids)
    assert {r.status for r in rows} == {"sent"}
    assert {r.attempts for r in rows} == {1}, "an outage is not the message's fault"
    got = await drain(prefix, "smart_community", expect=len(ids))
    delivered = [m.message_id for m in got]
    assert sorted(delivered) == sorted(r.message_id for r in rows), "each message exactly once"
    for m in got:
        header, _ = await open_(m.body, keyring, receiver="smart_community")
        assert header.business_no.startswith(bn)


async def test_relays_running_side_by_side_send_each_row_once(keyring, prefix):
    bn = tag()
    ids = await enqueue_many("bank_ccb", 40, bn)
    transports = [await Transport.connect(amqp(), prefix) for _ in range(4)]
    try:
        sent = await asyncio.gather(*(outbox.relay_once(t, keyring, batch=15, clock=later,
                                                        where=Q(business_no__startswith=bn))
                                      for t in transports for _ in range(3)))
    finally:
        for t in transports:
            await t.close()
    assert sum(sent) == 40
    rows = await ExchangeMessage.filter(id__in=ids)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    got = await drain(prefix, "bank_ccb", expect=40)
    assert sorted(m.message_id for m in got) == sorted(r.message_id for r in rows)


async def test_a_message_that_keeps_failing_goes_dead_then_replay_sends_it(keyring, prefix):
    bn = tag()
    (row_id,) = await enqueue_many("mohurd", 1, bn)
    broken = Keyring(copy.deepcopy(keyring.data))
    broken.data["parties"]["mohurd"]["data_keys"] = {}  # the key was withdrawn: sealing fails
    t = await Transport.connect(amqp(), prefix)
    try:
        now = later()
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            assert await outbox.relay_once(t, broken, clock=lambda: now, where=Q(id=row_id)) == 0
            row = await ExchangeMessage.get(id=row_id)
            assert row.attempts == attempt and "封装失败" in row.last_error
            if attempt < outbox.MAX_ATTEMPTS:
                assert row.status == "pending"
                wait = (row.next_attempt_at - now).total_seconds()
                assert wait == min(2 ** attempt, 600)
                # not due before its time
                assert await outbox.relay_once(t, broken, clock=lambda: now, where=Q(id=row_id)) == 0
                assert (await ExchangeMessage.get(id=row_id)).attempts == attempt
                now = row.next_attempt_at
        row = await ExchangeMessage.get(id=row_id)
        assert (row.status, row.attempts, row.next_attempt_at) == ("dead", outbox.MAX_ATTEMPTS, None)
        assert await AuditLog.filter(action="exchange.dead", object_id=str(row_id)).exists()

        admin = Actor(account_id=1, kind="STAFF", name="王建华", scope=CITY, org_kind="GOV",
                      permissions=frozenset({"exchange.message.replay"}))
        replayed = await monitor.replay(admin, row_id)
        assert (replayed.status, replayed.attempts) == ("pending", 0)
        assert await AuditLog.filter(action="exchange.replay", object_id=str(row_id)).exists()
        with pytest.raises(Conflict):
            await monitor.replay(admin, row_id)  # only a dead letter can be replayed
        outsider = Actor(account_id=2, kind="STAFF", name="周敏", scope=DISTRICT, district_code="440703",
                         org_kind="GOV", permissions=frozenset({"exchange.message.replay"}))
        assert not await scoped(ExchangeMessage, outsider).filter(id=row_id).exists()

        assert await outbox.relay_once(t, keyring, where=Q(id=row_id)) == 1
    finally:
        await t.close()
    row = await ExchangeMessage.get(id=row_id)
    assert (row.status, row.attempts) == ("sent", 1)
    (msg,) = await drain(prefix, "mohurd", expect=1)
    assert msg.message_id == row.message_id


# ---------------------------------------------------------------- inbox

def push(keyring: Keyring, partner: str, type_: str, body: dict, **header) -> tuple[Header, bytes]:
    h = Header(sender=partner, receiver=PLATFORM, partner=partner, type=type_,
               key_id=keyring.active_key_id(partner), **header)
    return h, seal(h, body, keyring)


def contract(kind: str, contract_no: str, buyer: str, seller: str) -> dict:
    return {
        "kind": kind, "contract_no": contract_no, "signed_on": "2026-11-20",
        "filed_at": "2026-11-20T10:00:00+08:00",
        "buyers": [{"name": "陈明", "id_number": buyer}],
        "sellers": [{"name": "江门市安居置业有限公司" if kind == "new" else "李芳", "id_number": seller}],
        "unit": {"register_id": "440703001001GB00001F00010001", "address": "江门市蓬江区建设路1号3栋1201",
                 "building_area": "89.50"},
        "price_fen": 128_000_000, "matched_id_numbers": [buyer],
    }


async def in_rows(message_id: str) -> list[ExchangeMessage]:
    return await ExchangeMessage.filter(direction="in", message_id=message_id).order_by("id")


@pytest.mark.feature("REA-02")
async def test_a_new_home_contract_is_stored_once_even_when_delivered_twice(keyring):
    buyer, no = make_id_number(), tag()
    h, raw = push(keyring, rea.PARTNER, rea.T_SALE_CONTRACT_NEW,
                  contract("new", no, buyer, "91440703MA4UJ8KX2R"), business_no=no)
    assert await inbox.receive(raw, keyring, redis()) == "applied"
    assert await inbox.receive(raw, keyring, redis()) == "duplicate"
    (t,) = await HouseTransaction.filter(contract_no=no)
    assert (t.kind, t.buyer_id_number, t.price_fen, str(t.area)) == ("new", buyer, 128_000_000, "89.50")
    assert t.buyer_id_number_idx == blind_index(buyer) and blind_index(buyer) in t.party_idx
    assert t.matched_idx == [blind_index(buyer)] and t.message_id == h.message_id
    assert await HouseTransaction.filter(party_idx__contains=[blind_index(buyer)]).count() == 1
    (row,) = await in_rows(h.message_id)
    assert (row.status, row.partner, row.type, row.business_no) == ("applied", rea.PARTNER, h.type, no)
    assert json.loads(row.body)["contract_no"] == no
    assert await AuditLog.filter(action="exchange.apply", object_id=str(row.id)).exists()
    assert await AuditLog.filter(action="house_transaction.create", object_id=str(t.id)).exists()


@pytest.mark.feature("REA-03")
async def test_a_second_hand_contract_delivered_concurrently_is_applied_once(keyring):
    seller, no = make_id_number(), tag()
    h, raw = push(keyring, rea.PARTNER, rea.T_SALE_CONTRACT_SECOND_HAND,
                  contract("second_hand", no, make_id_number(), seller))
    outcomes = await asyncio.gather(*(inbox.receive(raw, keyring, redis()) for _ in range(12)))
    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 11
    assert await HouseTransaction.filter(contract_no=no, kind="second_hand").count() == 1
    assert [r.status for r in await in_rows(h.message_id)] == ["applied"]
    assert await AuditLog.filter(action="house_transaction.create", summary__contains=no).count() == 1

    # The trading system sends the contract again (a correction): the record is replaced, not doubled.
    body = contract("second_hand", no, make_id_number(), seller) | {"price_fen": 99_000_000}
    h2, raw2 = push(keyring, rea.PARTNER, rea.T_SALE_CONTRACT_SECOND_HAND, body)
    assert await inbox.receive(raw2, keyring, redis()) == "applied"
    (t,) = await HouseTransaction.filter(contract_no=no, kind="second_hand")
    assert (t.price_fen, t.message_id) == (99_000_000, h2.message_id)


@pytest.mark.feature("INT-14", "DATA-07")
async def test_access_events_delivered_concurrently_are_stored_once(keyring):
    person, community = make_id_number(), tag()[:12]
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    events = [{"event_id": f"{community}-{i}", "person_id_number": person, "person_name": "陈明",
               "door": f"{i % 3 + 1}栋大门", "community_code": community,
               "occurred_at": (now - dt.timedelta(minutes=i)).isoformat(), "direction": "in" if i % 2 else "out",
               "method": "face"} for i in range(20)]
    h, raw = push(keyring, ac.PARTNER, ac.T_ACCESS_EVENTS, {"events": events})
    outcomes = await asyncio.gather(*(inbox.receive(raw, keyring, redis()) for _ in range(8)))
    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 7
    stored = await AccessEvent.filter(community_code=community).order_by("event_id")
    assert len(stored) == 20
    assert {e.person_id_number for e in stored} == {person}
    assert {e.person_id_number_idx for e in stored} == {blind_index(person)}
    assert {e.message_id for e in stored} == {h.message_id}
    first = next(e for e in stored if e.event_id == f"{community}-0")
    assert (first.occurred_at, first.direction, first.door) == (now, "out", "1栋大门")

    # The door system sends two of the same events again in a new message: still stored once.
    _, raw2 = push(keyring, ac.PARTNER, ac.T_ACCESS_EVENTS, {"events": events[:2]})
    assert await inbox.receive(raw2, keyring, redis()) == "applied"
    assert await AccessEvent.filter(community_code=community).count() == 20


@pytest.mark.feature("INT-14")
async def test_an_access_event_in_a_month_without_a_partition_gets_one(keyring):
    community = tag()[:12]
    when = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=330)).replace(microsecond=0)
    ev = {"event_id": f"{community}-old", "person_id_number": make_id_number(), "door": "东门",
          "community_code": community, "occurred_at": when.isoformat(), "direction": "in"}
    _, raw = push(keyring, ac.PARTNER, ac.T_ACCESS_EVENTS, {"events": [ev]})
    assert await inbox.receive(raw, keyring, redis()) == "applied"
    (e,) = await AccessEvent.filter(community_code=community)
    assert e.occurred_at == when


async def test_a_known_type_without_a_handler_is_kept_as_received_and_settles_our_message(keyring):
    bn = tag()
    order = Header(sender=PLATFORM, receiver="bank_icbc", partner="bank_icbc", type=banks.T_COLLECTION_ORDER,
                   key_id=keyring.active_key_id("bank_icbc"), business_no=bn)
    await journal.record("request", order, {"body": {"business_no": bn, "amount_fen": 158000}})
    body = {"business_no": bn, "status": "paid", "amount_fen": 158000, "bank_txn_no": "ICBC" + bn,
            "paid_at": "2026-11-26T10:00:00+08:00"}
    h, raw = push(keyring, "bank_icbc", banks.T_PAYMENT_RESULT, body, business_no=bn,
                  correlation_id=order.message_id)
    assert await inbox.receive(raw, keyring, redis()) == "received"
    (row,) = await in_rows(h.message_id)
    assert row.status == "received" and row.correlation_id == order.message_id
    out = await ExchangeMessage.get(direction="out", message_id=order.message_id)
    assert out.status == "replied" and json.loads(out.reply)["bank_txn_no"] == "ICBC" + bn
    assert out.latency_ms is not None and out.finished_at is not None
    # A redelivery is still a duplicate, with or without a handler.
    assert await inbox.receive(raw, keyring, redis()) == "duplicate"


async def test_a_failing_handler_leaves_nothing_and_the_redelivery_is_not_a_replay(keyring):
    type_ = f"test.flaky.{secrets.token_hex(3)}"
    calls: list[int] = []

    async def flaky(tx, header, body):  # noqa: ANN001, ANN202
        calls.append(1)
        await tx.execute_query("SELECT 1")
        if len(calls) == 1:
            raise RuntimeError("database hiccup")

    inbox.register("bank_abc", type_, flaky)
    h, raw = push(keyring, "bank_abc", type_, {"x": 1})
    with pytest.raises(RuntimeError):
        await inbox.receive(raw, keyring, redis())
    assert await in_rows(h.message_id) == []
    assert await inbox.receive(raw, keyring, redis()) == "applied"
    assert [r.status for r in await in_rows(h.message_id)] == ["applied"]
    assert len(calls) == 2


# ---------------------------------------------------------------- rejections

def tamper_ciphertext(raw: bytes) -> bytes:
    env = json.loads(raw)
    ct = bytearray(base64.b64decode(env["ciphertext"]))
    ct[20] ^= 0x01
    env["ciphertext"] = base64.b64encode(bytes(ct)).decode()
    return json.dumps(env).encode()


def tamper_header(raw: bytes, **changes) -> bytes:
    env = json.loads(raw)
    env["header"] |= changes
    return json.dumps(env).encode()


def other_keys(keyring: Keyring, partner: str, *, data_key: bool = False, sign_key: bool = False) -> Keyring:
    k = Keyring(copy.deepcopy(keyring.data))
    party = k.data["parties"][partner]
    if data_key:
        party["data_keys"][party["active_key"]] = secrets.token_hex(16)
    if sign_key:
        party["sign_private"] = keyring.data["parties"]["tax"]["sign_private"]
    return k


@pytest.mark.feature("REA-02", "INT-14")
@pytest.mark.parametrize("kind", ["tampered_ciphertext", "tampered_header", "wrong_key_id", "wrong_data_key",
                                  "wrong_signer", "stale", "replayed_nonce", "malformed_json",
                                  "malformed_header", "wrong_receiver", "unknown_type", "invalid_body"])
async def test_each_rejection_is_logged_with_its_reason_and_applies_nothing(keyring, kind):
    no = tag()
    body = contract("new", no, make_id_number(), "91440703MA4UJ8KX2R")
    args = (rea.PARTNER, rea.T_SALE_CONTRACT_NEW, body)
    h, raw = push(keyring, *args, business_no=no)
    expected = {"tampered_ciphertext": "BAD_SIGNATURE", "tampered_header": "BAD_SIGNATURE",
                "wrong_key_id": "UNKNOWN_KEY", "wrong_data_key": "UNDECRYPTABLE", "wrong_signer": "BAD_SIGNATURE",
                "stale": "STALE", "replayed_nonce": "REPLAY", "malformed_json": "MALFORMED",
                "malformed_header": "MALFORMED", "wrong_receiver": "WRONG_RECEIVER",
                "unknown_type": "UNKNOWN_TYPE", "invalid_body": "INVALID_BODY"}[kind]
    if kind == "tampered_ciphertext":
        raw = tamper_ciphertext(raw)
    elif kind == "tampered_header":
        raw = tamper_header(raw, business_no=no + "X")
    elif kind == "wrong_key_id":
        raw = tamper_header(raw, key_id="k99")
    elif kind == "wrong_data_key":
        h, raw = push(other_keys(keyring, rea.PARTNER, data_key=True), *args, business_no=no)
    elif kind == "wrong_signer":
        h, raw = push(other_keys(keyring, rea.PARTNER, sign_key=True), *args, business_no=no)
    elif kind == "stale":
        h, raw = push(keyring, *args, business_no=no, sent_at=int(time.time()) - 301)
    elif kind == "replayed_nonce":
        _, first = push(keyring, rea.PARTNER, rea.T_SALE_CONTRACT_NEW,
                        contract("new", no + "P", make_id_number(), "91440703MA4UJ8KX2R"), nonce=h.nonce)
        assert await inbox.receive(first, keyring, redis()) == "applied"
    elif kind == "malformed_json":
        raw = b'{"header": {"sender": "real_estate_trading", "business_no": "' + no.encode() + b'"'
    elif kind == "malformed_header":
        raw = tamper_header(raw, sent_at="yesterday")
    elif kind == "wrong_receiver":
        hh = Header(sender=rea.PARTNER, receiver="tax", partner=rea.PARTNER, type=rea.T_SALE_CONTRACT_NEW,
                    key_id=keyring.active_key_id(rea.PARTNER), business_no=no)
        h, raw = hh, seal(hh, body, keyring)
    elif kind == "unknown_type":
        h, raw = push(keyring, rea.PARTNER, "sale_contract.cancelled", body, business_no=no)
    elif kind == "invalid_body":
        h, raw = push(keyring, rea.PARTNER, rea.T_SALE_CONTRACT_NEW, {**body, "buyers": []}, business_no=no)

    last = await ExchangeMessage.all().order_by("-id").first()
    assert await inbox.receive(raw, keyring, redis()) == "rejected"
    assert not await HouseTransaction.filter(contract_no=no).exists(), "nothing applied"
    rows = await ExchangeMessage.filter(id__gt=last.id if last else 0, direction="in", status="rejected",
                                        error_code=expected)
    if kind != "malformed_json":  # that one has no readable header, so no business number
        rows = [r for r in rows if (r.business_no or "").startswith(no)]
    assert len(rows) == 1, (kind, [(r.status, r.error_code) for r in
                                   await ExchangeMessage.filter(business_no__startswith=no)])
    row = rows[0]
    assert row.last_error and row.finished_at is not None
    if kind != "malformed_json":
        assert row.message_id == h.message_id and row.partner == rea.PARTNER
    else:
        assert row.message_id is None
    if kind not in ("unknown_type", "invalid_body"):
        assert row.envelope and row.body is None  # the envelope as received, kept encrypted
    assert await AuditLog.filter(action="exchange.reject", object_id=str(row.id)).exists()
    assert not await ExchangeMessage.filter(direction="in", business_no=no, status="applied").exists()


async def test_a_replay_of_a_rejected_message_id_does_not_block_the_genuine_one(keyring):
    """A forged copy that was refused does not occupy the message id."""
    no = tag()
    h, raw = push(keyring, rea.PARTNER, rea.T_SALE_CONTRACT_NEW,
                  contract("new", no, make_id_number(), "91440703MA4UJ8KX2R"), business_no=no)
    assert await inbox.receive(tamper_ciphertext(raw), keyring, redis()) == "rejected"
    assert await inbox.receive(raw, keyring, redis()) == "applied"
    assert sorted(r.status for r in await in_rows(h.message_id)) == ["applied", "rejected"]


# ---------------------------------------------------------------- journal and monitor


async def test_the_request_journal_records_each_outcome(keyring):
    bn = tag()
    outcomes = {}
    for event, detail in [("reply", {"reply": {"ok": True, "data": {"x": 1}}, "latency_ms": 42}),
                          ("partner_error", {"reply": {"ok": False, "error": {"code": "E404", "message": "查无此人"}},
                                             "latency_ms": 7}),
                          ("timeout", {"error": "timeout"}), ("rejected", {"error": "BAD_SIGNATURE"})]:
        h = Header(sender=PLATFORM, receiver="police", partner="police", type="identity.check",
                   key_id=keyring.active_key_id("police"), business_no=f"{bn}-{event}")
        await journal.record("request", h, {"body": {"id_number": make_id_number(), "name": "陈明"}})
        row = await ExchangeMessage.get(message_id=h.message_id)
        assert (row.direction, row.status, row.attempts) == ("out", "sent", 1)
        await journal.record(event, h, detail)
        outcomes[event] = await ExchangeMessage.get(message_id=h.message_id)
    assert (outcomes["reply"].status, outcomes["reply"].latency_ms) == ("replied", 42)
    assert json.loads(outcomes["reply"].reply) == {"ok": True, "data": {"x": 1}}
    assert (outcomes["partner_error"].status, outcomes["partner_error"].error_code) == ("failed", "E404")
    assert outcomes["partner_error"].last_error == "查无此人"
    assert (outcomes["timeout"].status, outcomes["timeout"].error_code) == ("failed", "TIMEOUT")
    assert (outcomes["rejected"].status, outcomes["rejected"].error_code) == ("failed", "BAD_SIGNATURE")


def test_bodies_are_masked_for_viewers_without_pii_view():
    body = {"applicant": {"name": "陈明", "id_number": "440703199001011239", "phone": "13800000001"},
            "members": [{"idcard": "440704198506150025"}], "note": "440703199001011239",
            "payer_account": "6222020200112233445", "amount_fen": 158000}
    masked = monitor.mask_json(body)
    assert masked["applicant"] == {"name": "陈明", "id_number": "4407**********1239", "phone": "138****0001"}
    assert masked["members"] == [{"idcard": "4407**********0025"}]
    assert masked["note"] == "4407**********1239"
    assert masked["payer_account"] == "6222 **** **** 3445"
    assert masked["amount_fen"] == 158000
