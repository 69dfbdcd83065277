"""Pure rules of the housing stock: unit changes, the unit table grid, Excel rows and the template."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.domains.housing.stock import unit_import
from app.domains.housing.stock import rules
from app.core.money import fen_to_yuan, parse_decimal, yuan_to_fen
from app.domains.housing.stock.schemas import ChangesIn, IntakeUnitIn


@pytest.mark.feature("GOV-06-02")
def test_numbers_sort_like_a_clerk_reads_them():
    assert sorted(["1201", "901", "1001", "B01"], key=rules.natural_key) == ["901", "1001", "1201", "B01"]
    assert sorted(["2-101", "1-1201", "1-201"], key=rules.natural_key) == ["1-201", "1-1201", "2-101"]


@pytest.mark.feature("GOV-06-02", "OPS-04-02")
def test_table_grid_has_every_floor_top_down_with_counts_and_legend():
    building = {"id": 1, "floors": 4, "basement_floors": 1}
    ents = [{"id": 20, "name": "2单元"}, {"id": 10, "name": "1单元"}]
    us = [{"id": 1, "floor": 1, "number": "102", "entrance_id": 10, "state": "available"},
          {"id": 2, "floor": 1, "number": "101", "entrance_id": 20, "state": "locked"},
          {"id": 3, "floor": 1, "number": "101A", "entrance_id": 10, "state": "available"},
          {"id": 4, "floor": 3, "number": "301", "entrance_id": None, "state": "allocated"},
          {"id": 5, "floor": -1, "number": "B01", "entrance_id": 10, "state": "not_in_stock"},
          {"id": 6, "floor": 6, "number": "601", "entrance_id": 10, "state": "available"}]
    t = rules.table_payload(building, ents, us, "v1")
    assert [f["floor"] for f in t["floors"]] == [6, 5, 4, 3, 2, 1, -1]  # a unit above the recorded top still shows
    first = next(f for f in t["floors"] if f["floor"] == 1)
    # entrance order as given (2单元 first), then numbers naturally
    assert [u["id"] for u in first["units"]] == [2, 3, 1]
    assert next(f for f in t["floors"] if f["floor"] == 5)["units"] == []
    assert t["counts"] == {"not_in_stock": 1, "available": 3, "allocated": 1, "locked": 1}
    assert t["total"] == 6 and t["columns"] == 3 and t["version"] == "v1"
    assert [x["label"] for x in t["legend"]] == ["未入库", "可配租", "已配租", "已锁定", "维修中", "已下架"]
    assert all(x["color"].startswith("#") for x in t["legend"])


@pytest.mark.feature("GOV-06-06", "BLD-02-06")
def test_change_rules_by_state():
    assert rules.change_problem("available", {}) == "请至少填写一项变更内容"
    assert "尚未入库" in rules.change_problem("not_in_stock", {"layout": "一房一厅"})
    msg = rules.change_problem("allocated", {"area": Decimal("70"), "rent_standard": Decimal("1"), "decoration": "精装"})
    assert msg.startswith("房屋已配租，不能变更建筑面积、租金标准")
    assert rules.change_problem("allocated", {"decoration": "精装", "facilities": ["空调"]}) is None
    assert rules.change_problem("available", {"delist": True}) is None
    assert rules.change_problem("locked", {"delist": True}) is None
    assert rules.change_problem("allocated", {"delist": True}).startswith("房屋已配租，不能变更下架")
    assert rules.change_problem("delisted", {"delist": True}) == "房屋当前为已下架，不能下架"
    assert rules.change_problem("available", {"delist": False}) == "房屋未下架，无需恢复上架"
    assert rules.change_problem("delisted", {"delist": False}) is None


@pytest.mark.feature("GOV-06-06")
def test_planned_change_keeps_only_real_differences():
    current = {"layout": "两房一厅", "area": "68.90", "orientation": "南", "decoration": None, "facilities": ["空调"],
               "rent_standard": "1580.00", "residential": True, "state": "available"}
    before, after = rules.planned_change(current, {"area": Decimal("68.9"), "rent_standard": Decimal("1650"),
                                                   "facilities": ["空调"], "delist": True, "residential": True})
    assert before == {"rent_standard": "1580.00", "state": "available"}
    assert after == {"rent_standard": "1650.00", "state": "delisted"}
    assert rules.planned_change(current, {"layout": "两房一厅"}) == ({}, {})


def test_amounts_are_decimals_with_chinese_errors():
    assert parse_decimal("1,580.5", "租金", positive=False, limit=Decimal(10000)) == Decimal("1580.50")
    assert yuan_to_fen(Decimal("1580.50")) == 158050 and fen_to_yuan(158050) == "1580.50" and fen_to_yuan(-5) == "-0.05"
    for bad, msg in (("abc", "应为数字"), ("1.234", "最多两位小数"), ("0", "应大于0"), ("NaN", "应为数字"),
                     ("20000", "不能超过")):
        with pytest.raises(ValueError, match=msg):
            parse_decimal(bad, "面积", positive=True, limit=Decimal(10000))
    with pytest.raises(ValueError, match="不能为负数"):
        parse_decimal("-1", "租金", positive=False, limit=Decimal(10000))


@pytest.mark.feature("GOV-06-03")
def test_one_unit_input_is_checked():
    ok = IntakeUnitIn.model_validate({"building_name": "1栋", "floor": 3, "number": "301", "area": "45.6",
                                      "rent_standard": 900, "facilities": ["空调", "空调", "宽带"]})
    assert ok.area == Decimal("45.60") and ok.rent_standard == Decimal("900.00") and ok.facilities == ["空调", "宽带"]
    from pydantic import ValidationError
    with pytest.raises(ValidationError):
        IntakeUnitIn.model_validate({"floor": 3, "number": "301", "area": "45.6"})  # no building
    with pytest.raises(ValidationError):
        IntakeUnitIn.model_validate({"building_name": "1栋", "floor": 0, "number": "1", "area": "45"})
    with pytest.raises(ValidationError):
        IntakeUnitIn.model_validate({"building_name": "1栋", "floor": 1, "number": "1", "area": "45",
                                     "inner_area": "46"})
    with pytest.raises(ValidationError):
        IntakeUnitIn.model_validate({"building_name": "1栋", "floor": 1, "number": "1", "area": "45",
                                     "facilities": ["游泳池"]})
    assert ChangesIn.model_validate({"area": "70.2", "delist": False}).given() == {"area": Decimal("70.20"),
                                                                                  "delist": False}


# ---------------------------------------------------------------- Excel rows

GOOD = ("2栋", "1单元", 5, 502, "440703001001GB00101F00020502", "一房一厅", 45.6, "36.8", "非住宅", "南北", "简装",
        "空调、热水器，宽带", "1,200.5")


@pytest.mark.feature("GOV-06-03")
def test_a_good_row_becomes_a_draft():
    d, errs = unit_import.validate_row(7, GOOD)
    assert errs == []
    assert (d.building_name, d.entrance_name, d.floor, d.number, d.row) == ("2栋", "1单元", 5, "502", 7)
    assert (d.area, d.inner_area, d.residential, d.rent_fen) == (Decimal("45.60"), Decimal("36.80"), False, 120050)
    assert d.facilities == ["空调", "热水器", "宽带"] and d.register_id.endswith("0502")


@pytest.mark.feature("GOV-06-03")
def test_a_bad_row_reports_every_column_in_chinese():
    row = ("", "", "十二", "", "123", "", "-3", "50", "商住", "朝南", "豪装", "游泳池", "abc")
    d, errs = unit_import.validate_row(9, row)
    assert d is None
    by_col = {e["column"]: e["message"] for e in errs}
    assert all(e["row"] == 9 for e in errs)
    assert by_col["楼栋"] == "必填" and by_col["房号"] == "必填" and by_col["建筑面积（㎡）"] == "建筑面积应大于0"
    assert "整数" in by_col["楼层"] and "28位" in by_col["不动产单元号"]
    assert "住宅" in by_col["住宅/非住宅"] and "南北" in by_col["朝向"] and "精装" in by_col["装修"]
    assert "游泳池" in by_col["配套设施"] and by_col["租金标准（元/月）"] == "租金标准应为数字"
    _, errs = unit_import.validate_row(3, ("1栋", None, 1.0, "101", None, None, 40, 41, None, None, None, None, None))
    assert errs == [{"row": 3, "column": "套内面积（㎡）", "message": "套内面积不能大于建筑面积"}]
    _, errs = unit_import.validate_row(4, ("1栋", None, 2.5, "101", None, None, 40, None, None, None, None, None, None))
    assert errs[0]["column"] == "楼层"


@pytest.mark.feature("GOV-06-03")
def test_template_has_headers_example_lists_and_reads_back():
    data = unit_import.template_bytes()
    wb = load_workbook(io.BytesIO(data))
    ws = wb["房源"]
    assert [c.value for c in ws[1]][:4] == ["楼栋*", "单元", "楼层*", "房号*"]
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("住宅,非住宅" in f for f in lists.values()) and any("精装" in (f or "") for f in lists.values())
    assert "填写说明" in wb.sheetnames
    rows = unit_import.read_rows(data)
    assert len(rows) == 1 and rows[0][0] == 2 and unit_import.is_example(rows[0][1])
    d, errs = unit_import.validate_row(2, rows[0][1])
    assert errs == [] and d.number == "1201"


def test_a_foreign_or_broken_file_is_refused_in_chinese():
    from app.core.errors import InvalidInput
    with pytest.raises(InvalidInput, match="无法读取"):
        unit_import.read_rows(b"not a workbook")
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["楼栋", "单元", "层"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InvalidInput, match="第3列应为“楼层”"):
        unit_import.read_rows(buf.getvalue())


@pytest.mark.feature("GOV-06-02", "GOV-06-03")
def test_a_unit_is_named_by_building_entrance_and_number():
    assert rules.unit_label("1栋", "2单元", "101") == "1栋2单元101"
    assert rules.unit_label("A座", None, "301") == "A座301"
    # both 101s of a building numbered per entrance land in their own entrance's columns
    building = {"id": 1, "floors": 1, "basement_floors": 0}
    ents = [{"id": 10, "name": "1单元"}, {"id": 20, "name": "2单元"}]
    us = [{"id": 1, "floor": 1, "number": "101", "entrance_id": 20, "state": "available"},
          {"id": 2, "floor": 1, "number": "101", "entrance_id": 10, "state": "available"}]
    t = rules.table_payload(building, ents, us, "v1")
    assert [u["id"] for u in t["floors"][0]["units"]] == [2, 1] and t["total"] == 2


@pytest.mark.feature("GOV-06-03")
def test_layouts_are_checked_against_the_configured_list():
    from app.domains.housing.stock.schemas import LAYOUTS, layout_problem
    assert layout_problem("两房一厅") is None and "两房一厅" in LAYOUTS
    assert layout_problem("440703199001011234") == (
        "户型“440703199001011234”不在配置的户型中，可选：" + "、".join(LAYOUTS))
    row = ("1栋", "1单元", 3, "301", None, "440703199001011234", "68.90", None, "住宅", None, None, None, None)
    draft, errors = unit_import.validate_row(5, row)
    assert draft is None and [(e["row"], e["column"]) for e in errors] == [(5, "户型")]
    with pytest.raises(ValueError, match="不在配置的户型中"):
        ChangesIn(layout="三房")
    with pytest.raises(ValueError, match="不在配置的户型中"):
        IntakeUnitIn(building_name="1栋", floor=1, number="101", area="45", layout="身份证号")
    assert IntakeUnitIn(building_name="1栋", floor=1, number="101", area="45", layout=" 一房一厅 ").layout == "一房一厅"


@pytest.mark.feature("GOV-06-03")
def test_the_import_counts_its_rows_from_the_sheet_without_the_example():
    def book(example: bool, n: int) -> bytes:
        wb = load_workbook(io.BytesIO(unit_import.template_bytes()))
        ws = wb["房源"]
        if not example:
            ws.delete_rows(2)
        for i in range(n):
            ws.append(["1栋", "1单元", 1, f"1{i:02d}", None, None, 45, None, None, None, None, None, None])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    assert unit_import.count_rows(book(True, 7)) == 7
    assert unit_import.count_rows(book(False, 7)) == 7
    assert unit_import.count_rows(book(True, 0)) == 0
    assert unit_import.count_rows(b"not a workbook") == 0


@pytest.mark.feature("GOV-06-03")
def test_a_plan_lists_the_buildings_it_would_create():
    from app.domains.housing.stock.intake import Draft, Plan
    d = [Draft(building_name=b, floor=1, number=n, area=Decimal("45"), row=r)
         for b, n, r in (("1栋", "101", 3), ("99栋", "101", 9), ("99栋", "102", 7), ("2栋", "101", 4))]
    plan = Plan(inserts=d[:3], updates=[(5, d[3])])
    assert plan.new_buildings({"1栋"}) == [{"name": "2栋", "unit_count": 1, "first_row": 4},
                                           {"name": "99栋", "unit_count": 2, "first_row": 7}]
    assert plan.keep({7, 9}).new_buildings({"1栋"}) == [{"name": "2栋", "unit_count": 1, "first_row": 4}]
