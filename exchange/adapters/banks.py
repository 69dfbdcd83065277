"""INT-10 银行 (工行, 农行, 中行, 建行, 农信社): one interface, five banks.

Out: collection orders (outbox push), withholding instructions and statement queries (request).
In:  payment results, statement lines and withholding results, stored by the inbox.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError
from exchange.partners import BANKS, PARTNERS

from .base import DEFAULT_TIMEOUT, Fen, Message, Name, Reply, call, push

T_COLLECTION_ORDER = "collection.order"  # outbound push
T_PAYMENT_RESULT = "payment.result"  # inbound
T_STATEMENT_LINES = "statement.lines"  # inbound push, and the reply to a statement query
T_STATEMENT_QUERY = "statement.query"  # request
T_WITHHOLDING_INSTRUCTION = "withholding.instruction"  # request: the bank accepts or refuses
T_WITHHOLDING_RESULT = "withholding.result"  # inbound, once the debit ran
BankAccount = Field(pattern=r"^\d{10,30}$", description="银行账号")


def _bank(code: str) -> str:
    if code not in BANKS:
        raise ValueError(f"不支持的银行：{code}")
    return code


def bank_name(code: str) -> str:
    return PARTNERS[_bank(code)].name


class CollectionOrder(Message):
    """Ask the bank to collect `amount_fen` for `business_no` into the community's collection account."""
    business_no: str = Field(min_length=1, max_length=64, description="收款业务编号（账单号）")
    amount_fen: int = Field(gt=0, description="应收金额（分）")
    collection_account: str = BankAccount
    payer_name: Name
    payer_id_number: str | None = Field(None, max_length=18)
    description: str = Field(max_length=128, description="摘要，如 2026年11月租金")
    due_date: date


class PaymentResult(Reply):
    business_no: str
    status: Literal["paid", "failed"]
    amount_fen: Fen
    bank_txn_no: str = Field(description="银行交易流水号")
    paid_at: datetime | None = None
    payer_account: str | None = None
    failure_reason: str | None = None


class StatementLine(Reply):
    txn_no: str = Field(description="银行交易流水号")
    txn_at: datetime
    direction: Literal["credit", "debit"] = Field(description="credit 收入 / debit 支出")
    amount_fen: Fen
    balance_fen: int = Field(description="交易后余额（分）")
    counterparty_name: str
    counterparty_account: str
    summary: str = Field(description="摘要")
    business_no: str | None = Field(None, description="能对应上的收款业务编号")


class StatementLines(Reply):
    account_no: str
    date: date
    lines: list[StatementLine]


class StatementQuery(Message):
    account_no: str = BankAccount
    date: date


class WithholdingInstruction(Message):
    instruction_no: str = Field(min_length=1, max_length=64, description="代扣指令编号")
    business_no: str = Field(min_length=1, max_length=64, description="账单号")
    payer_name: Name
    payer_account: str = BankAccount
    amount_fen: int = Field(gt=0)
    collection_account: str = BankAccount
    description: str = Field(max_length=128)


class WithholdingAccepted(Reply):
    instruction_no: str
    accepted: bool
    expected_by: datetime | None = Field(None, description="预计扣款完成时间")
    reason: str | None = None


class WithholdingResult(Reply):
    instruction_no: str
    business_no: str
    status: Literal["debited", "failed"]
    amount_fen: Fen
    bank_txn_no: str | None = None
    debited_at: datetime | None = None
    failure_reason: str | None = None


async def push_collection_order(tx: Any, bank: str, order: CollectionOrder) -> Any:
    return await push(tx, _bank(bank), T_COLLECTION_ORDER, order, business_no=order.business_no)


async def withhold(client: ExchangeClient, bank: str, instruction: WithholdingInstruction, *,
                   timeout: float = DEFAULT_TIMEOUT) -> WithholdingAccepted:
    """Send a debit instruction. The bank answers at once whether it took it; the debit's outcome
    arrives later as a `withholding.result` push."""
    result = await call(client, _bank(bank), T_WITHHOLDING_INSTRUCTION, instruction, WithholdingAccepted,
                        timeout=timeout, business_no=instruction.business_no)
    if result.instruction_no != instruction.instruction_no:
        raise PartnerError("BAD_RESPONSE", f"{bank_name(bank)}返回的指令编号与请求不一致")
    return result


async def statement(client: ExchangeClient, bank: str, account_no: str, day: date, *,
                    timeout: float = DEFAULT_TIMEOUT) -> StatementLines:
    """The account's lines for one day, fetched again on demand (reconciliation)."""
    result = await call(client, _bank(bank), T_STATEMENT_QUERY, StatementQuery(account_no=account_no, date=day),
                        StatementLines, timeout=timeout)
    if result.account_no != account_no or result.date != day:
        raise PartnerError("BAD_RESPONSE", f"{bank_name(bank)}返回的账户或日期与查询不一致")
    return result
