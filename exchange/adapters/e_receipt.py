"""INT-11 电子票据: ask for a fiscal e-receipt; get its number and the URL where it can be viewed."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, Fen, Message, Name, Reply, call

PARTNER = "e_receipt"
T_RECEIPT_ISSUE = "receipt.issue"


class ReceiptItem(Message):
    name: str = Field(min_length=1, max_length=64, description="项目名称，如 租金")
    amount_fen: int = Field(gt=0)


class ReceiptRequest(Message):
    business_no: str = Field(min_length=1, max_length=64, description="收款业务编号；同一编号只开一张票")
    payer_name: Name
    payer_id_number: str | None = Field(None, max_length=18)
    payee_name: Name = Field(description="收款单位")
    amount_fen: int = Field(gt=0)
    items: list[ReceiptItem] = Field(min_length=1, max_length=20)
    paid_at: datetime

    @model_validator(mode="after")
    def _items_add_up(self) -> "ReceiptRequest":
        if sum(i.amount_fen for i in self.items) != self.amount_fen:
            raise ValueError("票据明细金额之和与总金额不符")
        return self


class Receipt(Reply):
    business_no: str
    receipt_no: str = Field(description="票据号码")
    receipt_code: str = Field(description="票据代码")
    check_code: str = Field(description="校验码")
    amount_fen: Fen
    issued_at: datetime
    view_url: str = Field(description="票据查看地址")


async def issue(client: ExchangeClient, request: ReceiptRequest, *, timeout: float = DEFAULT_TIMEOUT) -> Receipt:
    result = await call(client, PARTNER, T_RECEIPT_ISSUE, request, Receipt, timeout=timeout,
                        business_no=request.business_no)
    if result.business_no != request.business_no or result.amount_fen != request.amount_fen:
        raise PartnerError("BAD_RESPONSE", "电子票据系统返回的票据与请求不一致")
    if not result.view_url.startswith(("https://", "http://")):
        raise PartnerError("BAD_RESPONSE", "电子票据系统返回的查看地址无效")
    return result
