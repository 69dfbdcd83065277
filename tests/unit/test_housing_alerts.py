"""The qualification expiry rule, pure: expiring / expired / overdue from a project, today and the rule."""
from __future__ import annotations

import datetime as dt

import pytest

from app.domains.housing.projects.alerts import (
    DEFAULT_RULE, RULE_DEFINITION, ProjectFacts, QualificationRule, add_years, classify, classify_all,
    qualification_period, qualification_status,
)
from app.domains.housing.projects.models import SUPPLY_MODES

pytestmark = pytest.mark.feature("GOV-12-02", "BLD-03-01", "OPS-10-02")
TODAY = dt.date(2026, 11, 26)
RULE = QualificationRule(years=5, days_before=90, grace_days=30, version=3)


def p(days_left: int | None, state: str = "recognized", pid: int = 1, mode: str = "new_build") -> ProjectFacts:
    to = None if days_left is None else TODAY + dt.timedelta(days=days_left)
    return ProjectFacts(pid, state, to, mode)


@pytest.mark.parametrize("days_left,kind", [
    (91, None), (90, "expiring"), (30, "expiring"), (0, "expiring"),      # the last valid day is still expiring
    (-1, "expired"), (-30, "expired"),                                     # inside the grace period
    (-31, "overdue"), (-400, "overdue"),                                   # beyond it, still not exited or renewed
])
def test_kinds_at_the_boundaries(days_left, kind):
    c = classify(p(days_left), TODAY, RULE)
    if kind is None:
        assert c is None
    else:
        assert (c.kind, c.days_left, c.qualification_to, c.project_id) == \
            (kind, days_left, TODAY + dt.timedelta(days=days_left), 1)


def test_exited_declared_and_undated_projects_never_alert():
    for facts in (p(-100, "exited"), p(10, "exited"), p(10, "declared"), p(None)):
        assert classify(facts, TODAY, RULE) is None


def test_the_rule_moves_the_boundaries():
    tight = QualificationRule(years=5, days_before=7, grace_days=0)
    assert classify(p(8), TODAY, tight) is None
    assert classify(p(7), TODAY, tight).kind == "expiring"
    assert classify(p(-1), TODAY, tight).kind == "overdue"  # no grace at all
    assert classify(p(0), TODAY, tight).kind == "expiring"


def test_classify_all_uses_each_projects_own_rule():
    rules = {"new_build": RULE, "idle": QualificationRule(days_before=200, grace_days=5)}
    out = classify_all([p(150, pid=1), p(150, pid=2, mode="idle"), p(-10, pid=3, mode="idle")], TODAY,
                       lambda mode: rules.get(mode, DEFAULT_RULE))
    assert out[1] is None
    assert out[2].kind == "expiring" and out[2].days_left == 150
    assert out[3].kind == "overdue"


def test_status_on_the_project_page():
    assert qualification_status(None, TODAY, RULE) == "none"
    assert qualification_status(TODAY + dt.timedelta(days=91), TODAY, RULE) == "valid"
    assert qualification_status(TODAY + dt.timedelta(days=90), TODAY, RULE) == "expiring"
    assert qualification_status(TODAY, TODAY, RULE) == "expiring"
    assert qualification_status(TODAY - dt.timedelta(days=1), TODAY, RULE) == "expired"


def test_qualification_period_is_n_years_to_the_day_before():
    assert qualification_period(TODAY, RULE) == (TODAY, dt.date(2031, 11, 25))
    assert qualification_period(dt.date(2028, 2, 29), RULE) == (dt.date(2028, 2, 29), dt.date(2033, 2, 27))
    assert add_years(dt.date(2028, 2, 29), 4) == dt.date(2032, 2, 29)
    assert DEFAULT_RULE == QualificationRule(5, 90, 30, None)


def test_the_seeded_rule_set_is_valid_and_gives_the_defaults():
    from app.rules.service import build
    rs = build("housing.project_qualification", 1, RULE_DEFINITION)
    assert rs.validate() == []
    for mode in SUPPLY_MODES:
        values = rs.compute({"supply_mode": mode}).values
        assert values == {"qualification_years": 5, "alert_days_before": 90, "overdue_grace_days": 30}
