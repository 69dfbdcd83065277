"""Request models and response shapes for plans, projects, project cases and qualification alerts.

Money is integer fen in the database and a yuan string ("1580.00") in the API; areas are ㎡ with
two decimals, also strings. Both are read from strings or numbers, never through float arithmetic.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from app.core.area import format_area as area_out
from app.core.area import parse_area
from app.core.money import fen_to_yuan, parse_fen
from app.core.regions import DISTRICT_NAMES
from app.domains.housing.projects.models import PROJECT_STATES, SUPPLY_MODES
from app.identity.schemas import RowId
from app.workflow.schemas import MaterialIn

MAX_AREA = Decimal("999999999999.99")  # DecimalField(14, 2)
FILE_KINDS = ("规划图纸", "施工图", "批文", "竣工验收", "其他")
CONSTRUCTION_STATES = {"planned": "未开工", "building": "在建", "completed": "已竣工"}
ALERT_KINDS = {"expiring": "即将到期", "expired": "已过期", "overdue": "逾期未处理"}
ALERT_STATUSES = {"open": "未关闭", "closed": "已关闭"}
QUALIFICATION_STATUSES = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "none": "未设置"}
DOCUMENT_STATUSES = {"valid": "有效", "revoked": "已作废"}
# BD-09 box around Jiangmen (its seven districts plus a margin): a point outside is a slip of the map.
JIANGMEN_BD09 = {"lng": (111.8, 113.5), "lat": (21.3, 23.0)}


# ------------------------------------------------------------------ money, area, coordinates

def yuan_to_fen(v: Any, what: str = "金额") -> int:
    """User input in yuan -> fen (app.core.money: "1,580.5" / 1580.5 -> 158050; negatives, more than
    two decimals and absurd sizes refused)."""
    return parse_fen(v, what)


def to_area(v: Any, what: str = "面积") -> Decimal:
    return parse_area(v, what, limit=MAX_AREA, limit_message=f"{what}过大")


def check_bd09(lng: float, lat: float) -> None:
    (lo1, hi1), (lo2, hi2) = JIANGMEN_BD09["lng"], JIANGMEN_BD09["lat"]
    if not (lo1 <= lng <= hi1 and lo2 <= lat <= hi2):
        raise ValueError(f"坐标不在江门市范围内（BD-09 经度 {lo1}–{hi1}，纬度 {lo2}–{hi2}）")


def location_out(p: Any) -> dict | None:
    if p.lng_bd09 is None or p.lat_bd09 is None:
        return None
    out = {"bd09": {"lng": float(p.lng_bd09), "lat": float(p.lat_bd09)}}
    if getattr(p, "lng_wgs84", None) is not None and getattr(p, "lat_wgs84", None) is not None:
        out["wgs84"] = {"lng": float(p.lng_wgs84), "lat": float(p.lat_wgs84)}
    return out


def fen_field(what: str):  # noqa: ANN202
    return BeforeValidator(lambda v: None if v is None else yuan_to_fen(v, what))


def area_field(what: str):  # noqa: ANN202
    return BeforeValidator(lambda v: None if v is None else to_area(v, what))


def iso(v: dt.date | dt.datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def district_name(code: str | None) -> str:
    return "全市" if not code else DISTRICT_NAMES.get(code, code)


# ------------------------------------------------------------------ requests

class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LocationIn(In):
    lng: float = Field(ge=-180, le=180, description="经度")
    lat: float = Field(ge=-90, le=90, description="纬度")
    system: Literal["bd09", "wgs84"] = Field("bd09", description="坐标系：bd09 百度地图 / wgs84 GPS")


class ProjectUpdate(In):
    """Only the fields sent are changed."""
    name: str | None = Field(None, min_length=1, max_length=128, description="项目名称")
    address: str | None = Field(None, min_length=1, max_length=255, description="项目地址")
    supply_mode: str | None = Field(None, max_length=24, description="供应方式：" + "、".join(f"{k} {v}" for k, v in SUPPLY_MODES.items()))
    land_area: Annotated[Decimal | None, area_field("用地面积")] = Field(None, description="用地面积（㎡）")
    building_area: Annotated[Decimal | None, area_field("建筑面积")] = Field(None, description="建筑面积（㎡）")
    unit_count: int | None = Field(None, ge=0, le=1_000_000, description="计划套数")
    total_investment: Annotated[int | None, fen_field("总投资")] = Field(None, description="总投资（元）")
    location: LocationIn | None = Field(None, description="项目位置；传 null 清除")
    description: str | None = Field(None, max_length=5000, description="项目说明")
    rea_project_code: str | None = Field(None, max_length=32, description="房地产交易系统项目编号")
    qualification_from: dt.date | None = Field(None, description="资格期起（仅住建部门）")
    qualification_to: dt.date | None = Field(None, description="资格期止（仅住建部门）")

    @field_validator("supply_mode")
    @classmethod
    def _mode(cls, v: str | None) -> str | None:
        if v is not None and v not in SUPPLY_MODES:
            raise ValueError("供应方式不在可选范围内")
        return v


class ProjectFileIn(In):
    file_id: uuid.UUID = Field(description="先通过 POST /api/v1/files 上传得到的文件ID")
    kind: Literal["规划图纸", "施工图", "批文", "竣工验收", "其他"] = Field(description="图档类别")
    name: str | None = Field(None, min_length=1, max_length=255, description="显示名称；省略时用上传的文件名")


class OperatorIn(In):
    operator_id: RowId | None = Field(description="运营单位ID；null 为解除")


class ProjectCaseIn(In):
    case_type: Literal["project_exit", "progress_report"] = Field(description="project_exit 项目退出 / "
                                                                              "progress_report 项目进度申报")
    form: dict[str, Any] = Field(default_factory=dict, description="表单数据，按该业务类型的表单校验")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    submit: bool = Field(True, description="true 为提交审核；false 为保存草稿")
    opinion: str | None = Field(None, max_length=2000, description="受理意见")


# ------------------------------------------------------------------ responses

def project_row(p: Any, orgs: dict[int, str]) -> dict:
    return {"id": p.id, "code": p.code, "name": p.name, "district_code": p.district_code,
            "district_name": district_name(p.district_code), "address": p.address,
            "builder_id": p.builder_id, "builder_name": orgs.get(p.builder_id),
            "operator_id": p.operator_id, "operator_name": orgs.get(p.operator_id) if p.operator_id else None,
            "supply_mode": p.supply_mode, "supply_mode_name": SUPPLY_MODES.get(p.supply_mode, p.supply_mode),
            "unit_count": p.unit_count, "land_area": area_out(p.land_area), "building_area": area_out(p.building_area),
            "total_investment": fen_to_yuan(p.total_investment_fen),
            "state": p.state, "state_name": PROJECT_STATES.get(p.state, p.state),
            "published": p.published, "published_at": iso(p.published_at),
            "qualification_from": iso(p.qualification_from), "qualification_to": iso(p.qualification_to),
            "progress_percent": p.progress_percent, "location": location_out(p), "created_at": iso(p.created_at)}


def progress_row(r: Any, case_numbers: dict[int, str] | None = None) -> dict:
    return {"id": r.id, "project_id": r.project_id, "period": r.period, "progress_percent": r.progress_percent,
            "investment_done": fen_to_yuan(r.investment_done_fen), "units_started": r.units_started,
            "units_completed": r.units_completed, "area_started": area_out(r.area_started),
            "area_completed": area_out(r.area_completed), "note": r.note, "case_id": r.case_id,
            "case_number": (case_numbers or {}).get(r.case_id), "created_at": iso(r.created_at)}


def file_row(f: Any) -> dict:
    return {"id": f.id, "project_id": f.project_id, "kind": f.kind, "name": f.name, "mime": f.mime,
            "file_id": str(f.file_id), "url": f"/api/v1/housing/projects/{f.project_id}/files/{f.id}/content",
            "uploaded_by_id": f.uploaded_by_id, "created_at": iso(f.created_at)}


def building_row(b: Any) -> dict:
    return {"id": b.id, "name": b.name, "floors": b.floors, "planned_units": b.planned_units,
            "construction_state": b.construction_state,
            "construction_state_name": CONSTRUCTION_STATES.get(b.construction_state, b.construction_state),
            "rea_building_code": b.rea_building_code}


def certificate_out(project_id: int, d: Any, verify_url: str) -> dict:
    return {"id": str(d.id), "number": d.number, "title": d.title, "status": d.status,
            "status_name": DOCUMENT_STATUSES.get(d.status, d.status), "issued_at": iso(d.issued_at),
            "revoked_at": iso(d.revoked_at), "revoked_reason": d.revoked_reason, "verify_url": verify_url,
            "pdf_url": f"/api/v1/housing/projects/{project_id}/certificate/pdf"}


def alert_row(a: Any, orgs: dict[int, str]) -> dict:
    """`a` is prefetched with project."""
    return {"id": a.id, "project_id": a.project_id, "project_name": a.project.name, "project_code": a.project.code,
            "kind": a.kind, "kind_name": ALERT_KINDS.get(a.kind, a.kind), "qualification_to": iso(a.qualification_to),
            "days_left": a.days_left, "district_code": a.district_code, "district_name": district_name(a.district_code),
            "builder_id": a.builder_id, "builder_name": orgs.get(a.builder_id),
            "operator_id": a.operator_id, "operator_name": orgs.get(a.operator_id) if a.operator_id else None,
            "rule_version": a.rule_version, "rule_district_code": a.rule_district_code,
            "rule_scope_name": DISTRICT_NAMES.get(a.rule_district_code or "", "全市"), "status": a.status, "status_name": ALERT_STATUSES.get(a.status, a.status),
            "created_on": iso(a.created_on), "created_at": iso(a.created_at)}


def public_project_row(p: Any, orgs: dict[int, str], available: dict[int, int]) -> dict:
    """What anyone may see of a published project: no codes, money, qualification or org IDs."""
    return {"id": p.id, "name": p.name, "district_code": p.district_code,
            "district_name": district_name(p.district_code), "address": p.address,
            "supply_mode": p.supply_mode, "supply_mode_name": SUPPLY_MODES.get(p.supply_mode, p.supply_mode),
            "unit_count": p.unit_count, "available_units": available.get(p.id, 0),
            "builder_name": orgs.get(p.builder_id),
            "operator_name": orgs.get(p.operator_id) if p.operator_id else None,
            "location": location_out(p), "published_at": iso(p.published_at)}

