"""Demo data of campaigns: one city-wide drive open now, so the demo's applications join it."""
from __future__ import annotations

import datetime as dt

from app.domains.campaigns.models import Campaign


async def seed_demo(created_by_id: int | None) -> None:
    if await Campaign.exists():
        return
    now = dt.datetime.now(dt.timezone.utc)
    await Campaign.create(name="2026年第四季度保障性租赁住房集中受理", case_types=["eligibility_application"],
                          starts_at=now - dt.timedelta(days=30), ends_at=now + dt.timedelta(days=35),
                          district_code=None, description="全市集中受理新市民、青年人保障性租赁住房资格申请",
                          created_by_id=created_by_id)
