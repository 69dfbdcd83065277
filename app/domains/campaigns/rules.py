"""Pure rules of campaigns: which campaign a submitted case joins, and who may write one."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    id: int
    case_types: tuple[str, ...]
    district_code: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    enabled: bool = True


def campaign_for(windows: Iterable[Window], case_type: str, district_code: str | None,
                 at: dt.datetime) -> int | None:
    """The earliest-starting enabled campaign whose window holds `at`, of the case's type, for the
    whole city or the case's district; None when no campaign takes it."""
    fitting = [w for w in windows
               if w.enabled and w.starts_at <= at <= w.ends_at and case_type in w.case_types
               and w.district_code in (None, "", district_code)]
    fitting.sort(key=lambda w: (w.starts_at, w.id))
    return fitting[0].id if fitting else None


def write_refusal(actor_scope: str, actor_district: str | None, campaign_district: str | None) -> str | None:
    """Why this actor may not create or change a campaign of that district (None: they may).

    The city bureau maintains every campaign; a district bureau only its own district's. District
    staff read the city-wide campaigns (scope) but do not change them."""
    if actor_scope == "CITY":
        return None
    if campaign_district is None:
        return "全市专题只能由市住建局维护"
    if campaign_district != actor_district:
        return "只能维护本区的专题"
    return None
