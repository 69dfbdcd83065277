"""Campaigns' case hooks: a case joins the campaign that takes it when first submitted, and the
case page names its campaign."""
from __future__ import annotations

from typing import Any

from app.domains.campaigns import service
from app.identity.scope import Actor
from app.workflow import read
from app.workflow.models import Case
from app.workflow.service import on_first_submit


@on_first_submit
async def join_campaign(case: Case, tx: Any, actor: Actor) -> None:
    await service.link_case(case, tx)


@read.detail_part("campaign")
async def campaign_of(case: Case) -> dict | None:
    return await service.name_of(case.campaign_id) if case.campaign_id else None
