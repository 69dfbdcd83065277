"""INT-16 住房云链签: chain signing (链签署), chain payment (链支付) and chain sharing (链共享)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, Fen, Message, Name, PersonRef, Reply, call

PARTNER = "housing_chain_sign"
T_CHAIN_SIGN = "chain.sign"
T_CHAIN_PAY = "chain.pay"
T_CHAIN_SHARE = "chain.share"
Sha256 = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256（小写十六进制）")


class Signer(PersonRef):
    role: Literal["lessor", "lessee", "co_lessee", "witness"]


class SignRequest(Message):
    document_no: str = Field(min_length=1, max_length=64, description="文书编号，如合同号")
    document_type: Literal["lease", "lease_amendment", "certificate", "receipt"]
    document_sha256: str = Sha256
    signers: list[Signer] = Field(min_length=1, max_length=10)


class SignResult(Reply):
    document_no: str
    chain_tx_id: str = Field(description="上链交易号")
    block_height: int = Field(ge=0)
    signed_at: datetime
    document_sha256: str


class PayRequest(Message):
    business_no: str = Field(min_length=1, max_length=64)
    purpose: Literal["deposit", "rent"]
    amount_fen: int = Field(gt=0)
    payer: PersonRef
    payee_name: Name


class PayResult(Reply):
    business_no: str
    pay_order_no: str
    status: Literal["pending", "paid", "failed"]
    amount_fen: Fen
    pay_url: str | None = Field(None, description="待支付时的支付页面地址")
    paid_at: datetime | None = None
    failure_reason: str | None = None


class ShareRequest(Message):
    business_no: str = Field(min_length=1, max_length=64)
    data_type: Literal["lease", "payment", "receipt", "certificate"]
    payload_sha256: str = Sha256
    receivers: list[str] = Field(min_length=1, max_length=20, description="接收单位编码")


class ShareResult(Reply):
    share_id: str
    shared_at: datetime
    receivers: list[str]


async def sign(client: ExchangeClient, request: SignRequest, *, timeout: float = DEFAULT_TIMEOUT) -> SignResult:
    result = await call(client, PARTNER, T_CHAIN_SIGN, request, SignResult, timeout=timeout,
                        business_no=request.document_no)
    if result.document_no != request.document_no or result.document_sha256 != request.document_sha256:
        raise PartnerError("BAD_RESPONSE", "住房云链签返回的签署结果与请求不一致")
    return result


async def pay(client: ExchangeClient, request: PayRequest, *, timeout: float = DEFAULT_TIMEOUT) -> PayResult:
    result = await call(client, PARTNER, T_CHAIN_PAY, request, PayResult, timeout=timeout,
                        business_no=request.business_no)
    if result.business_no != request.business_no or result.amount_fen != request.amount_fen:
        raise PartnerError("BAD_RESPONSE", "住房云链签返回的支付结果与请求不一致")
    return result


async def share(client: ExchangeClient, request: ShareRequest, *, timeout: float = DEFAULT_TIMEOUT) -> ShareResult:
    result = await call(client, PARTNER, T_CHAIN_SHARE, request, ShareResult, timeout=timeout,
                        business_no=request.business_no)
    if sorted(result.receivers) != sorted(request.receivers):
        raise PartnerError("BAD_RESPONSE", "住房云链签返回的共享对象与请求不一致")
    return result
