"""Plans' requests and responses: the plan, its project targets and its housing targets."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from app.core.area import format_area as area_out
from app.core.money import fen_to_yuan
from app.core.regions import DISTRICT_NAMES
from app.domains.housing.projects.schemas import In, area_field, district_name, fen_field, iso
from app.identity.schemas import RowId


# ------------------------------------------------------------------ requests

class PlanIn(In):
    year: int = Field(ge=2000, le=2100, description="计划年度")
    name: str = Field(min_length=1, max_length=128, description="计划名称（同一年度不能重复）")
    district_code: str | None = Field(None, max_length=6, description="所属区（市）代码；空为全市计划")
    description: str | None = Field(None, max_length=5000, description="计划说明")

    @field_validator("district_code")
    @classmethod
    def _district(cls, v: str | None) -> str | None:
        if v and v not in DISTRICT_NAMES:
            raise ValueError("区（市）代码有误")
        return v or None


class ProjectTargetUpdate(In):
    units_start: int = Field(0, ge=0, le=1_000_000, description="年度计划开工套数")
    units_complete: int = Field(0, ge=0, le=1_000_000, description="年度计划竣工套数")
    area_start: Annotated[Decimal, area_field("计划开工面积")] = Field(Decimal("0"), description="年度计划开工面积（㎡）")
    area_complete: Annotated[Decimal, area_field("计划竣工面积")] = Field(Decimal("0"),
                                                                       description="年度计划竣工面积（㎡）")
    start_date: dt.date | None = Field(None, description="计划开工日期")
    completion_date: dt.date | None = Field(None, description="计划竣工日期")
    planned_investment: Annotated[int, fen_field("计划投资")] = Field(0, description="年度计划投资（元，字符串两位小数）")

    @model_validator(mode="after")
    def _dates(self) -> "ProjectTargetUpdate":
        if self.start_date and self.completion_date and self.completion_date < self.start_date:
            raise ValueError("计划竣工日期不能早于计划开工日期")
        return self


class ProjectTargetIn(ProjectTargetUpdate):
    plan_id: RowId = Field(description="年度计划")
    project_id: RowId = Field(description="项目")


class HousingTargetUpdate(In):
    layout: str = Field(min_length=1, max_length=32, description="户型，如 一室一厅")
    planned_units: int = Field(ge=0, le=1_000_000, description="计划套数")
    area_per_unit: Annotated[Decimal | None, area_field("套均面积")] = Field(None, description="套均面积（㎡）")


class HousingTargetIn(HousingTargetUpdate):
    plan_id: RowId = Field(description="年度计划")
    project_id: RowId = Field(description="项目")


# ------------------------------------------------------------------ responses

def plan_row(p: Any, counts: dict | None = None) -> dict:
    c = (counts or {}).get(p.id, {})
    return {"id": p.id, "year": p.year, "name": p.name, "district_code": p.district_code,
            "district_name": district_name(p.district_code), "description": p.description,
            "project_target_count": c.get("project_targets", 0), "housing_target_count": c.get("housing_targets", 0),
            "units_start_total": c.get("units_start", 0), "units_complete_total": c.get("units_complete", 0),
            "planned_investment_total": fen_to_yuan(c.get("investment", 0)),
            "created_at": iso(p.created_at), "updated_at": iso(p.updated_at)}


def project_target_row(t: Any) -> dict:
    """`t` is prefetched with plan and project."""
    return {"id": t.id, "plan_id": t.plan_id, "plan_year": t.plan.year, "plan_name": t.plan.name,
            "project_id": t.project_id, "project_name": t.project.name, "project_code": t.project.code,
            "district_code": t.project.district_code, "district_name": district_name(t.project.district_code),
            "units_start": t.units_start, "units_complete": t.units_complete,
            "area_start": area_out(t.area_start), "area_complete": area_out(t.area_complete),
            "start_date": iso(t.start_date), "completion_date": iso(t.completion_date),
            "planned_investment": fen_to_yuan(t.planned_investment_fen),
            "created_at": iso(t.created_at), "updated_at": iso(t.updated_at)}


def housing_target_row(t: Any) -> dict:
    return {"id": t.id, "plan_id": t.plan_id, "plan_year": t.plan.year, "plan_name": t.plan.name,
            "project_id": t.project_id, "project_name": t.project.name, "project_code": t.project.code,
            "district_code": t.project.district_code, "district_name": district_name(t.project.district_code),
            "layout": t.layout, "planned_units": t.planned_units, "area_per_unit": area_out(t.area_per_unit),
            "created_at": iso(t.created_at)}
