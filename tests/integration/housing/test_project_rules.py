"""The pure parts of projects and plans: reading case forms, money, coordinates, cumulative progress
and plan versus actual. No database."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from app.core.errors import InvalidInput
from app.domains.housing.plans import rules as plans
from app.domains.housing.projects import rules as projects
from app.domains.housing.projects import schemas as S
from app.domains.housing.projects.models import SUPPLY_MODES, ProjectProgress
from app.workflow import forms
from app.core import coords

pytestmark = pytest.mark.feature("BLD-01-02", "GOV-05-03", "GOV-04-02")
TODAY = dt.date(2026, 11, 26)


def form(**kw) -> dict:
    lng, lat = coords.wgs84_to_bd09(113.0748, 22.5812)
    return {"project_name": "滨江保障公寓", "address": "江门市蓬江区白沙大道西88号", "supply_mode": "新建",
            "building_area": 26000, "planned_units": 396, "investment": 150000000.25, "lng": lng, "lat": lat,
            "buildings": "1栋:33:264\n2栋:17:132", "note": "说明"} | kw


def test_the_declaration_form_offers_exactly_the_supply_modes():
    rule = next(r for r in forms.DEFAULT_FORMS["project_declaration"] if r["field"] == "supply_mode")
    assert [o["value"] for o in rule["options"]] == list(SUPPLY_MODES.values())
    fields = {r["field"] for r in forms.DEFAULT_FORMS["project_declaration"]}
    assert {"project_name", "address", "supply_mode", "building_area", "planned_units", "investment", "lng", "lat",
            "buildings"} <= fields
    assert {r["field"] for r in forms.DEFAULT_FORMS["progress_report"]} >= \
        {"period", "progress_percent", "investment_done", "units_started", "units_completed", "area_started",
         "area_completed"}
    assert {r["field"] for r in forms.DEFAULT_FORMS["project_exit"]} == {"project_name", "exit_reason"}


@pytest.mark.parametrize("text,ok", [
    ("1栋:33:396", True), ("1栋：33：396\r\n2栋 : 17 : 132\n", True), (" A座:1:0", True),
    ("1栋:33", False), ("1栋:三十:396", False), (":33:396", False), ("1栋:33:396:1", False),
])
def test_form_pattern_and_parser_agree_on_building_lines(text, ok):
    pattern = next(r for r in forms.DEFAULT_FORMS["project_declaration"] if r["field"] == "buildings")
    regex = next(v["pattern"] for v in pattern["validate"] if v.get("pattern"))
    assert bool(re.fullmatch(regex, text)) is ok
    if ok:
        assert projects.parse_buildings(text)
    else:
        with pytest.raises(InvalidInput):
            projects.parse_buildings(text)


def test_parse_buildings_checks_names_floors_and_sizes():
    assert projects.parse_buildings("1栋：33：264\n\n2栋:17:132 ") == [
        {"name": "1栋", "floors": 33, "planned_units": 264}, {"name": "2栋", "floors": 17, "planned_units": 132}]
    assert projects.parse_buildings("") == [] and projects.parse_buildings(None) == []
    for bad, why in (("1栋:33:1\n1栋:2:1", "重复"), ("1栋:0:1", "层数"), ("1栋:201:1", "层数"),
                     ("x:1:9999999", "套数"), ("\n".join(f"{i}栋:1:1" for i in range(501)), "最多")):
        with pytest.raises(InvalidInput, match=why):
            projects.parse_buildings(bad)
    with pytest.raises(InvalidInput) as e:
        projects.parse_buildings("1栋:1:1\n2栋 一层")
    assert "第2行" in e.value.message


def test_parse_declaration():
    d = projects.parse_declaration(form())
    assert (d.name, d.supply_mode, d.unit_count, d.total_investment_fen) == ("滨江保障公寓", "new_build", 396, 15000000025)
    assert str(d.building_area) == "26000.00" and d.land_area is None and d.description == "说明"
    assert coords.distance_m(float(d.point.lng_wgs84), float(d.point.lat_wgs84), 113.0748, 22.5812) < 0.5
    assert projects.parse_declaration(form(supply_mode="idle")).supply_mode == "idle"  # codes are read too
    for bad, field in ((form(supply_mode="转化"), "supply_mode"), (form(lng=116.4, lat=39.9), "location"),
                       (form(lng=None), "lng"), (form(planned_units=0), "planned_units"),
                       (form(planned_units=100), "buildings"), (form(investment="1.001"), "investment"),
                       (form(investment=True), "investment"), (form(project_name="  "), "project_name"),
                       (form(building_area=-3), "building_area")):
        with pytest.raises(InvalidInput) as e:
            projects.parse_declaration(bad)
        assert field in e.value.fields, (field, e.value.message, e.value.fields)
        assert re.search(r"[\u4e00-\u9fff]", e.value.message)


def test_make_point_converts_and_keeps_points_in_jiangmen():
    p = projects.make_point(113.087, 22.59, "wgs84")
    assert (float(p.lng_wgs84), float(p.lat_wgs84)) == (113.087, 22.59)
    back = coords.bd09_to_wgs84(float(p.lng_bd09), float(p.lat_bd09))
    assert coords.distance_m(*back, 113.087, 22.59) < 0.5
    for lng, lat in ((0, 0), (116.4, 39.9), (113.6, 22.5), ("东经", 22.5), (float("nan"), 22.5)):
        with pytest.raises(InvalidInput):
            projects.make_point(lng, lat)


def test_money_and_area():
    assert S.yuan_to_fen("1,580.5") == 158050 and S.yuan_to_fen(1580) == 158000 and S.yuan_to_fen("0.01") == 1
    assert S.fen_to_yuan(158050) == "1580.50" and S.fen_to_yuan(5) == "0.05" and S.fen_to_yuan(-150) == "-1.50"
    assert S.fen_to_yuan(None) is None
    for bad in ("1.234", -1, "abc", "NaN", "Infinity", True, None, "1e30"):
        with pytest.raises(ValueError):
            S.yuan_to_fen(bad)
    assert S.area_out(S.to_area("12.5")) == "12.50"


def test_progress_reports_read_and_ordered():
    r = projects.parse_progress({"period": "2026-10", "progress_percent": 45, "investment_done": 1000.5,
                                 "units_started": 10, "units_completed": 2}, TODAY)
    assert (r.period, r.investment_done_fen, r.units_started) == ("2026-10", 100050, 10)
    for bad, field in (({"period": "2026-13"}, "period"), ({"period": "2026-12"}, "period"),
                       ({"units_completed": 11}, "units_completed"), ({"progress_percent": 101}, "progress_percent"),
                       ({"progress_percent": 4.5}, "progress_percent")):
        base = {"period": "2026-10", "progress_percent": 45, "investment_done": 1, "units_started": 10,
                "units_completed": 2}
        with pytest.raises(InvalidInput) as e:
            projects.parse_progress(base | bad, TODAY)
        assert field in e.value.fields
    projects.check_progress_order(r, None, None)
    with pytest.raises(InvalidInput, match="不能小于2026-09"):
        projects.check_progress_order(r, _row("2026-09", pct=50), None)
    with pytest.raises(InvalidInput, match="不能大于2026-11"):
        projects.check_progress_order(r, None, _row("2026-11", pct=40))
    projects.check_progress_order(r, _row("2026-09", pct=45), _row("2026-11", pct=46))


def _row(period: str, *, pct: int, area_started: str = "0", area_completed: str = "0"):  # noqa: ANN202
    return ProjectProgress(period=period, progress_percent=pct, investment_done_fen=100050, units_started=10,
                           units_completed=2, area_started=Decimal(area_started),
                           area_completed=Decimal(area_completed))


@pytest.mark.feature("GOV-05-06", "GOV-05-07", "BLD-01-06", "BLD-01-07")
def test_progress_areas_are_optional_cumulative_figures():
    base = {"period": "2026-10", "progress_percent": 45, "investment_done": 1000.5, "units_started": 10,
            "units_completed": 2}
    r = projects.parse_progress(base, TODAY)
    assert (r.area_started, r.area_completed) == (Decimal("0.00"), Decimal("0.00"))  # not asked for before
    r = projects.parse_progress(base | {"area_started": "6,000.5", "area_completed": 1200}, TODAY)
    assert (r.area_started, r.area_completed) == (Decimal("6000.50"), Decimal("1200.00"))
    assert str(r.area_started) == "6000.50"
    for bad, field, why in (({"area_started": -1}, "area_started", "累计开工面积不能为负数"),
                            ({"area_started": "12.345"}, "area_started", "累计开工面积最多两位小数"),
                            ({"area_started": "很多"}, "area_started", "累计开工面积应为数字"),
                            ({"area_started": True}, "area_started", "“累计开工面积”应为数字"),
                            ({"area_completed": "1e30"}, "area_completed", "累计竣工面积过大"),
                            ({"area_started": 100, "area_completed": "100.01"}, "area_completed",
                             "累计竣工面积不能超过累计开工面积"),
                            ({"area_completed": 1}, "area_completed", "累计竣工面积不能超过累计开工面积")):
        with pytest.raises(InvalidInput) as e:
            projects.parse_progress(base | bad, TODAY)
        assert field in e.value.fields and why in e.value.message, (bad, e.value.message)
    projects.check_progress_order(r, _row("2026-09", pct=45, area_started="6000.50", area_completed="1200"),
                                  _row("2026-11", pct=45, area_started="6000.50", area_completed="1200"))
    with pytest.raises(InvalidInput, match="累计开工面积不能小于2026-09已申报的数值") as e:
        projects.check_progress_order(r, _row("2026-09", pct=45, area_started="6000.51"), None)
    assert "area_started" in e.value.fields
    with pytest.raises(InvalidInput, match="累计竣工面积不能小于2026-09") as e:
        projects.check_progress_order(r, _row("2026-09", pct=45, area_completed="1200.01"), None)
    assert "area_completed" in e.value.fields
    with pytest.raises(InvalidInput, match="累计竣工面积不能大于2026-11已申报的数值"):
        projects.check_progress_order(r, None, _row("2026-11", pct=45, area_started="9000", area_completed="1000"))


def test_plan_versus_actual_uses_cumulative_figures():
    reports = [plans.Report("2025-12", 20, 0, 100, 10), plans.Report("2026-03", 60, 10, 400, 40),
               plans.Report("2026-08", 90, 30, 700, 70), plans.Report("2027-01", 100, 80, 900, 90)]
    assert plans.year_actual(reports, 2026) == {"units_started": 70, "units_completed": 30,
                                                "investment_done_fen": 600, "area_started": Decimal("0.00"),
                                                "area_completed": Decimal("0.00"), "progress_percent": 70,
                                                "last_period": "2026-08"}
    assert plans.year_actual(reports, 2026, until_month=2)["units_started"] == 0
    assert plans.year_actual(reports, 2025)["units_started"] == 20  # the first year counts from zero
    assert plans.year_actual([], 2026)["last_period"] is None
    out = plans.plan_vs_actual(2026, [{"project_id": 1, "units_start": 100, "units_complete": 0,
                                       "area_start": Decimal(0), "area_complete": Decimal(0),
                                       "planned_investment_fen": 1000}], {1: reports})
    assert out["totals"]["rate"] == {"units_start": 0.7, "units_complete": None, "area_start": None,
                                     "area_complete": None, "investment": 0.6}
    assert [m["units_started"] for m in out["monthly"]] == [0, 0, 40, 40, 40, 40, 40, 70, 70, 70, 70, 70]


def _area_reports(*rows: tuple[str, str, str]) -> list:
    return [plans.Report(p, 0, 0, 0, 0, Decimal(s), Decimal(c)) for p, s, c in rows]


@pytest.mark.feature("GOV-04-02", "GOV-05-07", "BLD-01-07")
def test_plan_versus_actual_compares_area_exactly():
    a = _area_reports(("2025-11", "1000.10", "0"), ("2026-04", "4000.20", "500.05"), ("2026-09", "7000.30", "2000.15"),
                      ("2027-02", "9000", "9000"))
    got = plans.year_actual(a, 2026)
    # This year's growth over last year's end, to the hundredth of a square metre.
    assert (got["area_started"], got["area_completed"]) == (Decimal("6000.20"), Decimal("2000.15"))
    assert isinstance(got["area_started"], Decimal) and got["last_period"] == "2026-09"
    assert plans.year_actual(a, 2026, until_month=3)["area_started"] == Decimal("0.00")
    assert plans.year_actual([], 2026)["area_completed"] == Decimal("0.00")
    # A cumulative figure that went down (data entered before the rules) never counts as negative.
    assert plans.year_actual(_area_reports(("2025-12", "50", "10"), ("2026-01", "40", "5")), 2026)["area_started"] \
        == Decimal("0.00")
    b = _area_reports(("2026-06", "0.10", "0.10"))
    targets = [{"project_id": 1, "units_start": 0, "units_complete": 0, "area_start": Decimal("12000.40"),
                "area_complete": Decimal("0.00"), "planned_investment_fen": 0},
               {"project_id": 2, "units_start": 0, "units_complete": 0, "area_start": Decimal("0.20"),
                "area_complete": Decimal("0.30"), "planned_investment_fen": 0}]
    out = plans.plan_vs_actual(2026, targets, {1: a, 2: b})
    first, second = out["items"]
    assert first["rate"]["area_start"] == 0.5 and first["rate"]["area_complete"] is None  # no target, no rate
    assert second["rate"] == {"units_start": None, "units_complete": None, "area_start": 0.5, "area_complete": 0.3333,
                              "investment": None}
    t, act = out["totals"]["target"], out["totals"]["actual"]
    assert (t["area_start"], t["area_complete"]) == (Decimal("12000.60"), Decimal("0.30"))
    assert (act["area_started"], act["area_completed"]) == (Decimal("6000.30"), Decimal("2000.25"))
    assert all(isinstance(v, Decimal) for v in (t["area_start"], act["area_started"], act["area_completed"]))
    assert out["totals"]["rate"]["area_start"] == round(6000.30 / 12000.60, 4)
    assert out["totals"]["rate"]["area_complete"] == round(2000.25 / 0.30, 4)
    months = {m["period"]: m for m in out["monthly"]}
    assert months["2026-03"]["area_started"] == Decimal("0.00")
    assert months["2026-06"]["area_started"] == Decimal("3000.20")  # 3000.10 + 0.10
    assert months["2026-12"]["area_completed"] == Decimal("2000.25")
