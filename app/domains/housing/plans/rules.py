"""Plans' pure rules: plan versus actual from cumulative monthly reports. No I/O: the service
loads the targets and reports and passes them in."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO_AREA = Decimal("0.00")  # ㎡; areas are summed as Decimal, never float


@dataclass(frozen=True)
class Report:
    period: str  # YYYY-MM
    units_started: int
    units_completed: int
    investment_done_fen: int
    progress_percent: int
    area_started: Decimal = ZERO_AREA  # ㎡, cumulative like the units
    area_completed: Decimal = ZERO_AREA


def _latest(reports: Iterable[Report], until: str) -> Report | None:
    best = None
    for r in reports:
        if r.period <= until and (best is None or r.period > best.period):
            best = r
    return best


def year_actual(reports: list[Report], year: int, until_month: int = 12) -> dict:
    """What a project achieved in `year` up to `until_month`, from cumulative reports:
    the latest cumulative figures in the year minus those at the end of the year before."""
    base = _latest(reports, f"{year - 1}-12")
    last = _latest(reports, f"{year}-{until_month:02d}")
    if last is None or last.period < f"{year}-01":
        return {"units_started": 0, "units_completed": 0, "investment_done_fen": 0,
                "area_started": ZERO_AREA, "area_completed": ZERO_AREA,
                "progress_percent": base.progress_percent if base else None, "last_period": None}
    b = base or Report("", 0, 0, 0, 0)
    return {"units_started": max(0, last.units_started - b.units_started),
            "units_completed": max(0, last.units_completed - b.units_completed),
            "investment_done_fen": max(0, last.investment_done_fen - b.investment_done_fen),
            "area_started": max(ZERO_AREA, last.area_started - b.area_started),
            "area_completed": max(ZERO_AREA, last.area_completed - b.area_completed),
            "progress_percent": last.progress_percent, "last_period": last.period}


def _rate(actual: int | Decimal, target: int | Decimal) -> float | None:
    # Exact division first; only the ratio shown to people becomes a float.
    return None if not target else round(float(Decimal(actual) / Decimal(target)), 4)


# rate -> (actual key, target key)
_RATES = {"units_start": ("units_started", "units_start"), "units_complete": ("units_completed", "units_complete"),
          "area_start": ("area_started", "area_start"), "area_complete": ("area_completed", "area_complete"),
          "investment": ("investment_done_fen", "planned_investment_fen")}


def _rates(a: dict, t: dict) -> dict:
    return {name: _rate(a[ak], t[tk]) for name, (ak, tk) in _RATES.items()}


def plan_vs_actual(year: int, targets: list[dict], reports: dict[int, list[Report]]) -> dict:
    """targets: [{project_id, units_start, units_complete, area_start, area_complete, planned_investment_fen}]
    (areas as Decimal ㎡) -> items, totals, monthly. Sums stay exact: int counts and fen, Decimal areas."""
    items = []
    tot_t = {"units_start": 0, "units_complete": 0, "area_start": ZERO_AREA, "area_complete": ZERO_AREA,
             "planned_investment_fen": 0}
    tot_a = {"units_started": 0, "units_completed": 0, "investment_done_fen": 0, "area_started": ZERO_AREA,
             "area_completed": ZERO_AREA}
    for t in targets:
        a = year_actual(reports.get(t["project_id"], []), year)
        for k in tot_t:
            tot_t[k] += t[k]
        for k in tot_a:
            tot_a[k] += a[k]
        items.append({"target": t, "actual": a, "rate": _rates(a, t)})
    monthly = []
    for m in range(1, 13):
        acc = {"units_started": 0, "units_completed": 0, "investment_done_fen": 0, "area_started": ZERO_AREA,
               "area_completed": ZERO_AREA}
        for t in targets:
            a = year_actual(reports.get(t["project_id"], []), year, m)
            for k in acc:
                acc[k] += a[k]
        monthly.append({"period": f"{year}-{m:02d}", **acc})
    return {"items": items, "totals": {"target": tot_t, "actual": tot_a, "rate": _rates(tot_a, tot_t)},
            "monthly": monthly}


def _pct(r: object) -> str:
    return "" if r is None else f"{Decimal(str(r)) * 100:.1f}".rstrip("0").rstrip(".") + "%"


def plan_progress_table(p: dict) -> list[dict]:
    """The plan-vs-actual figures of `plan_progress` as flat rows (one per project, the total, then
    the month-by-month cumulative actuals), for the xlsx export."""
    def row(code: str, name: str, t: dict, a: dict, r: dict) -> dict:
        return {"project_code": code, "project_name": name,
                "units_start": t.get("units_start"), "units_started": a.get("units_started"),
                "units_start_rate": _pct(r.get("units_start")),
                "units_complete": t.get("units_complete"), "units_completed": a.get("units_completed"),
                "units_complete_rate": _pct(r.get("units_complete")),
                "planned_investment": t.get("planned_investment"), "investment_done": a.get("investment_done"),
                "investment_rate": _pct(r.get("investment")),
                "area_start": t.get("area_start"), "area_started": a.get("area_started"),
                "area_start_rate": _pct(r.get("area_start")),
                "area_complete": t.get("area_complete"), "area_completed": a.get("area_completed"),
                "area_complete_rate": _pct(r.get("area_complete")),
                "progress_percent": a.get("progress_percent"), "period": a.get("last_period")}
    rows = [row(i["project_code"], i["project_name"], i["target"], i["actual"], i["rate"]) for i in p["items"]]
    rows.append(row("", "合计", p["totals"]["target"], p["totals"]["actual"], p["totals"]["rate"]))
    rows += [row("", f"{m['period']} 累计", {}, m, {}) for m in p["monthly"]]
    return rows
