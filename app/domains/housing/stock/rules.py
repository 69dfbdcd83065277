"""The stock's pure rules: unit states and their colours, which change a unit in a state may take,
what a change really changes, the order of units on a floor, the unit table's grid, a unit's name.
No I/O: callers load the rows and pass plain values in."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.core.area import format_area
from app.domains.housing.stock.models import UNIT_STATES

STATE_COLORS = {"not_in_stock": "#C0C4CC", "available": "#67C23A", "allocated": "#409EFF", "locked": "#F56C6C",
                "repairing": "#E6A23C", "delisted": "#909399"}
LEGEND = [{"state": s, "label": label, "color": STATE_COLORS[s]} for s, label in UNIT_STATES.items()]
HISTORY_ACTIONS = {"intake": "入库", "change": "变更", "lock": "锁定", "unlock": "解锁", "state": "状态变更"}
CHANGE_LABELS = {"layout": "户型", "area": "建筑面积", "orientation": "朝向", "decoration": "装修",
                 "facilities": "配套设施", "rent_standard": "租金标准", "residential": "住宅/非住宅",
                 "delist": "下架/恢复上架"}
# A let unit keeps its area, layout, rent and use until the lease changes; descriptions may be corrected.
ALLOWED_WHEN_ALLOCATED = {"orientation", "decoration", "facilities"}
DELISTABLE = {"available", "locked", "repairing"}


def state_label(state: str) -> str:
    return UNIT_STATES.get(state, state)


def natural_key(number: str) -> tuple:
    """1201 after 901, 2-101 after 1-1201: compare the digit runs as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", number or "") if p)


def change_problem(state: str, changes: dict[str, Any]) -> str | None:
    """Why a unit change may not be applied to a unit in `state` now, or None."""
    if not changes:
        return "请至少填写一项变更内容"
    if state == "not_in_stock":
        return "房屋尚未入库，不能办理变更（入库前的房屋请在入库申请中修改）"
    if state == "allocated":
        blocked = [CHANGE_LABELS[k] for k in changes if k not in ALLOWED_WHEN_ALLOCATED]
        if blocked:
            return f"房屋已配租，不能变更{'、'.join(blocked)}；已配租房屋只能变更朝向、装修和配套设施"
    if changes.get("delist") is True and state not in DELISTABLE:
        return f"房屋当前为{state_label(state)}，不能下架"
    if changes.get("delist") is False and state != "delisted":
        return "房屋未下架，无需恢复上架"
    return None


def planned_change(current: dict[str, Any], changes: dict[str, Any]) -> tuple[dict, dict]:
    """(before, after) of the fields that really change; `delist` becomes a state change."""
    before, after = {}, {}
    for k, v in changes.items():
        if k == "delist":
            target = "delisted" if v else "available"
            if current["state"] != target:
                before["state"], after["state"] = current["state"], target
            continue
        new = format_area(v) if k == "area" else (f"{Decimal(v):.2f}" if k == "rent_standard" else v)
        if current.get(k) != new:
            before[k], after[k] = current.get(k), new
    return before, after


def table_payload(building: dict, entrances: list[dict], units: list[dict], version: str) -> dict:
    """The grid of one building: every floor from the top down (then basements), units in entrance
    order then by number, with counts by state and the legend."""
    order = {e["id"]: i for i, e in enumerate(entrances)}
    by_floor: dict[int, list[dict]] = {}
    counts: dict[str, int] = {}
    for u in units:
        by_floor.setdefault(u["floor"], []).append(u)
        counts[u["state"]] = counts.get(u["state"], 0) + 1
    top = max([building["floors"], *by_floor]) if by_floor else building["floors"]
    low = min([-building["basement_floors"], *by_floor]) if by_floor else -building["basement_floors"]
    floors = []
    for f in [*range(top, 0, -1), *range(-1, low - 1, -1)]:
        row = sorted(by_floor.get(f, []), key=lambda u: (order.get(u["entrance_id"], len(order)),
                                                          natural_key(u["number"])))
        floors.append({"floor": f, "units": row})
    return {"building": building, "entrances": entrances, "floors": floors,
            "columns": max((len(f["units"]) for f in floors), default=0),
            "counts": {s: counts[s] for s in UNIT_STATES if s in counts}, "total": len(units),
            "legend": LEGEND, "version": version}


def unit_label(building: str | None, entrance: str | None, number: str) -> str:
    """How a clerk names a unit: 1栋2单元101 (the entrance only when the unit has one)."""
    return f"{building or ''}{entrance or ''}{number}"
