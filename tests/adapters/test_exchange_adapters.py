"""Every partner adapter against the live sandbox, over the real envelope and RabbitMQ, plus the faults
the platform must survive: a partner that never answers, answers with an error, signs wrongly,
or answers twice.

The client here is the platform side in this process (its own reply queue on the test vhost);
the sandbox process stands in for every partner.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from redis.asyncio import Redis

from exchange.adapters import (
    banks,
    civil_affairs,
    e_receipt,
    housing_chain_sign,
    market_regulation,
    police,
    real_estate_registry,
    real_estate_trading,
    social_insurance,
    tax,
    vehicle,
)
from exchange.adapters.base import PersonRef
from exchange.client import ExchangeClient, ExchangeRejected, ExchangeTimeout, PartnerError
from exchange.keys import Keyring
from exchange.transport import Transport
from sandbox import data
from tests.helpers import make_id_number

SH = timedelta(hours=8)
CHEN = data.id_number("44070319850312101")  # property in 蓬江区
LIANG = data.id_number("44070419790905213")  # two properties
LI = data.id_number("44070519820720315")  # legal representative
WANG = data.id_number("36010219950417422")  # non-resident, 6 months insured
HUANG = data.id_number("44078119700228534")  # 低保
WU = data.id_number("44078319880808645")  # car
ZHAO = data.id_number("44078419920101756")  # police name 赵丽娟
SUN = data.id_number("44078520000229867")  # not in the police register
ZHOU = data.id_number("44070319800615978")  # high income
LIU, ZHANG = data.id_number("44070319900520123"), data.id_number("44070319910808224")  # married
LIN = data.id_number("44070419960901442")  # never insured


@pytest.fixture(scope="session")
async def xclient(sandbox):  # noqa: ANN001
    keyring = Keyring.load(os.environ["EXCHANGE_KEYRING"])
    transport = await Transport.connect(os.environ["AMQP_URL"], os.environ["EXCHANGE_PREFIX"])
    redis = Redis.from_url(os.environ["REDIS_URL"])
    client = await ExchangeClient(keyring, transport, redis).start()
    yield client
    await transport.close()
    await redis.aclose()


@pytest.fixture
async def sbx(sandbox):  # noqa: ANN001
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as c:
        yield c


@pytest.fixture
async def fault(sbx):  # noqa: ANN001
    """fault(partner, **settings): set a sandbox fault, cleared after the test whatever happens."""
    set_for = []

    async def set_(partner: str, **kw) -> None:  # noqa: ANN003
        r = await sbx.post(f"/sandbox/faults/{partner}", json=kw)
        assert r.status_code == 200, r.text
        set_for.append(partner)
    yield set_
    for p in set_for:
        assert (await sbx.delete(f"/sandbox/faults/{p}")).status_code == 200


def previous_months(n: int) -> list[str]:
    today = (datetime.now(UTC) + SH).date()
    y, m, out = today.year, today.month, []
    for _ in range(n):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(f"{y:04d}-{m:02d}")
    return out[::-1]


# ---------------------------------------------------------------- INT-01 … INT-07: queries

@pytest.mark.feature("INT-01", "DATA-03")
async def test_properties_of_applicant_and_co_applicants(xclient):
    other = make_id_number(born="19930304")
    result = await real_estate_registry.query_properties(
        xclient, [PersonRef(name="陈建华", id_number=CHEN), PersonRef(name="梁志强", id_number=LIANG),
                  PersonRef(name="新申请人", id_number=other)])
    assert result.holders == [CHEN, LIANG]
    [flat] = result.for_person(CHEN)
    assert flat.district_code == "440703" and flat.building_area == Decimal("89.50")
    assert flat.registered_on == date(2019, 6, 18) and flat.ownership == "sole" and len(flat.register_id) == 28
    assert {p.usage for p in result.for_person(LIANG)} == {"住宅", "商业"}
    assert result.for_person(other) == []


@pytest.mark.feature("INT-02", "DATA-03")
async def test_income_by_month(xclient):
    ordinary = make_id_number(born="19880606")
    r = await tax.income(xclient, ordinary, 12)
    assert [m.month for m in r.months] == previous_months(12)
    assert all(300_000 <= m.income_fen <= 1_000_000 for m in r.months)
    assert all(m.tax_fen == data.monthly_tax_fen(m.income_fen) for m in r.months)
    again = await tax.income(xclient, ordinary, 12)
    assert again.months == r.months  # deterministic per ID number

    six = await tax.income(xclient, WANG, 12)
    assert [m.month for m in six.months] == previous_months(6) and six.total_income_fen > 0
    high = await tax.income(xclient, ZHOU, 3)
    assert high.average_monthly_income_fen(3) > 2_600_000 and high.total_tax_fen > 0
    assert (await tax.income(xclient, LIN, 12)).months == []


@pytest.mark.feature("INT-03", "DATA-03")
async def test_social_insurance_months_and_employer(xclient):
    s = await social_insurance.status(xclient, WANG)
    assert (s.status, s.months_paid_jiangmen, s.continuous_months) == ("active", 6, 6)
    assert s.current_employer is not None and s.current_employer.name == "江门市恒达电子有限公司"
    assert s.last_paid_month == previous_months(1)[0]
    none = await social_insurance.status(xclient, LIN)
    assert (none.status, none.months_paid_jiangmen, none.current_employer) == ("none", 0, None)


@pytest.mark.feature("INT-04", "DATA-03")
async def test_hukou_and_identity_check(xclient):
    local = make_id_number(region="440705", born="19910101")
    h = await police.hukou(xclient, local, "江门人")
    assert h.in_jiangmen and h.region_code == "440705" and h.address.startswith("广东省江门市新会区")
    assert h.name == "江门人" and h.birth_date == date(1991, 1, 1)
    outsider = await police.hukou(xclient, WANG, "王芳")
    assert not outsider.in_jiangmen and outsider.region_code == "360102" and outsider.gender == "F"

    assert (await police.identity_check(xclient, "江门人", local)).match
    wrong = await police.identity_check(xclient, "赵丽华", ZHAO)
    assert (wrong.match, wrong.result) == (False, "name_mismatch")
    assert (await police.identity_check(xclient, "赵丽娟", ZHAO)).match
    assert (await police.identity_check(xclient, "孙浩然", SUN)).result == "not_found"
    with pytest.raises(PartnerError) as e:
        await police.hukou(xclient, SUN, "孙浩然")
    assert e.value.code == "NOT_FOUND" and e.value.message == "查无此人"


@pytest.mark.feature("INT-05", "DATA-03")
async def test_marital_status_and_subsistence_allowance(xclient):
    poor = await civil_affairs.status(xclient, HUANG)
    assert poor.subsistence_allowance and poor.allowance_monthly_fen == 76_000
    assert poor.marital_status == "widowed" and poor.marital_status_zh == "丧偶"
    married = await civil_affairs.status(xclient, LIU)
    assert married.marital_status == "married" and married.spouse.id_number == ZHANG
    assert (await civil_affairs.status(xclient, ZHANG)).spouse.id_number == LIU
    single = await civil_affairs.status(xclient, make_id_number())
    assert (single.marital_status, single.subsistence_allowance, single.spouse) == ("single", False, None)


@pytest.mark.feature("INT-06")
async def test_legal_representative(xclient):
    rep = await market_regulation.legal_representative(xclient, LI)
    assert rep.is_legal_representative
    [company] = rep.companies
    assert company.name == "江门市明辉贸易有限公司" and company.credit_code.startswith("91440705")
    assert not (await market_regulation.legal_representative(xclient, make_id_number())).is_legal_representative


@pytest.mark.feature("INT-07", "DATA-03")
async def test_motor_vehicles(xclient):
    v = await vehicle.vehicles(xclient, WU)
    assert len(v.vehicles) == 2 and [x.plate_no for x in v.owned] == ["粤J·A8K25"]
    assert (await vehicle.vehicles(xclient, make_id_number())).vehicles == []


async def test_a_request_the_partner_finds_malformed_is_a_partner_error(xclient):
    # Bypass the adapter's own validation to see the partner's: it answers INVALID_REQUEST.
    with pytest.raises(PartnerError) as e:
        await xclient.request("tax", tax.T_INCOME_QUERY, {"id_number": "123", "months": 3})
    assert e.value.code == "INVALID_REQUEST"
    with pytest.raises(PartnerError) as e:
        await xclient.request("tax", "no.such.type", {})
    assert e.value.code == "UNSUPPORTED_TYPE"


def test_adapters_refuse_bad_input_before_sending():
    with pytest.raises(ValueError):
        PersonRef(name="某人", id_number="440703199001011230")  # wrong check digit
    with pytest.raises(ValueError):
        tax.IncomeQuery(id_number=CHEN, months=0)


# ---------------------------------------------------------------- INT-10 banks: request side

@pytest.mark.feature("INT-10", "DATA-05")
async def test_withholding_instruction_is_accepted_or_refused(xclient):
    base = {"business_no": "ZD-20261126-0001", "payer_name": "刘洋", "amount_fen": 158_000,
            "collection_account": "44050166000800001234", "description": "2026年11月租金"}
    ok = await banks.withhold(xclient, "bank_ccb", banks.WithholdingInstruction(
        instruction_no="DK-1", payer_account="6217000010001234567", **base))
    assert ok.accepted and ok.instruction_no == "DK-1"
    refused = await banks.withhold(xclient, "bank_abc", banks.WithholdingInstruction(
        instruction_no="DK-2", payer_account="6228480000000000", **base))
    assert not refused.accepted and refused.reason == "扣款账户不存在"
    with pytest.raises(ValueError):
        await banks.withhold(xclient, "bank_xyz", banks.WithholdingInstruction(
            instruction_no="DK-3", payer_account="6217000010001234567", **base))


@pytest.mark.feature("INT-10", "DATA-05")
async def test_statement_query_returns_the_lines_of_paid_orders(xclient, sbx):
    account = f"4405016600{os.getpid() % 10**6:06d}0001"
    for n, amount in ((1, 120_000), (2, 99_000)):
        r = await sbx.post("/sandbox/banks/bank_boc/payments", json={
            "business_no": f"ZD-STMT-{n}", "amount_fen": amount, "collection_account": account})
        assert r.status_code == 200, r.text
    today = (datetime.now(UTC) + SH).date()
    st = await banks.statement(xclient, "bank_boc", account, today)
    assert [(x.business_no, x.amount_fen, x.direction) for x in st.lines] == \
        [("ZD-STMT-1", 120_000, "credit"), ("ZD-STMT-2", 99_000, "credit")]
    assert st.lines[-1].balance_fen == 219_000
    assert (await banks.statement(xclient, "bank_boc", account, today - timedelta(days=1))).lines == []


# ---------------------------------------------------------------- INT-11 e-receipts

@pytest.mark.feature("INT-11", "DATA-06")
async def test_e_receipt_number_and_view_url(xclient, sbx):
    req = e_receipt.ReceiptRequest(
        business_no=f"SK-{os.getpid()}-1", payer_name="刘洋", payee_name="江门市安居投资有限公司", amount_fen=168_000,
        items=[e_receipt.ReceiptItem(name="租金", amount_fen=158_000),
               e_receipt.ReceiptItem(name="物业费", amount_fen=10_000)],
        paid_at=datetime.now(UTC))
    receipt = await e_receipt.issue(xclient, req)
    assert len(receipt.receipt_no) == 10 and receipt.amount_fen == 168_000
    again = await e_receipt.issue(xclient, req)
    assert again.receipt_no == receipt.receipt_no  # one business number, one receipt
    page = await sbx.get(receipt.view_url.removeprefix(str(sbx.base_url).rstrip("/")))
    assert page.status_code == 200 and receipt.receipt_no in page.text and "1680.00" in page.text
    with pytest.raises(PartnerError) as e:
        await e_receipt.issue(xclient, req.model_copy(update={"amount_fen": 158_000, "items": req.items[:1]}))
    assert e.value.code == "DUPLICATE_BUSINESS_NO"
    with pytest.raises(ValueError):
        e_receipt.ReceiptRequest(**{**req.model_dump(), "amount_fen": 1})  # items no longer add up


# ---------------------------------------------------------------- INT-16 housing chain sign

@pytest.mark.feature("INT-16")
async def test_chain_sign_pay_and_share(xclient):
    digest = hashlib.sha256(b"lease contract pdf").hexdigest()
    signed = await housing_chain_sign.sign(xclient, housing_chain_sign.SignRequest(
        document_no="HT-20261126-0001", document_type="lease", document_sha256=digest,
        signers=[housing_chain_sign.Signer(name="刘洋", id_number=LIU, role="lessee")]))
    assert len(signed.chain_tx_id) == 64 and signed.block_height > 1_000_000
    paid = await housing_chain_sign.pay(xclient, housing_chain_sign.PayRequest(
        business_no="YJ-20261126-0001", purpose="deposit", amount_fen=316_000,
        payer=PersonRef(name="刘洋", id_number=LIU), payee_name="江门市安居投资有限公司"))
    assert paid.status == "paid" and paid.pay_order_no.startswith("LZF")
    too_much = await housing_chain_sign.pay(xclient, housing_chain_sign.PayRequest(
        business_no="YJ-20261126-0002", purpose="rent", amount_fen=6_000_000,
        payer=PersonRef(name="刘洋", id_number=LIU), payee_name="江门市安居投资有限公司"))
    assert too_much.status == "failed" and "限额" in too_much.failure_reason
    shared = await housing_chain_sign.share(xclient, housing_chain_sign.ShareRequest(
        business_no="HT-20261126-0001", data_type="lease", payload_sha256=digest, receivers=["JMZJJ", "JMGJJ"]))
    assert shared.share_id.startswith("LGX") and sorted(shared.receivers) == ["JMGJJ", "JMZJJ"]


# ---------------------------------------------------------------- REA-01, REA-04

@pytest.mark.feature("REA-01", "DATA-02")
async def test_unit_table_pull(xclient):
    table = await real_estate_trading.unit_table(xclient, real_estate_trading.UnitTableQuery(keyword="保障公寓"))
    [project] = table.projects
    assert project.project_code == "JMP0001" and [b.name for b in project.buildings] == ["1栋", "2栋"]
    units = [u for b in project.buildings for u in b.units]
    assert len(units) == 96 and all(u.category == "arh" and len(u.register_id) == 28 for u in units)
    assert len({u.register_id for u in units}) == 96
    arh = await real_estate_trading.unit_table(xclient, real_estate_trading.UnitTableQuery(
        district_code="440705", arh_only=True))
    assert arh.projects == []
    with pytest.raises(ValueError):
        real_estate_trading.UnitTableQuery()


@pytest.mark.feature("REA-04")
async def test_lease_filing_returns_a_filing_code(xclient):
    rid = data.register_id(data.PROJECTS[0], 1, 3, 2)
    req = real_estate_trading.LeaseFilingRequest(
        lease_no="HT-20261126-0007", lessor=real_estate_trading.Lessor(
            name="江门市安居投资有限公司", credit_code=data.PROJECTS[0].developer_credit_code),
        lessee_name="刘洋", lessee_id_number=LIU, register_id=rid, address="江门市蓬江区白沙大道西88号1栋302",
        building_area=Decimal("68.90"), monthly_rent_fen=158_000, start_date=date(2026, 12, 1),
        end_date=date(2027, 11, 30), signed_on=date(2026, 11, 26))
    filed = await real_estate_trading.file_lease(xclient, req)
    assert filed.filing_code.startswith("JMZL2026") and len(filed.filing_code) == 16
    assert (await real_estate_trading.file_lease(xclient, req)).filing_code == filed.filing_code
    with pytest.raises(PartnerError) as e:
        await real_estate_trading.file_lease(xclient, req.model_copy(update={"register_id": "4" * 28}))
    assert e.value.code == "UNIT_NOT_FOUND"


# ---------------------------------------------------------------- faults

async def test_a_partner_that_never_answers_times_out(xclient, fault):
    await fault("vehicle", drop=True)
    with pytest.raises(ExchangeTimeout):
        await vehicle.vehicles(xclient, WU, timeout=1.5)


async def test_a_slow_partner_answers_within_a_longer_timeout_and_times_out_a_short_one(xclient, fault):
    await fault("vehicle", delay_ms=1500)
    with pytest.raises(ExchangeTimeout):
        await vehicle.vehicles(xclient, WU, timeout=0.5)
    v = await vehicle.vehicles(xclient, WU, timeout=5)
    assert v.owned[0].plate_no == "粤J·A8K25"


async def test_a_partner_error_carries_the_partners_code(xclient, fault):
    await fault("social_insurance", error_code="SYSTEM_BUSY", error_message="社保系统维护中")
    with pytest.raises(PartnerError) as e:
        await social_insurance.status(xclient, WANG)
    assert (e.value.code, e.value.message) == ("SYSTEM_BUSY", "社保系统维护中")


async def test_a_corrupted_signature_is_rejected(xclient, fault):
    await fault("civil_affairs", corrupt_signature=True)
    with pytest.raises(ExchangeRejected) as e:
        await civil_affairs.status(xclient, HUANG)
    assert e.value.reason == "BAD_SIGNATURE"


async def test_a_duplicated_reply_is_ignored(xclient, fault, sbx):
    await fault("market_regulation", duplicate=True)
    first = await market_regulation.legal_representative(xclient, LI)
    assert first.is_legal_representative
    await asyncio.sleep(0.3)  # let the second copy arrive: it must not disturb the next call
    second = await market_regulation.legal_representative(xclient, make_id_number())
    assert not second.is_legal_representative
    log = (await sbx.get("/sandbox/exchange/messages", params={"partner": "market_regulation"})).json()["items"]
    assert any("重复发送" in m["detail"] for m in log if m["outcome"] == "replied")


async def test_fault_api_validates_and_names_partners(sbx):
    assert (await sbx.post("/sandbox/faults/nobody", json={"drop": True})).status_code == 404
    r = await sbx.post("/sandbox/faults/tax", json={"delay_ms": -5})
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_INPUT"
    assert "tax" not in (await sbx.get("/sandbox/faults")).json()["faults"]


def test_a_reply_that_does_not_fit_the_model_is_bad_response():
    from exchange.adapters.base import parse_inbound
    with pytest.raises(PartnerError) as e:
        parse_inbound("tax", tax.IncomeResult, {"id_number": CHEN, "months": [{"month": "2026-13", "income_fen": 1,
                                                                            "tax_fen": 0}]})
    assert e.value.code == "BAD_RESPONSE" and "税务" in e.value.message
    with pytest.raises(PartnerError):
        parse_inbound("police", police.Hukou, ["not", "an", "object"])
