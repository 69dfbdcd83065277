"""Request and response models of campaigns."""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.workflow.case_types import CASE_TYPES


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=128, description="专题名称")
    case_types: list[str] = Field(min_length=1, max_length=20, description="业务类型")
    starts_at: dt.datetime = Field(description="受理时间起")
    ends_at: dt.datetime = Field(description="受理时间止")
    district_code: str | None = Field(None, max_length=6, description="区（市）代码；空为全市")
    description: str | None = Field(None, max_length=2000)
    enabled: bool = True

    @model_validator(mode="after")
    def _check(self) -> CampaignIn:
        unknown = [t for t in self.case_types if t not in CASE_TYPES]
        if unknown:
            raise ValueError(f"业务类型不存在：{'、'.join(unknown)}")
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("时间须带时区，如 2026-12-01T00:00:00+08:00")
        if self.ends_at <= self.starts_at:
            raise ValueError("受理时间止须晚于受理时间起")
        return self


def _iso(v: dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


def campaign_row(c: Any, counts: dict[int, int] | None = None) -> dict:
    return {"id": c.id, "name": c.name, "case_types": c.case_types,
            "case_type_names": [CASE_TYPES[t].name for t in c.case_types if t in CASE_TYPES],
            "starts_at": _iso(c.starts_at), "ends_at": _iso(c.ends_at), "district_code": c.district_code,
            "description": c.description, "enabled": c.enabled, "created_at": _iso(c.created_at),
            "case_count": (counts or {}).get(c.id, 0)}
