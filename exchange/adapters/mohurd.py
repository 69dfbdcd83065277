"""INT-09 住建部数据上报: units, beneficiaries and leases, pushed in batches through the outbox."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from .base import Area, Fen, IdNumber, Message, Name, push

PARTNER = "mohurd"
T_REPORT_UNITS = "report.units"
T_REPORT_BENEFICIARIES = "report.beneficiaries"
T_REPORT_LEASES = "report.leases"
REGION_CODE = "440700"  # 江门市


class UnitRow(Message):
    unit_code: str = Field(min_length=1, max_length=64, description="房源编码")
    project_name: Name
    address: str = Field(min_length=1, max_length=255)
    district_code: str = Field(pattern=r"^\d{6}$")
    building_area: Area
    layout: str = Field(max_length=32, description="户型")
    status: Literal["vacant", "leased", "locked", "exited"]


class BeneficiaryRow(Message):
    id_number: IdNumber
    name: Name
    household_size: int = Field(ge=1, le=20)
    admitted_on: date
    status: Literal["waiting", "housed", "exited"]


class LeaseRow(Message):
    lease_no: str = Field(min_length=1, max_length=64)
    unit_code: str = Field(min_length=1, max_length=64)
    tenant_id_number: IdNumber
    monthly_rent_fen: Fen
    start_date: date
    end_date: date
    filing_code: str | None = None


class _Report(Message):
    batch_no: str = Field(min_length=1, max_length=64, description="上报批次号")
    region_code: str = REGION_CODE
    reported_at: datetime


class UnitReport(_Report):
    items: list[UnitRow] = Field(min_length=1, max_length=5000)


class BeneficiaryReport(_Report):
    items: list[BeneficiaryRow] = Field(min_length=1, max_length=5000)


class LeaseReport(_Report):
    items: list[LeaseRow] = Field(min_length=1, max_length=5000)


async def report_units(tx: Any, report: UnitReport) -> Any:
    return await push(tx, PARTNER, T_REPORT_UNITS, report, business_no=report.batch_no)


async def report_beneficiaries(tx: Any, report: BeneficiaryReport) -> Any:
    return await push(tx, PARTNER, T_REPORT_BENEFICIARIES, report, business_no=report.batch_no)


async def report_leases(tx: Any, report: LeaseReport) -> Any:
    return await push(tx, PARTNER, T_REPORT_LEASES, report, business_no=report.batch_no)
