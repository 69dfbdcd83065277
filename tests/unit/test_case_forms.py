"""Form rules, field permissions and the server-side validation of form data (pure)."""
from __future__ import annotations

import pytest

from app.core.errors import InvalidInput
from app.workflow import forms
from app.workflow.case_types import CASE_TYPES
from app.workflow.engine import default_process

pytestmark = pytest.mark.feature("SYS-01")
RULES = forms.DEFAULT_FORMS["eligibility_application"]
EDIT_ALL = {r["field"]: forms.EDIT for r in forms.fields_of(RULES)}


def test_every_case_type_has_a_default_form_whose_perms_name_real_steps():
    assert set(forms.DEFAULT_FORMS) == set(CASE_TYPES)
    for key, rules in forms.DEFAULT_FORMS.items():
        forms.check_rules(rules)
        steps = list(default_process(key).steps)
        forms.check_field_perms({}, rules, steps)


def test_complete_form_passes_and_unknown_or_bad_values_are_listed():
    ok = forms.validate(RULES, {"household_size": 3, "monthly_income": 4200.5, "current_housing": "借住",
                                "reason": "无房"}, EDIT_ALL)
    assert ok["household_size"] == 3
    with pytest.raises(InvalidInput) as e:
        forms.validate(RULES, {"household_size": 0, "monthly_income": "多", "current_housing": "别墅",
                               "reason": "x" * 1001, "nope": 1}, EDIT_ALL)
    assert set(e.value.fields) == {"household_size", "monthly_income", "current_housing", "reason", "nope"}
    assert "不能小于1" in e.value.fields["household_size"]
    with pytest.raises(InvalidInput) as e:
        forms.validate(RULES, {"household_size": 2.5}, EDIT_ALL, complete=False)
    assert "整数" in e.value.fields["household_size"]


def test_required_fields_are_checked_only_on_a_complete_submit():
    assert forms.validate(RULES, {"household_size": 2}, EDIT_ALL, complete=False) == {"household_size": 2}
    with pytest.raises(InvalidInput) as e:
        forms.validate(RULES, {"household_size": 2}, EDIT_ALL)
    assert {"monthly_income", "current_housing", "reason"} <= set(e.value.fields)


def test_step_permissions_hide_lock_and_refuse():
    perms = forms.perms_for(RULES, {"first_review": {"reason": "hidden", "work_unit": "edit"}}, "first_review", False)
    assert perms["reason"] == forms.HIDDEN and perms["work_unit"] == forms.EDIT and perms["household_size"] == "read"
    schema = {r["field"]: r for r in forms.schema_for(RULES, perms)}
    assert "reason" not in schema and schema["household_size"]["props"]["disabled"] is True
    assert "disabled" not in schema["work_unit"].get("props", {})
    assert forms.visible_data({"reason": "秘密", "work_unit": "A"}, perms) == {"work_unit": "A"}
    current = {"household_size": 3, "work_unit": "A"}
    assert forms.validate(RULES, {"work_unit": "B", "household_size": 3}, perms, current=current,
                          complete=False) == {"household_size": 3, "work_unit": "B"}
    with pytest.raises(InvalidInput) as e:
        forms.validate(RULES, {"household_size": 4}, perms, current=current, complete=False)
    assert "不可修改" in e.value.fields["household_size"]
    # Applicant steps default to editable, review steps to read-only.
    assert set(forms.perms_for(RULES, {}, "correction", True).values()) == {forms.EDIT}
    assert set(forms.perms_for(RULES, {}, "second_review", False).values()) == {forms.READ}


def test_bad_form_definitions_are_refused_with_every_problem():
    with pytest.raises(InvalidInput) as e:
        forms.check_rules([{"type": "input", "field": "a", "title": "甲"}, {"type": "input", "field": "a"},
                           {"type": "select", "field": "b", "title": "乙"}, {"type": "input", "field": "1x"},
                           {"type": "input", "field": "action"}])
    assert set(e.value.fields) == {"a", "b", "1x", "action"}
    with pytest.raises(InvalidInput):
        forms.check_rules([{"type": "div", "children": []}])
    nested = [{"type": "el-row", "children": [{"type": "input", "field": "c", "title": "丙"}]}]
    assert [r["field"] for r in forms.fields_of(forms.check_rules(nested))] == ["c"]
    with pytest.raises(InvalidInput) as e:
        forms.check_field_perms({"review": {"c": "write"}, "submission": {"zz": "read"}}, nested,
                                ["submission"])
    assert set(e.value.fields) == {"review", "submission.zz"}


def test_pattern_and_date_checks():
    rules = forms.DEFAULT_FORMS["org_onboarding"] + forms.DEFAULT_FORMS["exit"]
    edit = {r["field"]: forms.EDIT for r in forms.fields_of(rules)}
    with pytest.raises(InvalidInput) as e:
        forms.validate(rules, {"contact_phone": "12345", "credit_code": "ABC", "planned_move_out": "明天"}, edit,
                       complete=False)
    assert set(e.value.fields) == {"contact_phone", "credit_code", "planned_move_out"}
    assert forms.validate(rules, {"contact_phone": "13912345678", "planned_move_out": "2026-12-31"}, edit,
                          complete=False)
