"""INT-03 社保: months paid in Jiangmen and the current employer."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, IdNumber, Message, Month, Reply, call

PARTNER = "social_insurance"
T_STATUS_QUERY = "insurance.status"


class InsuranceQuery(Message):
    id_number: IdNumber


class Employer(Reply):
    name: str
    credit_code: str = Field(description="统一社会信用代码")


class InsuranceStatus(Reply):
    id_number: str
    status: Literal["active", "suspended", "none"] = Field(description="active 正常参保 / suspended 暂停缴费 / none 未参保")
    months_paid_jiangmen: int = Field(ge=0, description="在江门累计缴费月数")
    continuous_months: int = Field(ge=0, description="截至最近缴费月的连续缴费月数")
    first_paid_month: Month | None = None
    last_paid_month: Month | None = None
    current_employer: Employer | None = Field(None, description="当前参保单位；灵活就业或未参保为空")


async def status(client: ExchangeClient, id_number: str, *, timeout: float = DEFAULT_TIMEOUT,
                 business_no: str | None = None) -> InsuranceStatus:
    query = InsuranceQuery(id_number=id_number)
    result = await call(client, PARTNER, T_STATUS_QUERY, query, InsuranceStatus, timeout=timeout,
                        business_no=business_no)
    if result.id_number != query.id_number or result.continuous_months > result.months_paid_jiangmen:
        raise PartnerError("BAD_RESPONSE", "社保系统返回的数据与查询不一致")
    return result
