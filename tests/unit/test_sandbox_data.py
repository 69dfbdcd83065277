"""The sandbox's synthetic people: valid ID numbers, deterministic answers, the personas' situations."""
from __future__ import annotations

from datetime import date

from app.core.idcard import id_number_error
from sandbox import data

TODAY = date(2026, 11, 26)


def test_every_persona_has_a_valid_id_number_and_a_distinct_situation():
    assert len(data.PERSONAS) >= 12
    for p in data.PERSONAS.values():
        assert id_number_error(p.id_number) is None, p.id_number
    assert len({p.situation for p in data.PERSONAS.values()}) == len(data.PERSONAS)


def test_credit_codes_carry_the_gb32100_check_character():
    # A widely cited valid code: its check character is 3.
    assert data.credit_code("91350100M000100Y4") == "91350100M000100Y43"
    for _, code in data.EMPLOYERS:
        assert data.credit_code(code[:17]) == code


def test_ordinary_people_are_deterministic_and_clear_of_disqualifiers():
    someone = data.id_number("44070319930303123")
    assert data.income(someone, 12, TODAY) == data.income(someone, 12, TODAY)
    assert [m["month"] for m in data.income(someone, 3, TODAY)] == ["2026-08", "2026-09", "2026-10"]
    assert data.properties([{"id_number": someone, "name": "某人"}])[0]["properties"] == []
    assert data.companies(someone) == [] and data.vehicles(someone) == []
    c = data.civil(someone)
    assert c["marital_status"] == "single" and not c["subsistence_allowance"]
    assert data.identity("任何姓名", someone)["result"] == "match"
    ins = data.insurance(someone, TODAY)
    assert ins["status"] == "active" and 12 <= ins["continuous_months"] <= ins["months_paid_jiangmen"] <= 120


def test_residence_follows_the_id_numbers_region():
    local = data.hukou(data.id_number("44078119900101000"), "台山人")
    assert local["in_jiangmen"] and local["address"].startswith("广东省江门市台山市")
    away = data.hukou(data.id_number("43010519900101000"), "长沙人")
    assert not away["in_jiangmen"] and away["address"].startswith("湖南省")


def test_monthly_tax_follows_the_bracket_table():
    assert data.monthly_tax_fen(500_000) == 0
    # 10,000 yuan: taxable 10000 - 5000 - 1050 = 3950 -> 10 % - 210 = 185 yuan.
    assert data.monthly_tax_fen(1_000_000) == 18_500
    # 8,000 yuan: taxable 8000 - 5000 - 840 = 2160, inside the 3 % bracket: 64.80 yuan.
    assert data.monthly_tax_fen(800_000) == 6_480


def test_unit_table_register_ids_are_unique_and_28_characters():
    ids = [u["register_id"] for p in data.PROJECTS for b in data.project_table(p)["buildings"] for u in b["units"]]
    assert len(ids) == len(set(ids)) and {len(i) for i in ids} == {28}
    assert data.find_unit(ids[0])[0].code == "JMP0001"
    assert data.unit_table("悦府", None, None, False)["projects"][0]["project_code"] == "JMP0003"
