"""INT-05 民政: marital status and subsistence allowance (低保)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, Fen, IdNumber, Message, Party, Reply, call

PARTNER = "civil_affairs"
T_STATUS_QUERY = "civil.status"
MARITAL_ZH = {"single": "未婚", "married": "已婚", "divorced": "离异", "widowed": "丧偶"}


class CivilQuery(Message):
    id_number: IdNumber


class CivilStatus(Reply):
    id_number: str
    marital_status: Literal["single", "married", "divorced", "widowed"]
    marital_registered_on: date | None = Field(None, description="最近一次婚姻登记（结婚或离婚）日期")
    spouse: Party | None = Field(None, description="配偶（已婚时）")
    subsistence_allowance: bool = Field(description="是否在享低保")
    allowance_since: date | None = None
    allowance_monthly_fen: Fen | None = Field(None, description="每月低保金（分）")

    @property
    def marital_status_zh(self) -> str:
        return MARITAL_ZH[self.marital_status]


async def status(client: ExchangeClient, id_number: str, *, timeout: float = DEFAULT_TIMEOUT,
                 business_no: str | None = None) -> CivilStatus:
    query = CivilQuery(id_number=id_number)
    result = await call(client, PARTNER, T_STATUS_QUERY, query, CivilStatus, timeout=timeout,
                        business_no=business_no)
    if result.id_number != query.id_number or (result.marital_status == "married") != (result.spouse is not None):
        raise PartnerError("BAD_RESPONSE", "民政系统返回的数据与查询不一致")
    return result
