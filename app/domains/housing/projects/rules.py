"""Projects' pure rules: reading the project case forms (项目申报, 进度申报) into checked values, and
points in both coordinate systems. No I/O: `today` is passed in; InvalidInput names the field.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core import coords
from app.core.errors import InvalidInput
from app.domains.housing.projects import schemas as S
from app.domains.housing.projects.models import SUPPLY_MODES

SUPPLY_MODE_BY_LABEL = {v: k for k, v in SUPPLY_MODES.items()}
MAX_BUILDINGS = 500
MAX_FLOORS = 200
MAX_UNITS = 1_000_000
_BUILDING_LINE = re.compile(r"^\s*(?P<name>[^:：]{1,64}?)\s*[:：]\s*(?P<floors>\d{1,4})\s*[:：]\s*(?P<units>\d{1,7})\s*$")
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_buildings(text: Any) -> list[dict]:
    """'1栋:33:396' per line (full-width colons too) -> [{name, floors, planned_units}]."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return []
    if not isinstance(text, str):
        raise InvalidInput("楼栋应为文本，每行“楼栋名:层数:套数”", fields={"buildings": "格式有误"})
    out: list[dict] = []
    seen: set[str] = set()
    lines = [ln for ln in text.replace("\r", "").split("\n") if ln.strip()]
    if len(lines) > MAX_BUILDINGS:
        raise InvalidInput(f"楼栋最多{MAX_BUILDINGS}栋", fields={"buildings": "过多"})
    for i, line in enumerate(lines, 1):
        m = _BUILDING_LINE.match(line)
        if not m:
            raise InvalidInput(f"楼栋第{i}行“{line.strip()[:40]}”格式有误，应为“楼栋名:层数:套数”，如“1栋:33:396”",
                               fields={"buildings": f"第{i}行格式有误"})
        name, floors, units = m["name"].strip(), int(m["floors"]), int(m["units"])
        if name in seen:
            raise InvalidInput(f"楼栋“{name}”重复", fields={"buildings": f"第{i}行楼栋名重复"})
        if not 1 <= floors <= MAX_FLOORS:
            raise InvalidInput(f"楼栋“{name}”的层数应在1到{MAX_FLOORS}之间", fields={"buildings": f"第{i}行层数有误"})
        if units > MAX_UNITS:
            raise InvalidInput(f"楼栋“{name}”的套数过大", fields={"buildings": f"第{i}行套数有误"})
        seen.add(name)
        out.append({"name": name, "floors": floors, "planned_units": units})
    return out


def _form_number(form: dict, key: str, title: str, *, required: bool = True) -> Any:
    v = form.get(key)
    if v is None or v == "":
        if required:
            raise InvalidInput(f"请填写“{title}”", fields={key: "必填"})
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise InvalidInput(f"“{title}”应为数字", fields={key: "应为数字"})
    return v


def _int(form: dict, key: str, title: str, lo: int, hi: int) -> int:
    v = _form_number(form, key, title)
    try:
        n = int(Decimal(str(v)))
        if Decimal(str(v)) != n:
            raise ValueError
    except (ValueError, ArithmeticError) as e:
        raise InvalidInput(f"“{title}”应为整数", fields={key: "应为整数"}) from e
    if not lo <= n <= hi:
        raise InvalidInput(f"“{title}”应在{lo}到{hi}之间", fields={key: "超出范围"})
    return n


def _money(form: dict, key: str, title: str, required: bool = True) -> int | None:
    v = _form_number(form, key, title, required=required)
    if v is None:
        return None
    try:
        return S.yuan_to_fen(v, title)
    except ValueError as e:
        raise InvalidInput(str(e), fields={key: str(e)}) from e


def _area(form: dict, key: str, title: str, required: bool = False) -> Decimal | None:
    v = _form_number(form, key, title, required=required)
    if v is None:
        return None
    try:
        return S.to_area(v, title)
    except ValueError as e:
        raise InvalidInput(str(e), fields={key: str(e)}) from e


def _text(form: dict, key: str, title: str, limit: int, required: bool = True) -> str | None:
    v = form.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise InvalidInput(f"请填写“{title}”", fields={key: "必填"})
        return None
    if not isinstance(v, str):
        raise InvalidInput(f"“{title}”应为文本", fields={key: "应为文本"})
    if len(v.strip()) > limit:
        raise InvalidInput(f"“{title}”不能超过{limit}个字", fields={key: "过长"})
    return v.strip()


@dataclass
class Point:
    lng_bd09: Decimal
    lat_bd09: Decimal
    lng_wgs84: Decimal
    lat_wgs84: Decimal


