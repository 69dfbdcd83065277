"""INT-06 市场监督: companies the person is the legal representative (法定代表人) of."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, Fen, IdNumber, Message, Reply, call

PARTNER = "market_regulation"
T_LEGAL_REP_QUERY = "legal_rep.query"


class LegalRepQuery(Message):
    id_number: IdNumber


class Company(Reply):
    name: str
    credit_code: str = Field(description="统一社会信用代码")
    registered_on: date = Field(description="成立日期")
    status: Literal["active", "revoked", "cancelled"] = Field(description="active 存续 / revoked 吊销 / cancelled 注销")
    registered_capital_fen: Fen | None = Field(None, description="注册资本（分）")


class LegalRepResult(Reply):
    id_number: str
    companies: list[Company]

    @property
    def is_legal_representative(self) -> bool:
        """Of a company that still exists (a revoked licence still leaves the company in being)."""
        return any(c.status in ("active", "revoked") for c in self.companies)


async def legal_representative(client: ExchangeClient, id_number: str, *, timeout: float = DEFAULT_TIMEOUT,
                               business_no: str | None = None) -> LegalRepResult:
    query = LegalRepQuery(id_number=id_number)
    result = await call(client, PARTNER, T_LEGAL_REP_QUERY, query, LegalRepResult, timeout=timeout,
                        business_no=business_no)
    if result.id_number != query.id_number:
        raise PartnerError("BAD_RESPONSE", "市场监督系统返回的人员与查询的人员不一致")
    return result
