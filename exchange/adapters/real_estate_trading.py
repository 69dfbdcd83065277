"""REA: the city's real-estate trading system.

REA-01 unit table pull (楼盘表: projects, buildings, units with register ids);
REA-02 / REA-03 inbound sale contracts (new homes / second-hand), stored by the inbox as a
HouseTransaction; REA-04 lease filing (备案) returning the filing code.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, Area, Fen, IdNumber, Message, Name, Party, Reply, call

PARTNER = "real_estate_trading"
T_UNIT_TABLE_QUERY = "unit_table.query"
T_SALE_CONTRACT_NEW = "sale_contract.new"  # inbound, REA-02
T_SALE_CONTRACT_SECOND_HAND = "sale_contract.second_hand"  # inbound, REA-03
T_LEASE_FILING = "lease.filing"
SALE_CONTRACT_KINDS = {T_SALE_CONTRACT_NEW: "new", T_SALE_CONTRACT_SECOND_HAND: "second_hand"}


# ---------------------------------------------------------------- REA-01 unit table

class UnitTableQuery(Message):
    keyword: str | None = Field(None, min_length=1, max_length=64, description="项目名称关键字")
    project_code: str | None = Field(None, min_length=1, max_length=32)
    district_code: str | None = Field(None, pattern=r"^\d{6}$")
    arh_only: bool = Field(False, description="只要已归类为保障性住房的房屋")

    @model_validator(mode="after")
    def _some_condition(self) -> "UnitTableQuery":
        if not (self.keyword or self.project_code or self.district_code):
            raise ValueError("请至少提供项目名称关键字、项目编码或行政区划之一")
        return self


class TableUnit(Reply):
    register_id: str = Field(min_length=28, max_length=28, description="不动产单元号")
    room_no: str
    entrance: str | None = Field(None, max_length=32,
                                 description="单元，如 2单元；按单元编号的楼栋（各单元都有101）必填，否则不填")
    floor: int
    building_area: Area = Field(description="建筑面积")
    inner_area: Area = Field(description="套内面积")
    layout: str = Field(description="户型，如 两房一厅")
    usage: str = Field(description="规划用途")
    category: Literal["commercial", "arh", "other_affordable"] = Field(
        description="commercial 商品房 / arh 保障性租赁住房 / other_affordable 其他保障性住房")
    status: Literal["unsold", "sold", "leased", "sealed"] = Field(
        description="unsold 未售 / sold 已售 / leased 已租 / sealed 查封")


class TableBuilding(Reply):
    building_code: str
    name: str
    floors: int
    units: list[TableUnit]


class TableProject(Reply):
    project_code: str
    name: str
    district_code: str
    address: str
    developer: str
    developer_credit_code: str
    buildings: list[TableBuilding]


class UnitTable(Reply):
    projects: list[TableProject]
    truncated: bool = Field(False, description="结果过多时只返回前若干个项目")


async def unit_table(client: ExchangeClient, query: UnitTableQuery, *,
                     timeout: float = DEFAULT_TIMEOUT) -> UnitTable:
    result = await call(client, PARTNER, T_UNIT_TABLE_QUERY, query, UnitTable, timeout=timeout)
    ids = [u.register_id for p in result.projects for b in p.buildings for u in b.units]
    if len(ids) != len(set(ids)):
        raise PartnerError("BAD_RESPONSE", "房地产交易系统返回的楼盘表有重复的不动产单元号")
    return result


# ---------------------------------------------------------------- REA-02 / REA-03 sale contracts

class ContractUnit(Reply):
    register_id: str | None = Field(None, description="不动产单元号")
    address: str
    building_area: Area
    usage: str = "住宅"


class SaleContract(Reply):
    """A filed sale contract in which a beneficiary buys (REA-02) or either party is one (REA-03)."""
    kind: Literal["new", "second_hand"] = Field(description="new 新建商品房 / second_hand 存量房")
    contract_no: str = Field(description="网签合同编号")
    signed_on: date
    filed_at: datetime | None = Field(None, description="网签备案时间")
    buyers: list[Party] = Field(min_length=1)
    sellers: list[Party] = Field(min_length=1, description="新建商品房为开发企业")
    unit: ContractUnit
    price_fen: Fen = Field(description="成交价（分）")
    matched_id_numbers: list[str] = Field(default_factory=list, description="交易系统比对出的保障对象证件号码")

    @property
    def buyer(self) -> Party:
        return self.buyers[0]

    @property
    def seller(self) -> Party:
        return self.sellers[0]


# ---------------------------------------------------------------- REA-04 lease filing

class Lessor(Message):
    name: Name
    credit_code: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")


class LeaseFilingRequest(Message):
    lease_no: str = Field(min_length=1, max_length=64, description="合同编号；同一编号只备案一次")
    kind: Literal["lease", "amendment"] = "lease"
    lessor: Lessor
    lessee_name: Name
    lessee_id_number: IdNumber
    register_id: str | None = Field(None, min_length=28, max_length=28)
    address: str = Field(min_length=1, max_length=255)
    building_area: Area
    monthly_rent_fen: int = Field(gt=0)
    start_date: date
    end_date: date
    signed_on: date

    @model_validator(mode="after")
    def _term(self) -> "LeaseFilingRequest":
        if self.end_date <= self.start_date:
            raise ValueError("租赁结束日期应晚于开始日期")
        return self


class LeaseFilingResult(Reply):
    lease_no: str
    filing_code: str = Field(description="备案编码")
    filed_at: datetime


async def file_lease(client: ExchangeClient, request: LeaseFilingRequest, *,
                     timeout: float = DEFAULT_TIMEOUT) -> LeaseFilingResult:
    result = await call(client, PARTNER, T_LEASE_FILING, request, LeaseFilingResult, timeout=timeout,
                        business_no=request.lease_no)
    if result.lease_no != request.lease_no:
        raise PartnerError("BAD_RESPONSE", "房屋租赁管理系统返回的合同编号与请求不一致")
    return result
