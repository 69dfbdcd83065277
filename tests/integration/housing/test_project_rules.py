"""The pure parts of projects and plans: reading case forms, money, coordinates, cumulative progress
and plan versus actual. No database."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.core.errors import InvalidInput
from app.domains.housing import plans, projects
from app.domains.housing import schemas_projects as S
from app.domains.housing.models import SUPPLY_MODES
from app.workflow import forms
from exchange.adapters import coords

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
        {"period", "progress_percent", "investment_done", "units_started", "units_completed"}
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


def _row(period: str, *, pct: int):  # noqa: ANN202
    from app.domains.housing.models import ProjectProgress
    return ProjectProgress(period=period, progress_percent=pct, investment_done_fen=100050, units_started=10,
                           units_completed=2)


def test_plan_versus_actual_uses_cumulative_figures():
    reports = [plans.Report("2025-12", 20, 0, 100, 10), plans.Report("2026-03", 60, 10, 400, 40),
               plans.Report("2026-08", 90, 30, 700, 70), plans.Report("2027-01", 100, 80, 900, 90)]
    assert plans.year_actual(reports, 2026) == {"units_started": 70, "units_completed": 30,
                                                "investment_done_fen": 600, "progress_percent": 70,
                                                "last_period": "2026-08"}
    assert plans.year_actual(reports, 2026, until_month=2)["units_started"] == 0
    assert plans.year_actual(reports, 2025)["units_started"] == 20  # the first year counts from zero
    assert plans.year_actual([], 2026)["last_period"] is None
    out = plans.plan_vs_actual(2026, [{"project_id": 1, "units_start": 100, "units_complete": 0,
                                       "planned_investment_fen": 1000}], {1: reports})
    assert out["totals"]["rate"] == {"units_start": 0.7, "units_complete": None, "investment": 0.6}
    assert [m["units_started"] for m in out["monthly"]] == [0, 0, 40, 40, 40, 40, 40, 70, 70, 70, 70, 70]
