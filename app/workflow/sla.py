"""Step time limits in working days.

China moves weekends around public holidays (调休), so a calendar gives both the
holidays that fall on weekdays and the weekend days that are worked.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def is_working_day(day: date, holidays: Collection[date] = (), workdays: Collection[date] = ()) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date] = (),
                     workdays: Collection[date] = ()) -> date:
    """The due date of a step that starts on `start` and may take `days` working days.

    The start day itself does not count: a step started on Friday with 1 day is due Monday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            left -= 1
    return day


def is_overdue(due: date, today: date) -> bool:
    return today > due
