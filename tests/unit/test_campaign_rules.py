"""Campaign rules without I/O: which campaign a submitted case joins, and who may write one."""
from __future__ import annotations

import datetime as dt

import pytest

from app.domains.campaigns.rules import Window, campaign_for, write_refusal

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


@pytest.mark.feature("GOV-03-01")
def test_case_joins_the_earliest_fitting_campaign():
    ws = [Window(1, ("complaint",), None, T0, T0 + 30 * DAY),
          Window(2, ("eligibility_application",), "440704", T0 - DAY, T0 + 30 * DAY),
          Window(3, ("eligibility_application",), None, T0, T0 + 30 * DAY),
          Window(4, ("eligibility_application",), None, T0 - 2 * DAY, T0 + 30 * DAY, enabled=False)]
    at = T0 + DAY
    assert campaign_for(ws, "eligibility_application", "440704", at) == 2
    assert campaign_for(ws, "eligibility_application", "440703", at) == 3
    assert campaign_for(ws, "complaint", "440703", at) == 1
    assert campaign_for(ws, "complaint", "440703", T0 + 31 * DAY) is None
    assert campaign_for(ws, "unit_change", "440703", at) is None


@pytest.mark.feature("GOV-03-01")
def test_only_the_city_writes_city_wide_campaigns():
    assert write_refusal("CITY", None, None) is None
    assert write_refusal("CITY", None, "440704") is None
    assert write_refusal("DISTRICT", "440703", "440703") is None
    assert write_refusal("DISTRICT", "440703", None) == "全市专题只能由市住建局维护"
    assert write_refusal("DISTRICT", "440703", "440704") == "只能维护本区的专题"
