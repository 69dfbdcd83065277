"""Working-day calendar for step time limits: Mon–Fri, minus statutory holidays, plus make-up days."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from app.workflow.models import CalendarDay
from app.workflow.sla import add_working_days

CN = ZoneInfo("Asia/Shanghai")
_TTL = 300.0
_cache: tuple[float, frozenset[dt.date], frozenset[dt.date]] | None = None

# 国务院办公厅关于2026年部分节假日安排的通知. Later years are added as the State Council publishes them.
HOLIDAYS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03", ["2026-01-04"]),
    "春节": ("2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    "清明节": ("2026-04-04", "2026-04-06", []),
    "劳动节": ("2026-05-01", "2026-05-05", ["2026-05-09"]),
    "端午节": ("2026-06-19", "2026-06-21", []),
    "中秋节": ("2026-09-25", "2026-09-27", []),
    "国庆节": ("2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
}


def today() -> dt.date:
    return dt.datetime.now(CN).date()


async def _load() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    global _cache
    if _cache is None or time.monotonic() - _cache[0] > _TTL:
        rows = await CalendarDay.all().values_list("day", "workday")
        _cache = (time.monotonic(), frozenset(d for d, w in rows if not w), frozenset(d for d, w in rows if w))
    return _cache[1], _cache[2]


async def due_date(start: dt.date, days: int) -> dt.date | None:
    if days <= 0:
        return None
    holidays, workdays = await _load()
    return add_working_days(start, days, holidays, workdays)


async def seed() -> None:
    for name, (first, last, makeup) in HOLIDAYS_2026.items():
        d, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while d <= end:
            await CalendarDay.get_or_create(day=d, defaults={"workday": False, "note": name})
            d += dt.timedelta(days=1)
        for m in makeup:
            await CalendarDay.get_or_create(day=dt.date.fromisoformat(m), defaults={"workday": True,
                                                                                   "note": f"{name}调休上班"})
