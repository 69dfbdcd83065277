"""INT-13 公房管理中心“智慧社区”: beneficiaries and units, pushed through the outbox."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from .base import Area, IdNumber, Message, Name, push

PARTNER = "smart_community"
T_BENEFICIARIES = "community.beneficiaries"
T_UNITS = "community.units"


class CommunityBeneficiary(Message):
    id_number: IdNumber
    name: Name
    phone: str | None = Field(None, pattern=r"^1[3-9]\d{9}$")
    community_code: str = Field(min_length=1, max_length=32)
    unit_code: str | None = Field(None, max_length=64)
    move_in_on: date | None = None
    status: Literal["housed", "moved_out"]


class CommunityUnit(Message):
    unit_code: str = Field(min_length=1, max_length=64)
    community_code: str = Field(min_length=1, max_length=32)
    community_name: Name
    building: str = Field(max_length=32)
    room_no: str = Field(max_length=16)
    building_area: Area
    status: Literal["vacant", "leased", "locked"]


class BeneficiarySync(Message):
    batch_no: str = Field(min_length=1, max_length=64)
    synced_at: datetime
    items: list[CommunityBeneficiary] = Field(min_length=1, max_length=5000)


class UnitSync(Message):
    batch_no: str = Field(min_length=1, max_length=64)
    synced_at: datetime
    items: list[CommunityUnit] = Field(min_length=1, max_length=5000)


async def push_beneficiaries(tx: Any, sync: BeneficiarySync) -> Any:
    return await push(tx, PARTNER, T_BENEFICIARIES, sync, business_no=sync.batch_no)


async def push_units(tx: Any, sync: UnitSync) -> Any:
    return await push(tx, PARTNER, T_UNITS, sync, business_no=sync.batch_no)
