"""End to end through the relay process: pushes the platform queues in a transaction reach the
partner stand-ins, and pushes the stand-ins send are stored by the inbox exactly once.

Outbound: outbox row -> relay -> partner queue -> sandbox log. Inbound: sandbox trigger -> envelope
-> the platform's queue -> relay -> inbox -> database rows.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from app.core.context import SystemActor, current_actor
from app.core.db import uow
from app.core.pii import blind_index
from exchange.adapters import (
    accounting,
    banks,
    gov_service_platform,
    mohurd,
    real_estate_trading,
    smart_community,
)
from exchange.client import ExchangeClient
from exchange.keys import Keyring
from exchange.models import AccessEvent, ExchangeMessage, HouseTransaction
from exchange.transport import Transport
from sandbox import data
from tests.helpers import make_id_number

ROOT = Path(__file__).resolve().parents[2]
RUN = os.environ["ARH_TEST_RUN_ID"].replace("_", "")
LIU = data.id_number("44070319900520123")
CHEN = data.id_number("44070319850312101")


@pytest.fixture(scope="module")
def relay(sandbox):  # noqa: ANN001
    """The relay process: publishes the outbox and feeds the platform's queue to the inbox."""
    log = open(ROOT / "var" / "log" / "test-relay.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "app.relay"], cwd=ROOT, env={**os.environ},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
    log.close()


@pytest.fixture(autouse=True)
def system_actor():
    token = current_actor.set(SystemActor())
    yield
    current_actor.reset(token)


@pytest.fixture
async def sbx(sandbox, relay):  # noqa: ANN001
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as c:
        yield c


async def eventually(probe: Callable[[], Awaitable[Any]], timeout: float = 20) -> Any:
    """Poll until probe() returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.2)


async def partner_log(c: httpx.AsyncClient, partner: str, type_: str, business_no: str) -> list[dict]:
    r = await c.get("/sandbox/exchange/messages", params={"partner": partner, "type": type_,
                                                           "business_no": business_no})
    assert r.status_code == 200
    return r.json()["items"]


async def delivered(c: httpx.AsyncClient, partner: str, type_: str, business_no: str) -> dict:
    items = await eventually(lambda: partner_log(c, partner, type_, business_no))
    [entry] = items
    assert entry["direction"] == "in" and entry["outcome"] == "received"
    return entry["body"]


def inbound(type_: str, business_no: str):  # noqa: ANN201
    return ExchangeMessage.filter(direction="in", type=type_, business_no=business_no)


# ---------------------------------------------------------------- outbound pushes (outbox -> partner)

@pytest.mark.feature("INT-08", "DATA-04")
async def test_case_result_reaches_the_gov_service_platform(sbx):
    result = gov_service_platform.CaseResult(case_no=f"JMZW-{RUN}-1", our_case_no=f"BZSQ-{RUN}-1",
                                             result="approved", opinion="符合保障条件，准予通过", handled_by="刘晓燕",
                                             completed_at=datetime.now(UTC))
    async with uow() as tx:
        await gov_service_platform.push_case_result(tx, result)
    body = await delivered(sbx, "gov_service_platform", gov_service_platform.T_CASE_RESULT, f"BZSQ-{RUN}-1")
    assert body["case_no"] == f"JMZW-{RUN}-1" and body["result"] == "approved"


@pytest.mark.feature("INT-09")
async def test_mohurd_reports_units_beneficiaries_and_leases(sbx):
    now = datetime.now(UTC)
    async with uow() as tx:
        await mohurd.report_units(tx, mohurd.UnitReport(batch_no=f"SB-U-{RUN}", reported_at=now, items=[
            mohurd.UnitRow(unit_code="JMP0001-B01-0302", project_name="滨江保障公寓", address="江门市蓬江区白沙大道西88号1栋302",
                           district_code="440703", building_area=Decimal("68.90"), layout="两房一厅", status="leased")]))
        await mohurd.report_beneficiaries(tx, mohurd.BeneficiaryReport(batch_no=f"SB-B-{RUN}", reported_at=now, items=[
            mohurd.BeneficiaryRow(id_number=LIU, name="刘洋", household_size=2, admitted_on=date(2026, 3, 1),
                                  status="housed")]))
        await mohurd.report_leases(tx, mohurd.LeaseReport(batch_no=f"SB-L-{RUN}", reported_at=now, items=[
            mohurd.LeaseRow(lease_no="HT-20261126-0007", unit_code="JMP0001-B01-0302", tenant_id_number=LIU,
                            monthly_rent_fen=158_000, start_date=date(2026, 12, 1), end_date=date(2027, 11, 30))]))
    units = await delivered(sbx, "mohurd", mohurd.T_REPORT_UNITS, f"SB-U-{RUN}")
    assert units["items"][0]["building_area"] == "68.90" and units["region_code"] == "440700"
    people = await delivered(sbx, "mohurd", mohurd.T_REPORT_BENEFICIARIES, f"SB-B-{RUN}")
    assert people["items"][0]["id_number"] == LIU
    leases = await delivered(sbx, "mohurd", mohurd.T_REPORT_LEASES, f"SB-L-{RUN}")
    assert leases["items"][0]["monthly_rent_fen"] == 158_000


@pytest.mark.feature("INT-12")
async def test_rent_collection_reaches_the_accounting_system(sbx):
    lines = [accounting.CollectionLine(business_no=f"SK-{RUN}-{i}", lease_no="HT-20261126-0007", item="rent",
                                       amount_fen=158_000, channel="bank", paid_at=datetime.now(UTC))
             for i in range(3)]
    async with uow() as tx:
        await accounting.push_rent_collection(tx, accounting.RentCollection(
            batch_no=f"KJ-{RUN}", period="2026-11", org_name="江门市安居投资有限公司",
            org_credit_code=data.PROJECTS[0].developer_credit_code, total_fen=474_000, lines=lines))
    body = await delivered(sbx, "accounting", accounting.T_RENT_COLLECTION, f"KJ-{RUN}")
    assert body["total_fen"] == 474_000 and len(body["lines"]) == 3


@pytest.mark.feature("INT-13")
async def test_beneficiaries_and_units_reach_the_smart_community(sbx):
    now = datetime.now(UTC)
    async with uow() as tx:
        await smart_community.push_beneficiaries(tx, smart_community.BeneficiarySync(
            batch_no=f"ZH-B-{RUN}", synced_at=now, items=[smart_community.CommunityBeneficiary(
                id_number=LIU, name="刘洋", phone="13800000001", community_code="JMP0001",
                unit_code="JMP0001-B01-0302", move_in_on=date(2026, 12, 1), status="housed")]))
        await smart_community.push_units(tx, smart_community.UnitSync(
            batch_no=f"ZH-U-{RUN}", synced_at=now, items=[smart_community.CommunityUnit(
                unit_code="JMP0001-B01-0302", community_code="JMP0001", community_name="滨江保障公寓", building="1栋",
                room_no="302", building_area=Decimal("68.90"), status="leased")]))
    assert (await delivered(sbx, "smart_community", smart_community.T_BENEFICIARIES, f"ZH-B-{RUN}"))["items"][0][
        "community_code"] == "JMP0001"
    assert (await delivered(sbx, "smart_community", smart_community.T_UNITS, f"ZH-U-{RUN}"))["items"][0][
        "room_no"] == "302"


async def test_a_rolled_back_push_never_reaches_the_partner(sbx):
    class Abort(Exception):
        pass
    with pytest.raises(Abort):
        async with uow() as tx:
            await accounting.push_rent_collection(tx, accounting.RentCollection(
                batch_no=f"KJ-RB-{RUN}", period="2026-11", org_name="江门市安居投资有限公司",
                org_credit_code=data.PROJECTS[0].developer_credit_code, total_fen=1, lines=[
                    accounting.CollectionLine(business_no="x", lease_no="y", item="rent", amount_fen=1,
                                              channel="bank", paid_at=datetime.now(UTC))]))
            raise Abort
    # A later push in its own transaction does arrive, so the relay was running all along.
    async with uow() as tx:
        await accounting.push_rent_collection(tx, accounting.RentCollection(
            batch_no=f"KJ-OK-{RUN}", period="2026-11", org_name="江门市安居投资有限公司",
            org_credit_code=data.PROJECTS[0].developer_credit_code, total_fen=2, lines=[
                accounting.CollectionLine(business_no="x2", lease_no="y", item="rent", amount_fen=2,
                                          channel="bank", paid_at=datetime.now(UTC))]))
    await delivered(sbx, "accounting", accounting.T_RENT_COLLECTION, f"KJ-OK-{RUN}")
    assert await partner_log(sbx, "accounting", accounting.T_RENT_COLLECTION, f"KJ-RB-{RUN}") == []
    assert not await ExchangeMessage.filter(business_no=f"KJ-RB-{RUN}").exists()


# ---------------------------------------------------------------- INT-10: order, payment, statement, withholding

@pytest.mark.feature("INT-10", "DATA-05")
async def test_collection_order_then_payment_result_and_statement_line(sbx):
    bn = f"ZD-{RUN}-PAY"
    async with uow() as tx:
        await banks.push_collection_order(tx, "bank_icbc", banks.CollectionOrder(
            business_no=bn, amount_fen=158_000, collection_account="44050166000800009876", payer_name="刘洋",
            description="2026年12月租金", due_date=date(2026, 12, 5)))
    order = await delivered(sbx, "bank_icbc", banks.T_COLLECTION_ORDER, bn)
    assert order["amount_fen"] == 158_000
    # The bank pays the order it holds: amount and account come from the order.
    r = await sbx.post("/sandbox/banks/bank_icbc/payments", json={"business_no": bn})
    assert r.status_code == 200, r.text
    payment = await eventually(lambda: inbound(banks.T_PAYMENT_RESULT, bn).first())
    statement = await eventually(lambda: inbound(banks.T_STATEMENT_LINES, bn).first())
    assert payment.partner == statement.partner == "bank_icbc"
    assert payment.status in ("received", "applied") and statement.status in ("received", "applied")
    paid = banks.PaymentResult.model_validate(json.loads(payment.body))
    assert (paid.status, paid.amount_fen) == ("paid", 158_000)
    lines = banks.StatementLines.model_validate(json.loads(statement.body))
    assert lines.account_no == "44050166000800009876" and lines.lines[0].business_no == bn


@pytest.mark.feature("INT-10")
async def test_withholding_result_arrives_after_the_instruction(sbx):
    transport = await Transport.connect(os.environ["AMQP_URL"], os.environ["EXCHANGE_PREFIX"])
    redis = Redis.from_url(os.environ["REDIS_URL"])
    try:
        client = await ExchangeClient(Keyring.load(os.environ["EXCHANGE_KEYRING"]), transport, redis).start()
        base = {"payer_name": "刘洋", "amount_fen": 158_000, "collection_account": "44050166000800001234",
                "description": "2026年12月租金"}
        ok = await banks.withhold(client, "bank_rcc", banks.WithholdingInstruction(
            instruction_no=f"DK-{RUN}-1", business_no=f"ZD-{RUN}-W1", payer_account="6217000010001234567", **base))
        short = await banks.withhold(client, "bank_rcc", banks.WithholdingInstruction(
            instruction_no=f"DK-{RUN}-2", business_no=f"ZD-{RUN}-W2", payer_account="6217000010001234564", **base))
        assert ok.accepted and short.accepted
    finally:
        await transport.close()
        await redis.aclose()
    debited = await eventually(lambda: inbound(banks.T_WITHHOLDING_RESULT, f"ZD-{RUN}-W1").first())
    failed = await eventually(lambda: inbound(banks.T_WITHHOLDING_RESULT, f"ZD-{RUN}-W2").first())
    d = banks.WithholdingResult.model_validate(json.loads(debited.body))
    f = banks.WithholdingResult.model_validate(json.loads(failed.body))
    assert (d.status, d.amount_fen, d.instruction_no) == ("debited", 158_000, f"DK-{RUN}-1")
    assert (f.status, f.failure_reason) == ("failed", "账户余额不足")


# ---------------------------------------------------------------- INT-08 inbound cases

@pytest.mark.feature("INT-08", "DATA-04")
async def test_an_accepted_case_with_its_files_is_received(sbx):
    person = make_id_number(born="19940404")
    r = await sbx.post("/sandbox/gov_service_platform/cases", json={
        "applicant_name": "窗口申请人", "applicant_id_number": person, "phone": "13900000001"})
    assert r.status_code == 200, r.text
    case_no = r.json()["case_no"]
    row = await eventually(lambda: inbound(gov_service_platform.T_CASE_ACCEPTED, case_no).first())
    assert row.partner == "gov_service_platform" and row.status in ("received", "applied")
    case = gov_service_platform.AcceptedCase.model_validate(json.loads(row.body))
    assert case.applicant.id_number == person
    [pdf] = case.files
    assert pdf.content().startswith(b"%PDF-1.4") and pdf.content().rstrip().endswith(b"%%EOF")


# ---------------------------------------------------------------- REA-02 / REA-03 and INT-14: stored records

@pytest.mark.feature("REA-02")
async def test_new_home_contract_becomes_a_house_transaction(sbx):
    r = await sbx.post("/sandbox/real_estate_trading/contracts", json={
        "kind": "new", "buyer_name": "刘洋", "buyer_id_number": LIU})
    assert r.status_code == 200, r.text
    contract = r.json()["contract"]
    row = await eventually(lambda: HouseTransaction.filter(kind="new", contract_no=contract["contract_no"]).first())
    assert row.buyer_id_number == LIU and row.buyer_name == "刘洋"
    assert row.seller_name == data.PROJECTS[2].developer and row.price_fen == contract["price_fen"]
    assert row.area == Decimal(contract["unit"]["building_area"])


@pytest.mark.feature("REA-03")
async def test_second_hand_contract_becomes_a_house_transaction(sbx):
    buyer = make_id_number(born="19870707")
    r = await sbx.post("/sandbox/real_estate_trading/contracts", json={
        "kind": "second_hand", "buyer_name": "二手买家", "buyer_id_number": buyer, "price_fen": 98_000_000})
    assert r.status_code == 200, r.text
    no = r.json()["contract"]["contract_no"]
    row = await eventually(lambda: HouseTransaction.filter(kind="second_hand", contract_no=no).first())
    assert row.seller_id_number == CHEN and row.buyer_id_number == buyer and row.price_fen == 98_000_000
    assert row.unit_address == "江门市蓬江区建设路28号5座501"


@pytest.mark.feature("INT-14", "DATA-07")
async def test_access_events_are_stored(sbx):
    person = make_id_number(born="19990909")
    r = await sbx.post("/sandbox/access/events", json={
        "person_id_number": person, "community_code": "JMP0002", "door": "A座大门", "count": 3})
    assert r.status_code == 200, r.text
    idx = blind_index(person)
    rows = await eventually(lambda: _events(idx, 3))
    assert [e.direction for e in rows] == ["in", "out", "in"]
    assert {e.community_code for e in rows} == {"JMP0002"} and rows[0].door == "A座大门"


async def _events(idx: str, n: int) -> list[AccessEvent] | None:
    rows = await AccessEvent.filter(person_id_number_idx=idx).order_by("occurred_at")
    return rows if len(rows) >= n else None


async def test_a_duplicated_push_is_stored_once(sbx):
    person = make_id_number(born="19980808")
    assert (await sbx.post("/sandbox/faults/access_control", json={"duplicate": True})).status_code == 200
    try:
        r = await sbx.post("/sandbox/access/events", json={"person_id_number": person, "count": 1})
        assert r.status_code == 200
        [entry] = r.json()["pushed"]
    finally:
        await sbx.delete("/sandbox/faults/access_control")
    idx = blind_index(person)
    await eventually(lambda: _events(idx, 1))
    await asyncio.sleep(1.0)  # the second copy has had time to arrive
    assert await AccessEvent.filter(person_id_number_idx=idx).count() == 1
    assert await ExchangeMessage.filter(direction="in", message_id=entry["message_id"],
                                        status="applied").count() == 1


async def test_a_push_with_a_corrupted_signature_is_rejected_and_applies_nothing(sbx):
    buyer = make_id_number(born="19770707")
    assert (await sbx.post("/sandbox/faults/real_estate_trading", json={"corrupt_signature": True})).status_code == 200
    try:
        r = await sbx.post("/sandbox/real_estate_trading/contracts", json={
            "kind": "new", "buyer_name": "篡改测试", "buyer_id_number": buyer})
        assert r.status_code == 200
        [entry] = r.json()["pushed"]
    finally:
        await sbx.delete("/sandbox/faults/real_estate_trading")
    row = await eventually(lambda: ExchangeMessage.filter(direction="in", message_id=entry["message_id"]).first())
    assert row.status == "rejected" and row.error_code == "BAD_SIGNATURE"
    assert not await HouseTransaction.filter(buyer_id_number_idx=blind_index(buyer)).exists()


async def test_the_page_lists_messages_and_its_forms_push_events(sbx):
    person = make_id_number(born="19970707")
    r = await sbx.post("/sandbox/access/events", data={"person_id_number": person, "door": "表单门", "count": "1",
                                                        "person_name": ""})
    assert r.status_code == 303 and r.headers["location"].startswith("/sandbox/exchange?note=")
    await eventually(lambda: _events(blind_index(person), 1))
    page = (await sbx.get("/sandbox/exchange")).text
    for form in ("payment-form", "access-form", "contract-form", "case-form"):
        assert f'id="{form}"' in page
    assert "access.events" in page and "门禁监控" in page and "陈建华" in page
    home = (await sbx.get("/sandbox/")).text
    assert "数据交换报文" in home and "access.events" in home
