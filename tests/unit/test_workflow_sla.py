"""Step SLAs count working days, honouring holidays and make-up workdays (调休)."""
from __future__ import annotations

from datetime import date

import pytest

from app.workflow.sla import add_working_days, is_overdue, is_working_day

pytestmark = pytest.mark.feature("SYS-01")


def test_weekends_are_skipped() -> None:
    fri = date(2026, 11, 27)
    assert add_working_days(fri, 1) == date(2026, 11, 30)  # Monday
    assert add_working_days(fri, 5) == date(2026, 12, 4)
    assert add_working_days(fri, 0) == fri


def test_national_day_holidays_and_make_up_workdays() -> None:
    # 2026 National Day: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked (illustrative calendar)
    holidays = {date(2026, 10, d) for d in range(1, 8)}
    workdays = {date(2026, 9, 20), date(2026, 10, 10)}
    assert not is_working_day(date(2026, 10, 5), holidays, workdays)
    assert is_working_day(date(2026, 10, 10), holidays, workdays)
    # Wednesday 09-30 + 2 working days: 10-08 (Thu), 10-09 (Fri)
    assert add_working_days(date(2026, 9, 30), 2, holidays, workdays) == date(2026, 10, 9)
    # + 3 lands on the worked Saturday
    assert add_working_days(date(2026, 9, 30), 3, holidays, workdays) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 18), 1, holidays, workdays) == date(2026, 9, 20)


def test_overdue_only_after_the_due_day() -> None:
    due = date(2026, 12, 4)
    assert not is_overdue(due, due)
    assert is_overdue(due, date(2026, 12, 5))
    with pytest.raises(ValueError):
        add_working_days(due, -1)
