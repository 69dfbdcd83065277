"""The partner stand-ins: every partner system of the exchange, and the REA side, in one process.

Each partner consumes its own queue, opens envelopes with its keys from the keyring, answers
requests from `sandbox.data` and records pushes. What it receives and sends is kept in Redis
(the last MAX_LOG messages) for the page and for tests. Faults per partner, also in Redis, make
it delay, drop, duplicate, corrupt its signature or answer with a partner error, so tests can
drive every failure the platform must survive.

`handle(ctx, partner, type, body)` is the pure part: request body in, reply body out.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from redis.asyncio import Redis

from exchange.adapters import (
    accounting,
    banks,
    civil_affairs,
    e_receipt,
    gov_service_platform,
    housing_chain_sign,
    market_regulation,
    mohurd,
    police,
    real_estate_registry,
    real_estate_trading,
    smart_community,
    social_insurance,
    tax,
    vehicle,
)
from exchange.client import push_to_platform, seal_reply
from exchange.envelope import EnvelopeRejected, Header, open_, redis_replay_guard, seal
from exchange.keys import Keyring
from exchange.partners import BANKS, PARTNERS, PLATFORM
from exchange.transport import Transport

from . import data

log = logging.getLogger("arh.sandbox.partners")

KEY = "sandbox:exchange:"
LOG_KEY = f"{KEY}log"
MAX_LOG = 500
SHANGHAI = timedelta(hours=8)


# ---------------------------------------------------------------- faults

class Fault(BaseModel):
    """How a partner misbehaves until the fault is cleared."""
    delay_ms: int = Field(0, ge=0, le=120_000, description="answer (or push) this much later")
    drop: bool = Field(False, description="take the message and never answer; drop pushes")
    duplicate: bool = Field(False, description="send each reply / push twice, byte for byte")
    corrupt_signature: bool = Field(False, description="flip a byte of the SM2 signature")
    error_code: str | None = Field(None, max_length=32, description="answer every request with this partner error")
    error_message: str = Field("对方系统暂时无法处理该业务", max_length=200)

    @property
    def active(self) -> bool:
        return bool(self.delay_ms or self.drop or self.duplicate or self.corrupt_signature or self.error_code)


def _fault_key(partner: str) -> str:
    return f"{KEY}fault:{partner}"


async def set_fault(redis: Redis, partner: str, fault: Fault) -> None:
    await redis.set(_fault_key(partner), fault.model_dump_json())


async def clear_fault(redis: Redis, partner: str) -> None:
    await redis.delete(_fault_key(partner))


async def get_fault(redis: Redis, partner: str) -> Fault:
    raw = await redis.get(_fault_key(partner))
    return Fault.model_validate_json(raw) if raw else Fault()


async def all_faults(redis: Redis) -> dict[str, Fault]:
    codes = list(PARTNERS)
    raws = await redis.mget([_fault_key(c) for c in codes])
    return {c: Fault.model_validate_json(r) for c, r in zip(codes, raws) if r}


# ---------------------------------------------------------------- message log

async def record(redis: Redis, *, direction: str, partner: str, type: str, outcome: str,  # noqa: A002
                 header: Header | None = None, body: Any = None, detail: str = "") -> dict[str, Any]:
    """direction: `in` from the platform to the partner, `out` from the partner to the platform."""
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "direction": direction, "partner": partner, "type": type, "outcome": outcome, "detail": detail,
        "message_id": header.message_id if header else None,
        "correlation_id": header.correlation_id if header else None,
        "business_no": header.business_no if header else None,
        "body": body,
    }
    async with redis.pipeline(transaction=True) as pipe:
        pipe.lpush(LOG_KEY, json.dumps(entry, ensure_ascii=False, default=str))
        pipe.ltrim(LOG_KEY, 0, MAX_LOG - 1)
        await pipe.execute()
    return entry


async def messages(redis: Redis, *, partner: str | None = None, type: str | None = None,  # noqa: A002
                   business_no: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first, filtered."""
    out = []
    for raw in await redis.lrange(LOG_KEY, 0, MAX_LOG - 1):
        m = json.loads(raw)
        if (partner and m["partner"] != partner) or (type and m["type"] != type) \
                or (business_no and m["business_no"] != business_no):
            continue
        out.append(m)
        if len(out) >= limit:
            break
    return out


