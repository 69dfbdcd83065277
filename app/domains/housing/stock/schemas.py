"""Request models of the housing stock API (communities, buildings, units, intake, change cases).

Decimal inputs (areas, yuan amounts) accept a string or a number and are checked here with
Chinese messages; amounts leave as yuan strings and are stored as integer fen.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from app.core.money import parse_decimal
from app.identity.schemas import RowId
from app.workflow.schemas import MaterialIn

ORIENTATIONS = ("南", "北", "东", "西", "南北", "东西", "东南", "西南", "东北", "西北")
DECORATIONS = ("毛坯", "简装", "精装")
# The configured layouts (户型): every way a unit's layout is written (intake one by one, import, REA-01,
# unit change) is checked against this list, so an ID number typed into 户型 is refused. The admin's
# pickers read it from GET /api/v1/housing/unit-options.
LAYOUTS = ("单间", "一房一厅", "两房一厅", "两房两厅", "三房一厅", "三房两厅", "四房两厅")
# Kept equal to the unit_change form's checkbox options (app/workflow/forms.py DEFAULT_FORMS).
FACILITIES = ("空调", "热水器", "洗衣机", "冰箱", "床", "衣柜", "书桌", "沙发", "燃气灶", "抽油烟机", "宽带", "电视", "窗帘",
              "智能门锁")
MAX_AREA = Decimal("10000")
MAX_RENT = Decimal("1000000")


def _area(label: str):  # noqa: ANN202
    return BeforeValidator(lambda v: v if v is None else parse_decimal(v, label, positive=True, limit=MAX_AREA))


def _yuan(label: str):  # noqa: ANN202
    return BeforeValidator(lambda v: v if v is None else parse_decimal(v, label, positive=False, limit=MAX_RENT))


Area = Annotated[Decimal, _area("面积")]
InnerArea = Annotated[Decimal, _area("套内面积")]
Yuan = Annotated[Decimal, _yuan("租金标准")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _text(max_length: int, description: str, min_length: int = 1):  # noqa: ANN202
    return Field(min_length=min_length, max_length=max_length, description=description)


class CommunityIn(_In):
    name: str = _text(128, "小区名称")
    address: str = _text(255, "小区地址")
    district_code: str | None = Field(None, max_length=6, description="所属区（市）代码；关联项目时取项目的区")
    project_id: RowId | None = Field(None, description="关联的项目；区、建设单位、运营单位随项目")
    builder_id: RowId | None = Field(None, description="建设单位（未关联项目时，住建部门可指定）")
    operator_id: RowId | None = Field(None, description="运营单位（未关联项目时，住建部门可指定）")
    lng_bd09: Decimal | None = Field(None, ge=-180, le=180, max_digits=10, decimal_places=6, description="经度（BD-09）")
    lat_bd09: Decimal | None = Field(None, ge=-90, le=90, max_digits=10, decimal_places=6, description="纬度（BD-09）")
    description: str | None = Field(None, max_length=2000, description="说明")


class CommunityUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=128)
    address: str | None = Field(None, min_length=1, max_length=255)
    district_code: str | None = Field(None, max_length=6)
    project_id: RowId | None = Field(None, description="改为关联该项目（区、建设单位、运营单位随项目）")
    unlink_project: bool = Field(False, description="解除与项目的关联")
    builder_id: RowId | None = None
    operator_id: RowId | None = None
    lng_bd09: Decimal | None = Field(None, ge=-180, le=180, max_digits=10, decimal_places=6)
    lat_bd09: Decimal | None = Field(None, ge=-90, le=90, max_digits=10, decimal_places=6)
    description: str | None = Field(None, max_length=2000)


class BuildingIn(_In):
    name: str = _text(64, "楼栋名称，如 1栋")
    floors: int = Field(ge=1, le=200, description="地上层数")
    basement_floors: int = Field(0, ge=0, le=10, description="地下层数")
    project_building_id: RowId | None = Field(None, description="关联的项目楼栋（同一项目）")
    rea_building_code: str | None = Field(None, max_length=32, description="楼盘表楼栋编码")
    entrances: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=50, description="单元名称，如 [\"1单元\", \"2单元\"]")


class BuildingUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=64)
    floors: int | None = Field(None, ge=1, le=200)
    basement_floors: int | None = Field(None, ge=0, le=10)
    project_building_id: RowId | None = None
    unlink_project_building: bool = False


class EntranceIn(_In):
    name: str = _text(32, "单元名称，如 1单元")
    sort_order: int = Field(0, ge=0, le=1000, description="排序")


class EntranceUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=32)
    sort_order: int | None = Field(None, ge=0, le=1000)


class LockIn(_In):
    reason: str = _text(255, "锁定原因")
    row_version: int | None = Field(None, ge=1, description="读取时的 row_version；不一致时拒绝（他人已修改）")


class UnlockIn(_In):
    reason: str | None = Field(None, max_length=255, description="解锁说明")
    row_version: int | None = Field(None, ge=1)


def _facilities(v: Any) -> Any:
    if v is None:
        return v
    if not isinstance(v, list):
        raise ValueError("配套设施应为列表")
    out = []
    for x in v:
        if not isinstance(x, str) or x.strip() not in FACILITIES:
            raise ValueError(f"配套设施只能从以下选择：{'、'.join(FACILITIES)}")
        if x.strip() not in out:
            out.append(x.strip())
    return out


Facilities = Annotated[list[str], BeforeValidator(_facilities)]


def layout_problem(v: str) -> str | None:
    """Why `v` is not a configured layout, in Chinese, or None."""
    if v in LAYOUTS:
        return None
    return f"户型“{v[:20]}”不在配置的户型中，可选：{'、'.join(LAYOUTS)}"


def _layout(v: Any) -> Any:
    if isinstance(v, str) and v.strip() and (problem := layout_problem(v.strip())):
        raise ValueError(problem)
    return v.strip() if isinstance(v, str) else v


Layout = Annotated[str, BeforeValidator(_layout)]


class UnitFields(_In):
    """The descriptive fields of one unit, shared by one-by-one intake."""
    floor: int = Field(ge=-10, le=200, description="楼层（地下为负数）")
    number: str = _text(16, "房号，如 1201（同一单元内唯一；没有单元的楼栋内唯一）")
    register_id: str | None = Field(None, min_length=28, max_length=28, pattern=r"^[0-9A-Za-z]{28}$",
                                    description="不动产单元号（28位）")
    layout: Layout | None = Field(None, max_length=32, description="户型，只能是配置的户型之一，如 两房一厅")
    area: Area = Field(description="建筑面积（㎡），两位小数")
    inner_area: InnerArea | None = Field(None, description="套内面积（㎡）")
    residential: bool = Field(True, description="住宅 true / 非住宅 false")
    orientation: Literal[ORIENTATIONS] | None = Field(None, description="朝向")  # type: ignore[valid-type]
    decoration: Literal[DECORATIONS] | None = Field(None, description="装修：毛坯 / 简装 / 精装")  # type: ignore[valid-type]
    facilities: Facilities = Field(default_factory=list, description="配套设施，如 [\"空调\", \"热水器\"]")
    rent_standard: Yuan | None = Field(None, description="租金标准（元/月），如 \"1580.00\"")

    @field_validator("floor")
    @classmethod
    def _not_zero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("楼层不能为0（地下层用负数）")
        return v

    @model_validator(mode="after")
    def _inner(self) -> "UnitFields":
        if self.inner_area is not None and self.inner_area > self.area:
            raise ValueError("套内面积不能大于建筑面积")
        return self


class IntakeUnitIn(UnitFields):
    community_id: RowId | None = Field(None, description="小区（业务件尚未指定小区时必填）")
    building_id: RowId | None = Field(None, description="楼栋（与 building_name 二选一）")
    building_name: str | None = Field(None, min_length=1, max_length=64, description="楼栋名称；不存在时新建")
    entrance_name: str | None = Field(None, min_length=1, max_length=32,
                                      description="单元名称，如 2单元；不存在时新建。房号在同一单元内唯一")

    @model_validator(mode="after")
    def _building(self) -> "IntakeUnitIn":
        if (self.building_id is None) == (self.building_name is None):
            raise ValueError("请选择楼栋（building_id）或填写楼栋名称（building_name），二选一")
        return self


class ReaPickIn(_In):
    project_code: str = _text(32, "楼盘表项目编码")
    building_codes: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=200, description="整栋入库的楼栋编码")
    register_ids: list[Annotated[str, Field(min_length=28, max_length=28)]] = Field(
        default_factory=list, max_length=5000, description="单套入库的不动产单元号")
    community_id: RowId | None = Field(None, description="放入哪个小区；不填时按楼盘表项目新建")
    community_name: str | None = Field(None, min_length=1, max_length=128, description="新建小区的名称（默认项目名）")

    @model_validator(mode="after")
    def _some(self) -> "ReaPickIn":
        if not self.building_codes and not self.register_ids:
            raise ValueError("请选择要入库的楼栋或房屋")
        return self


class RemoveUnitsIn(_In):
    unit_ids: list[RowId] = Field(default_factory=list, max_length=20000, description="要移出的房屋")
    all: bool = Field(False, description="移出本业务件的全部房屋")

    @model_validator(mode="after")
    def _some(self) -> "RemoveUnitsIn":
        if not self.all and not self.unit_ids:
            raise ValueError("请选择要移出的房屋")
        return self


class ImportIn(_In):
    file_id: uuid.UUID = Field(description="先通过 POST /api/v1/files 上传的 Excel 文件")
    mode: Literal["all", "valid_only"] = Field("all", description="all 全部无误才导入 / valid_only 只导入无误的行")
    community_id: RowId | None = Field(None, description="小区（业务件尚未指定小区时必填）")


class ImportCommitIn(_In):
    """After a checked run that did not import: import after all, confirming what it asked."""
    valid_only: bool = Field(False, description="true 只导入无误的行（有错误行时必须为 true）")
    new_buildings: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500,
        description="确认新建的楼栋名称：校验结果 new_buildings 中的每一栋都须在此列出，否则不导入")


class ChangesIn(_In):
    layout: Layout | None = Field(None, min_length=1, max_length=32, description="户型，只能是配置的户型之一")
    area: Area | None = Field(None, description="建筑面积（㎡）")
    orientation: Literal[ORIENTATIONS] | None = None  # type: ignore[valid-type]
    decoration: Literal[DECORATIONS] | None = None  # type: ignore[valid-type]
    facilities: Facilities | None = None
    rent_standard: Yuan | None = Field(None, description="租金标准（元/月）")
    residential: bool | None = None
    delist: bool | None = Field(None, description="true 下架 / false 恢复上架（可配租）")

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ChangeCaseIn(_In):
    changes: ChangesIn
    reason: str = _text(1000, "变更原因")
    applicant_org_id: RowId | None = Field(None, description="申请单位（住建部门代为受理时；默认房屋的建设单位）")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    submit: bool = Field(True, description="true 提交审核 / false 保存草稿")
