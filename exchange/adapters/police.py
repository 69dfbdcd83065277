"""INT-04 公安: registered residence (户籍) and the name + ID number identity check."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, IdNumber, Message, Name, Reply, call

PARTNER = "police"
T_HUKOU_QUERY = "hukou.query"
T_IDENTITY_CHECK = "identity.check"


class HukouQuery(Message):
    id_number: IdNumber
    name: Name


class Hukou(Reply):
    id_number: str
    name: str = Field(description="户籍登记姓名")
    gender: Literal["M", "F"]
    birth_date: date
    ethnicity: str = Field(description="民族")
    address: str = Field(description="户籍地址")
    region_code: str = Field(description="户籍地行政区划代码（6位）")
    in_jiangmen: bool = Field(description="是否江门市户籍")
    moved_in_on: date | None = Field(None, description="迁入现户籍地日期；出生登记为空")


class IdentityCheck(Message):
    name: Name
    id_number: IdNumber


class IdentityCheckResult(Reply):
    result: Literal["match", "name_mismatch", "not_found"] = Field(
        description="match 一致 / name_mismatch 姓名与号码不一致 / not_found 查无此人")
    message: str = Field(description="核查结论（中文）")

    @property
    def match(self) -> bool:
        return self.result == "match"


async def hukou(client: ExchangeClient, id_number: str, name: str, *, timeout: float = DEFAULT_TIMEOUT,
                business_no: str | None = None) -> Hukou:
    """The person's registered residence; PartnerError("NOT_FOUND") when the register has no such person."""
    query = HukouQuery(id_number=id_number, name=name)
    result = await call(client, PARTNER, T_HUKOU_QUERY, query, Hukou, timeout=timeout, business_no=business_no)
    if result.id_number != query.id_number:
        raise PartnerError("BAD_RESPONSE", "公安系统返回的人员与查询的人员不一致")
    return result


async def identity_check(client: ExchangeClient, name: str, id_number: str, *, timeout: float = DEFAULT_TIMEOUT,
                         business_no: str | None = None) -> IdentityCheckResult:
    return await call(client, PARTNER, T_IDENTITY_CHECK, IdentityCheck(name=name, id_number=id_number),
                      IdentityCheckResult, timeout=timeout, business_no=business_no)