# ---------------------------------------------------------------- request handlers (pure part)

class PartnerFault(Exception):
    """The partner refuses: the reply is {"ok": false, "error": {code, message}}."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class Ctx:
    redis: Redis
    public_url: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Set by the running partner process: sends a push to the platform after a delay.
    later: Callable[[float, str, str, dict, str | None], None] | None = None

    @property
    def today(self) -> date:
        return (self.now + SHANGHAI).date()

    def iso(self) -> str:
        return self.now.isoformat(timespec="seconds")


Handler = Callable[[Ctx, str, Any], Awaitable[dict[str, Any] | None]]
HANDLERS: dict[tuple[str, str], tuple[type[BaseModel], Handler]] = {}


def handles(partners: str | tuple[str, ...], type_: str, model: type[BaseModel]):  # noqa: ANN201
    def register(fn: Handler) -> Handler:
        for p in (partners,) if isinstance(partners, str) else partners:
            HANDLERS[(p, type_)] = (model, fn)
        return fn
    return register


@handles(real_estate_registry.PARTNER, real_estate_registry.T_PROPERTY_QUERY, real_estate_registry.PropertyQuery)
async def _properties(ctx: Ctx, partner: str, q: real_estate_registry.PropertyQuery) -> dict:
    return {"persons": data.properties([p.model_dump() for p in q.persons]), "queried_at": ctx.iso()}


@handles(tax.PARTNER, tax.T_INCOME_QUERY, tax.IncomeQuery)
async def _income(ctx: Ctx, partner: str, q: tax.IncomeQuery) -> dict:
    return {"id_number": q.id_number, "months": data.income(q.id_number, q.months, ctx.today)}


@handles(social_insurance.PARTNER, social_insurance.T_STATUS_QUERY, social_insurance.InsuranceQuery)
async def _insurance(ctx: Ctx, partner: str, q: social_insurance.InsuranceQuery) -> dict:
    return data.insurance(q.id_number, ctx.today)


@handles(police.PARTNER, police.T_HUKOU_QUERY, police.HukouQuery)
async def _hukou(ctx: Ctx, partner: str, q: police.HukouQuery) -> dict:
    try:
        return data.hukou(q.id_number, q.name)
    except data.NotFound:
        raise PartnerFault("NOT_FOUND", "查无此人") from None


@handles(police.PARTNER, police.T_IDENTITY_CHECK, police.IdentityCheck)
async def _identity(ctx: Ctx, partner: str, q: police.IdentityCheck) -> dict:
    return data.identity(q.name, q.id_number)


@handles(civil_affairs.PARTNER, civil_affairs.T_STATUS_QUERY, civil_affairs.CivilQuery)
async def _civil(ctx: Ctx, partner: str, q: civil_affairs.CivilQuery) -> dict:
    return data.civil(q.id_number)


@handles(market_regulation.PARTNER, market_regulation.T_LEGAL_REP_QUERY, market_regulation.LegalRepQuery)
async def _legal_rep(ctx: Ctx, partner: str, q: market_regulation.LegalRepQuery) -> dict:
    return {"id_number": q.id_number, "companies": data.companies(q.id_number)}


@handles(vehicle.PARTNER, vehicle.T_VEHICLE_QUERY, vehicle.VehicleQuery)
async def _vehicles(ctx: Ctx, partner: str, q: vehicle.VehicleQuery) -> dict:
    return {"id_number": q.id_number, "vehicles": data.vehicles(q.id_number)}


async def _accept_push(ctx: Ctx, partner: str, m: BaseModel) -> None:
    """A push from the platform: validated, and recorded in the log (which tests read); no reply."""
    return None


for _partner, _type, _model in [
    (gov_service_platform.PARTNER, gov_service_platform.T_CASE_RESULT, gov_service_platform.CaseResult),
    (mohurd.PARTNER, mohurd.T_REPORT_UNITS, mohurd.UnitReport),
    (mohurd.PARTNER, mohurd.T_REPORT_BENEFICIARIES, mohurd.BeneficiaryReport),
    (mohurd.PARTNER, mohurd.T_REPORT_LEASES, mohurd.LeaseReport),
    (accounting.PARTNER, accounting.T_RENT_COLLECTION, accounting.RentCollection),
    (smart_community.PARTNER, smart_community.T_BENEFICIARIES, smart_community.BeneficiarySync),
    (smart_community.PARTNER, smart_community.T_UNITS, smart_community.UnitSync),
]:
    handles(_partner, _type, _model)(_accept_push)


# ---------------------------------------------------------------- INT-10 banks

def _order_key(bank: str, business_no: str) -> str:
    return f"{KEY}order:{bank}:{business_no}"


def _statement_key(bank: str, account: str, day: date) -> str:
    return f"{KEY}statement:{bank}:{account}:{day.isoformat()}"


@handles(BANKS, banks.T_COLLECTION_ORDER, banks.CollectionOrder)
async def _collection_order(ctx: Ctx, bank: str, order: banks.CollectionOrder) -> None:
    # Kept so the page and the payment trigger can pay it with the right amount and account.
    await ctx.redis.set(_order_key(bank, order.business_no), order.model_dump_json(), ex=30 * 86400)
    return None


async def order(redis: Redis, bank: str, business_no: str) -> banks.CollectionOrder | None:
    raw = await redis.get(_order_key(bank, business_no))
    return banks.CollectionOrder.model_validate_json(raw) if raw else None


async def recent_orders(redis: Redis, limit: int = 20) -> list[tuple[str, banks.CollectionOrder]]:
    out = []
    async for key in redis.scan_iter(match=f"{KEY}order:*", count=200):
        raw = await redis.get(key)
        if raw:
            bank = key[len(f"{KEY}order:"):].split(":", 1)[0]
            out.append((bank, banks.CollectionOrder.model_validate_json(raw)))
        if len(out) >= limit:
            break
    return sorted(out, key=lambda x: x[1].business_no, reverse=True)


async def add_statement_line(redis: Redis, bank: str, account: str, *, amount_fen: int, direction: str,
                             counterparty_name: str, counterparty_account: str, summary: str,
                             business_no: str | None, at: datetime) -> dict[str, Any]:
    """Book a line on the account (the stand-in's ledger) and return it."""
    sign = 1 if direction == "credit" else -1
    balance = await redis.incrby(f"{KEY}balance:{bank}:{account}", sign * amount_fen)
    txn_no = f"{bank[5:].upper()}{(at + SHANGHAI):%Y%m%d}{data.digits(f'{account}:{at.isoformat()}:{business_no}', 10)}"
    line = {"txn_no": txn_no, "txn_at": at.isoformat(timespec="seconds"), "direction": direction,
            "amount_fen": amount_fen, "balance_fen": balance, "counterparty_name": counterparty_name,
            "counterparty_account": counterparty_account, "summary": summary, "business_no": business_no}
    key = _statement_key(bank, account, (at + SHANGHAI).date())
    await redis.rpush(key, json.dumps(line, ensure_ascii=False))
    await redis.expire(key, 90 * 86400)
    return line


@handles(BANKS, banks.T_STATEMENT_QUERY, banks.StatementQuery)
async def _statement(ctx: Ctx, bank: str, q: banks.StatementQuery) -> dict:
    lines = [json.loads(x) for x in await ctx.redis.lrange(_statement_key(bank, q.account_no, q.date), 0, -1)]
    return {"account_no": q.account_no, "date": q.date.isoformat(), "lines": lines}


@handles(BANKS, banks.T_WITHHOLDING_INSTRUCTION, banks.WithholdingInstruction)
async def _withholding(ctx: Ctx, bank: str, w: banks.WithholdingInstruction) -> dict:
    # Test accounts: ending 0000 does not exist (refused at once); ending 4 has too little money
    # (accepted, then the debit fails); any other account is debited.
    if w.payer_account.endswith("0000"):
        return {"instruction_no": w.instruction_no, "accepted": False, "reason": "扣款账户不存在"}
    expected = ctx.now + timedelta(seconds=1)
    if ctx.later is not None:
        ctx.later(1.0, bank, banks.T_WITHHOLDING_RESULT, {"instruction": w.model_dump(mode="json")}, w.business_no)
    return {"instruction_no": w.instruction_no, "accepted": True, "expected_by": expected.isoformat(timespec="seconds")}


async def withholding_result(redis: Redis, bank: str, w: banks.WithholdingInstruction, now: datetime) -> dict:
    """The debit's outcome, booked on the collection account when it succeeds."""
    if w.payer_account.endswith("4"):
        return {"instruction_no": w.instruction_no, "business_no": w.business_no, "status": "failed",
                "amount_fen": w.amount_fen, "failure_reason": "账户余额不足"}
    line = await add_statement_line(redis, bank, w.collection_account, amount_fen=w.amount_fen, direction="credit",
                                    counterparty_name=w.payer_name, counterparty_account=w.payer_account,
                                    summary=f"代扣 {w.description}", business_no=w.business_no, at=now)
    return {"instruction_no": w.instruction_no, "business_no": w.business_no, "status": "debited",
            "amount_fen": w.amount_fen, "bank_txn_no": line["txn_no"], "debited_at": line["txn_at"]}


# ---------------------------------------------------------------- INT-11 e-receipts

def _receipt_key(receipt_no: str) -> str:
    return f"{KEY}receipt:{receipt_no}"


@handles(e_receipt.PARTNER, e_receipt.T_RECEIPT_ISSUE, e_receipt.ReceiptRequest)
async def _receipt(ctx: Ctx, partner: str, r: e_receipt.ReceiptRequest) -> dict:
    # One business number, one receipt: asking again returns the receipt already issued.
    receipt_no = data.digits(r.business_no, 10, "receipt")
    existing = await ctx.redis.get(_receipt_key(receipt_no))
    if existing:
        stored = json.loads(existing)
        if stored["request"]["amount_fen"] != r.amount_fen:
            raise PartnerFault("DUPLICATE_BUSINESS_NO", "该业务编号已开具金额不同的票据")
        return stored["receipt"]
    code = f"4407{ctx.today:%y}01"
    check = hashlib.sha256(f"{code}{receipt_no}{r.amount_fen}".encode()).hexdigest()[:6].upper()
    receipt = {"business_no": r.business_no, "receipt_no": receipt_no, "receipt_code": code, "check_code": check,
               "amount_fen": r.amount_fen, "issued_at": ctx.iso(),
               "view_url": f"{ctx.public_url}/sandbox/e-receipt/{receipt_no}?check={check}"}
    await ctx.redis.set(_receipt_key(receipt_no), json.dumps(
        {"receipt": receipt, "request": r.model_dump(mode="json")}, ensure_ascii=False), ex=365 * 86400)
    return receipt


async def stored_receipt(redis: Redis, receipt_no: str) -> dict | None:
    raw = await redis.get(_receipt_key(receipt_no))
    return json.loads(raw) if raw else None


# ---------------------------------------------------------------- INT-16 housing chain sign

CHAIN_PAY_LIMIT_FEN = 5_000_000


@handles(housing_chain_sign.PARTNER, housing_chain_sign.T_CHAIN_SIGN, housing_chain_sign.SignRequest)
async def _chain_sign(ctx: Ctx, partner: str, r: housing_chain_sign.SignRequest) -> dict:
    height = await ctx.redis.incr(f"{KEY}chain:height")
    tx_id = hashlib.sha256(f"{r.document_no}:{r.document_sha256}:{height}".encode()).hexdigest()
    return {"document_no": r.document_no, "chain_tx_id": tx_id, "block_height": 1_000_000 + height,
            "signed_at": ctx.iso(), "document_sha256": r.document_sha256}


@handles(housing_chain_sign.PARTNER, housing_chain_sign.T_CHAIN_PAY, housing_chain_sign.PayRequest)
async def _chain_pay(ctx: Ctx, partner: str, r: housing_chain_sign.PayRequest) -> dict:
    order_no = f"LZF{ctx.today:%Y%m%d}{data.digits(r.business_no, 10, 'chainpay')}"
    if r.amount_fen > CHAIN_PAY_LIMIT_FEN:
        return {"business_no": r.business_no, "pay_order_no": order_no, "status": "failed",
                "amount_fen": r.amount_fen, "failure_reason": "超过单笔支付限额（5万元）"}
    return {"business_no": r.business_no, "pay_order_no": order_no, "status": "paid", "amount_fen": r.amount_fen,
            "paid_at": ctx.iso()}


@handles(housing_chain_sign.PARTNER, housing_chain_sign.T_CHAIN_SHARE, housing_chain_sign.ShareRequest)
async def _chain_share(ctx: Ctx, partner: str, r: housing_chain_sign.ShareRequest) -> dict:
    return {"share_id": f"LGX{data.digits(r.business_no + r.payload_sha256, 12, 'share')}",
            "shared_at": ctx.iso(), "receivers": r.receivers}


# ---------------------------------------------------------------- REA

@handles(real_estate_trading.PARTNER, real_estate_trading.T_UNIT_TABLE_QUERY, real_estate_trading.UnitTableQuery)
async def _unit_table(ctx: Ctx, partner: str, q: real_estate_trading.UnitTableQuery) -> dict:
    return data.unit_table(q.keyword, q.project_code, q.district_code, q.arh_only)


@handles(real_estate_trading.PARTNER, real_estate_trading.T_LEASE_FILING, real_estate_trading.LeaseFilingRequest)
async def _lease_filing(ctx: Ctx, partner: str, r: real_estate_trading.LeaseFilingRequest) -> dict:
    if r.register_id and data.find_unit(r.register_id) is None:
        raise PartnerFault("UNIT_NOT_FOUND", "楼盘表中没有该不动产单元号")
    # The same lease number always gets the same filing code, so a repeated filing is harmless.
    return {"lease_no": r.lease_no, "filing_code": f"JMZL{r.signed_on:%Y}{data.digits(r.lease_no, 8, 'filing')}",
            "filed_at": ctx.iso()}


def _error_message(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "报文"
    return f"请求报文不符合接口规范：{where} {err.get('msg', '')}"[:200]


async def handle(ctx: Ctx, partner: str, type_: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The reply body for a request (None for a push): {"ok": true, "data"} or {"ok": false, "error"}."""
    entry = HANDLERS.get((partner, type_))
    if entry is None:
        return {"ok": False, "error": {"code": "UNSUPPORTED_TYPE", "message": f"不支持的报文类型：{type_}"}}
    model, fn = entry
    try:
        request = model.model_validate(body)
    except ValidationError as e:
        return {"ok": False, "error": {"code": "INVALID_REQUEST", "message": _error_message(e)}}
    try:
        result = await fn(ctx, partner, request)
    except PartnerFault as e:
        return {"ok": False, "error": {"code": e.code, "message": e.message}}
    return None if result is None else {"ok": True, "data": result}


# ---------------------------------------------------------------- the running stand-ins

def corrupt(raw: bytes) -> bytes:
    """The same envelope with one bit of its signature flipped."""
    env = json.loads(raw)
    sig = bytearray(base64.b64decode(env["signature"]))
    sig[len(sig) // 2] ^= 0x01
    env["signature"] = base64.b64encode(bytes(sig)).decode()
    return json.dumps(env, ensure_ascii=False, separators=(",", ":")).encode()


class Partners:
    """All partner stand-ins over one RabbitMQ connection."""

    def __init__(self, transport: Transport, keyring: Keyring, redis: Redis, public_url: str):
        self.transport, self.keyring, self.redis, self.public_url = transport, keyring, redis, public_url
        self.replay = redis_replay_guard(redis)
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        for code in PARTNERS:
            await self.transport.consume(code, self._consumer(code))

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        await self.transport.close()

    def _consumer(self, partner: str):  # noqa: ANN202
        async def on_raw(raw: bytes, msg) -> None:  # noqa: ANN001
            await self.on_message(partner, raw, msg.reply_to)
        return on_raw

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def ctx(self) -> Ctx:
        return Ctx(redis=self.redis, public_url=self.public_url, later=self._later)

    def _later(self, seconds: float, partner: str, type_: str, payload: dict, business_no: str | None) -> None:
        async def run() -> None:
            await asyncio.sleep(seconds)
            if type_ == banks.T_WITHHOLDING_RESULT:
                w = banks.WithholdingInstruction.model_validate(payload["instruction"])
                body = await withholding_result(self.redis, partner, w, datetime.now(UTC))
            else:
                body = payload
            await self.push(partner, type_, body, business_no=business_no)
        self._spawn(run())

    async def on_message(self, partner: str, raw: bytes, reply_to: str | None) -> None:
        try:
            header, body = await open_(raw, self.keyring, receiver=partner, replay=self.replay)
        except EnvelopeRejected as e:
            log.warning("%s rejected a message: %s", partner, e)
            await record(self.redis, direction="in", partner=partner, type="?", outcome="rejected",
                         detail=f"{e.reason}: {e.message}")
            return
        fault = await get_fault(self.redis, partner)
        await record(self.redis, direction="in", partner=partner, type=header.type, outcome="received",
                     header=header, body=body)
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.drop:
            await record(self.redis, direction="out", partner=partner, type=header.type + ".reply",
                         outcome="dropped", header=header, detail="故障注入：不应答")
            return
        if fault.error_code and reply_to:
            reply = {"ok": False, "error": {"code": fault.error_code, "message": fault.error_message}}
        else:
            try:
                reply = await handle(self.ctx(), partner, header.type, body)
            except Exception:  # noqa: BLE001 - a stand-in bug must answer, not leave the platform hanging
                log.exception("%s failed on %s", partner, header.type)
                reply = {"ok": False, "error": {"code": "PARTNER_INTERNAL", "message": "对方系统内部错误"}}
        if reply is None or not reply_to:
            return
        rh, rraw = seal_reply(self.keyring, header, reply)
        if fault.corrupt_signature:
            rraw = corrupt(rraw)
        for _ in range(2 if fault.duplicate else 1):
            await self.transport.reply(reply_to, rraw, message_id=rh.message_id, correlation_id=header.message_id)
        await record(self.redis, direction="out", partner=partner, type=rh.type,
                     outcome="replied" if reply.get("ok") else "error", header=rh, body=reply,
                     detail=_fault_note(fault))

    async def push(self, partner: str, type_: str, body: dict[str, Any], *,
                   business_no: str | None = None) -> dict[str, Any]:
        """Send an event from the partner to the platform, faults applied. Returns the log entry."""
        fault = await get_fault(self.redis, partner)
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.drop:
            return await record(self.redis, direction="out", partner=partner, type=type_, outcome="dropped",
                                body=body, detail="故障注入：未发送")
        if not (fault.duplicate or fault.corrupt_signature):
            header = await push_to_platform(self.transport, self.keyring, partner, type_, body, business_no)
        else:
            header = Header(sender=partner, receiver=PLATFORM, partner=partner, type=type_,
                            key_id=self.keyring.active_key_id(partner), business_no=business_no)
            raw = seal(header, body, self.keyring)
            if fault.corrupt_signature:
                raw = corrupt(raw)
            for _ in range(2 if fault.duplicate else 1):
                await self.transport.publish(PLATFORM, raw, message_id=header.message_id)
        return await record(self.redis, direction="out", partner=partner, type=type_, outcome="pushed",
                            header=header, body=body, detail=_fault_note(fault))


def _fault_note(f: Fault) -> str:
    notes = []
    if f.delay_ms:
        notes.append(f"延迟{f.delay_ms}毫秒")
    if f.duplicate:
        notes.append("重复发送")
    if f.corrupt_signature:
        notes.append("签名被篡改")
    if f.error_code:
        notes.append(f"返回错误{f.error_code}")
    return "故障注入：" + "，".join(notes) if notes else ""


async def connect(amqp_url: str, prefix: str, keyring_path: str, redis: Redis, public_url: str) -> Partners:
    keyring = Keyring.load(keyring_path)
    transport = await Transport.connect(amqp_url, prefix)
    partners = Partners(transport, keyring, redis, public_url)
    await partners.start()
    return partners


from . import timestamp as _timestamp  # noqa: E402,F401 - registers the timestamp service's handler
