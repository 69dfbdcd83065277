"""Campaign use cases, each one transaction: maintain campaigns in scope, and link a case that is
submitted inside a campaign's window."""
from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from app.core import audit
from app.core.db import uow
from app.core.errors import Forbidden, InvalidInput, NotFound
from app.core.regions import DISTRICT_NAMES
from app.domains.campaigns import rules
from app.domains.campaigns.models import Campaign
from app.domains.campaigns.schemas import CampaignIn, campaign_row
from app.identity.scope import Actor, scoped
from app.workflow.models import Case


def visible(actor: Actor):  # noqa: ANN201
    return scoped(Campaign, actor)


async def rows_out(rows: list[Campaign]) -> list[dict]:
    ids = [c.id for c in rows]
    counts = dict(await Case.filter(campaign_id__in=ids).annotate(n=Count("id")).group_by("campaign_id")
                  .values_list("campaign_id", "n")) if ids else {}
    return [campaign_row(c, counts) for c in rows]


async def get(actor: Actor, campaign_id: int) -> dict:
    c = await visible(actor).filter(id=campaign_id).first()
    if c is None:
        raise NotFound("专题不存在或无权查看")
    return (await rows_out([c]))[0]


def _values(actor: Actor, data: CampaignIn) -> dict:
    if data.district_code and data.district_code not in DISTRICT_NAMES:
        raise InvalidInput("区（市）代码有误", fields={"district_code": "区划代码有误"})
    why = rules.write_refusal(actor.scope, actor.district_code, data.district_code or None)
    if why:
        raise Forbidden(why)
    return data.model_dump() | {"district_code": data.district_code or None}


async def _for_write(actor: Actor, campaign_id: int, tx: Any) -> Campaign:
    c = await visible(actor).filter(id=campaign_id).select_for_update().using_db(tx).first()
    if c is None:
        raise NotFound("专题不存在或无权查看")
    why = rules.write_refusal(actor.scope, actor.district_code, c.district_code)
    if why:
        raise Forbidden(why)
    return c


async def create(actor: Actor, data: CampaignIn) -> dict:
    values = _values(actor, data)
    async with uow() as tx:
        c = await Campaign.create(**values, created_by_id=actor.account_id, using_db=tx)
        await audit.record("campaign.create", "campaign", c.id, using=tx, after=campaign_row(c),
                           summary=f"新增专题 {c.name}")
    return campaign_row(c)


async def update(actor: Actor, campaign_id: int, data: CampaignIn) -> dict:
    values = _values(actor, data)
    async with uow() as tx:
        c = await _for_write(actor, campaign_id, tx)
        before = campaign_row(c)
        for k, v in values.items():
            setattr(c, k, v)
        await c.save(using_db=tx)
        await audit.record("campaign.update", "campaign", c.id, using=tx, before=before, after=campaign_row(c),
                           summary=f"修改专题 {c.name}")
    return campaign_row(c)


async def delete(actor: Actor, campaign_id: int) -> int:
    """Delete a campaign; its cases stay and lose the link. Returns how many were unlinked."""
    async with uow() as tx:
        c = await _for_write(actor, campaign_id, tx)
        n = await Case.filter(campaign_id=c.id).using_db(tx).update(campaign_id=None)
        await audit.record("campaign.delete", "campaign", c.id, using=tx, before=campaign_row(c),
                           summary=f"删除专题 {c.name}（解除 {n} 件关联）")
        await c.delete(using_db=tx)
    return n


async def link_case(case: Case, tx: Any) -> None:
    """On a case's first submission (in its transaction): join the campaign that takes it."""
    at = case.submitted_at
    found = await Campaign.filter(enabled=True, starts_at__lte=at, ends_at__gte=at).using_db(tx)
    windows = [rules.Window(c.id, tuple(c.case_types or ()), c.district_code, c.starts_at, c.ends_at, c.enabled)
               for c in found]
    case.campaign_id = rules.campaign_for(windows, case.case_type, case.district_code, at)


async def name_of(campaign_id: int) -> dict | None:
    c = await Campaign.filter(id=campaign_id).first()
    return {"id": c.id, "name": c.name} if c else None