def _d6(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def make_point(lng: Any, lat: Any, system: str = "bd09") -> Point:
    """A checked point in Jiangmen, kept in both systems."""
    try:
        lng_f, lat_f = float(lng), float(lat)
    except (TypeError, ValueError) as e:
        raise InvalidInput("坐标应为数字", fields={"location": "应为数字"}) from e
    if isinstance(lng, bool) or isinstance(lat, bool) or lng_f != lng_f or lat_f != lat_f:
        raise InvalidInput("坐标应为数字", fields={"location": "应为数字"})
    if system == "wgs84":
        if not (-180 <= lng_f <= 180 and -90 <= lat_f <= 90):
            raise InvalidInput("坐标超出范围", fields={"location": "超出范围"})
        bd = coords.wgs84_to_bd09(lng_f, lat_f)
    else:
        bd = (lng_f, lat_f)
    try:
        S.check_bd09(*bd)
    except ValueError as e:
        raise InvalidInput(str(e), fields={"location": "不在江门市范围内"}) from e
    wgs = coords.bd09_to_wgs84(*bd) if system != "wgs84" else (lng_f, lat_f)
    return Point(_d6(bd[0]), _d6(bd[1]), _d6(wgs[0]), _d6(wgs[1]))


@dataclass
class Declaration:
    name: str
    address: str
    supply_mode: str
    unit_count: int
    land_area: Decimal | None
    building_area: Decimal | None
    total_investment_fen: int | None
    point: Point
    buildings: list[dict] = field(default_factory=list)
    description: str | None = None


def parse_declaration(form: dict) -> Declaration:
    """The project a 项目申报 form describes, checked; InvalidInput names the field."""
    if not isinstance(form, dict):
        raise InvalidInput("申报表单有误")
    mode_raw = form.get("supply_mode")
    mode = SUPPLY_MODE_BY_LABEL.get(mode_raw) or (mode_raw if mode_raw in SUPPLY_MODES else None)
    if mode is None:
        raise InvalidInput("请选择供应方式（" + "、".join(SUPPLY_MODES.values()) + "）", fields={"supply_mode": "必选"})
    if form.get("lng") in (None, "") or form.get("lat") in (None, ""):
        raise InvalidInput("请在地图上选取项目位置（经纬度）", fields={"lng": "必填", "lat": "必填"})
    point = make_point(form.get("lng"), form.get("lat"), "bd09")
    units = _int(form, "planned_units", "计划套数", 1, MAX_UNITS)
    buildings = parse_buildings(form.get("buildings"))
    total = sum(b["planned_units"] for b in buildings)
    if total > units:
        raise InvalidInput(f"各楼栋套数之和（{total}套）超过计划套数（{units}套）", fields={"buildings": "套数之和超过计划套数"})
    return Declaration(
        name=_text(form, "project_name", "项目名称", 128), address=_text(form, "address", "项目地址", 255),
        supply_mode=mode, unit_count=units, land_area=_area(form, "land_area", "用地面积"),
        building_area=_area(form, "building_area", "建筑面积"),
        total_investment_fen=_money(form, "investment", "总投资", required=False), point=point, buildings=buildings,
        description=_text(form, "note", "项目说明", 5000, required=False))


@dataclass
class ProgressReport:
    period: str
    progress_percent: int
    investment_done_fen: int
    units_started: int
    units_completed: int
    note: str | None
    area_started: Decimal = Decimal("0.00")  # ㎡, cumulative like the units
    area_completed: Decimal = Decimal("0.00")


def parse_progress(form: dict, today: dt.date) -> ProgressReport:
    period = form.get("period")
    m = PERIOD.match(period) if isinstance(period, str) else None
    if not m:
        raise InvalidInput("申报月份应为“2026-11”的格式", fields={"period": "格式有误"})
    if period > f"{today:%Y-%m}":
        raise InvalidInput("不能申报未来月份的进度", fields={"period": "晚于本月"})
    started = _int(form, "units_started", "累计开工套数", 0, MAX_UNITS)
    completed = _int(form, "units_completed", "累计竣工套数", 0, MAX_UNITS)
    if completed > started:
        raise InvalidInput("累计竣工套数不能超过累计开工套数", fields={"units_completed": "超过开工套数"})
    # Optional: reports from before areas were asked for, and projects that track units only, give none.
    area_started = _area(form, "area_started", "累计开工面积") or Decimal("0.00")
    area_completed = _area(form, "area_completed", "累计竣工面积") or Decimal("0.00")
    if area_completed > area_started:
        raise InvalidInput("累计竣工面积不能超过累计开工面积", fields={"area_completed": "超过开工面积"})
    return ProgressReport(period, _int(form, "progress_percent", "形象进度", 0, 100),
                          _money(form, "investment_done", "累计完成投资"), started, completed,
                          _text(form, "note", "进度说明", 1000, required=False), area_started, area_completed)


def check_progress_order(r: ProgressReport, prev: Any | None, nxt: Any | None) -> None:
    """Cumulative figures cannot go down from an earlier month nor exceed a later one."""
    pairs = (("progress_percent", "progress_percent", "形象进度"), ("investment_done_fen", "investment_done_fen",
                                                                   "累计完成投资"),
             ("units_started", "units_started", "累计开工套数"), ("units_completed", "units_completed", "累计竣工套数"),
             ("area_started", "area_started", "累计开工面积"), ("area_completed", "area_completed", "累计竣工面积"))
    for mine, theirs, title in pairs:
        v = getattr(r, mine)
        if prev is not None and v < getattr(prev, theirs):
            raise InvalidInput(f"{title}不能小于{prev.period}已申报的数值（累计数只增不减）", fields={mine: "小于上期"})
        if nxt is not None and v > getattr(nxt, theirs):
            raise InvalidInput(f"{title}不能大于{nxt.period}已申报的数值", fields={mine: "大于后期"})
