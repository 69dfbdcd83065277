"""INT-12 会计系统: rent collected, pushed per period through the outbox."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from .base import Fen, Message, Month, Name, push

PARTNER = "accounting"
T_RENT_COLLECTION = "rent.collection"


class CollectionLine(Message):
    business_no: str = Field(min_length=1, max_length=64, description="收款登记编号")
    lease_no: str = Field(min_length=1, max_length=64)
    item: Literal["rent", "deposit", "property_fee", "other"]
    amount_fen: int = Field(gt=0)
    channel: Literal["bank", "wechat", "alipay", "withholding", "cash", "chain_pay"]
    paid_at: datetime


class RentCollection(Message):
    batch_no: str = Field(min_length=1, max_length=64)
    period: Month = Field(description="所属期间")
    org_name: Name = Field(description="收款单位")
    org_credit_code: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    total_fen: Fen
    lines: list[CollectionLine] = Field(min_length=1, max_length=10000)

    @model_validator(mode="after")
    def _total(self) -> "RentCollection":
        if sum(line.amount_fen for line in self.lines) != self.total_fen:
            raise ValueError("明细金额之和与合计不符")
        return self


async def push_rent_collection(tx: Any, report: RentCollection) -> Any:
    return await push(tx, PARTNER, T_RENT_COLLECTION, report, business_no=report.batch_no)
