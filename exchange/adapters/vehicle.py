"""INT-07 车辆管理: motor vehicles registered to the person."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, IdNumber, Message, Reply, call

PARTNER = "vehicle"
T_VEHICLE_QUERY = "vehicle.query"


class VehicleQuery(Message):
    id_number: IdNumber


class Vehicle(Reply):
    plate_no: str = Field(description="号牌号码，如 粤J·A8K25")
    vehicle_type: str = Field(description="车辆类型，如 小型轿车")
    brand: str = Field(description="品牌型号")
    registered_on: date = Field(description="初次登记日期")
    status: Literal["normal", "mortgaged", "scrapped", "transferred"] = Field(
        description="normal 正常 / mortgaged 抵押 / scrapped 报废 / transferred 已转出")


class VehicleResult(Reply):
    id_number: str
    vehicles: list[Vehicle]

    @property
    def owned(self) -> list[Vehicle]:
        """Vehicles the person still holds."""
        return [v for v in self.vehicles if v.status in ("normal", "mortgaged")]


async def vehicles(client: ExchangeClient, id_number: str, *, timeout: float = DEFAULT_TIMEOUT,
                   business_no: str | None = None) -> VehicleResult:
    query = VehicleQuery(id_number=id_number)
    result = await call(client, PARTNER, T_VEHICLE_QUERY, query, VehicleResult, timeout=timeout,
                        business_no=business_no)
    if result.id_number != query.id_number:
        raise PartnerError("BAD_RESPONSE", "车辆管理系统返回的人员与查询的人员不一致")
    return result
