"""INT-01 不动产登记: properties held city-wide by the applicant and each co-applicant."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient

from .base import DEFAULT_TIMEOUT, Area, Message, PersonRef, Reply, call, check_persons_answered

PARTNER = "real_estate_registry"
T_PROPERTY_QUERY = "property.query"


class PropertyQuery(Message):
    persons: list[PersonRef] = Field(min_length=1, max_length=20, description="申请人及共同申请人")
    purpose: str = Field("保障性租赁住房资格审核", max_length=64, description="查询用途")


class Property(Reply):
    certificate_no: str = Field(description="不动产权证书号")
    register_id: str = Field(description="不动产单元号（28位）")
    address: str = Field(description="坐落")
    district_code: str = Field(description="所在区（市）行政区划代码")
    usage: str = Field(description="用途，如 住宅、商业")
    building_area: Area = Field(description="建筑面积（平方米）")
    registered_on: date = Field(description="登记日期")
    ownership: Literal["sole", "joint"] = Field(description="sole 单独所有 / joint 共同共有或按份共有")
    share: str = Field("", description="共有份额，单独所有为空")


class PersonProperties(Reply):
    id_number: str
    name: str
    properties: list[Property]


class PropertyQueryResult(Reply):
    persons: list[PersonProperties]
    queried_at: datetime

    def for_person(self, id_number: str) -> list[Property]:
        return next((p.properties for p in self.persons if p.id_number == id_number.upper()), [])

    @property
    def holders(self) -> list[str]:
        """ID numbers of the people who hold at least one property."""
        return [p.id_number for p in self.persons if p.properties]


async def query_properties(client: ExchangeClient, persons: list[PersonRef], *,
                           timeout: float = DEFAULT_TIMEOUT, business_no: str | None = None) -> PropertyQueryResult:
    query = PropertyQuery(persons=persons)
    result = await call(client, PARTNER, T_PROPERTY_QUERY, query, PropertyQueryResult, timeout=timeout,
                        business_no=business_no)
    check_persons_answered(PARTNER, [p.id_number for p in query.persons], [p.id_number for p in result.persons])
    return result
