"""HTTP API of campaigns (/api/v1/campaigns): thin handlers over the service."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.http import body, flag, parse, query
from app.core.lists import Col, ListSpec, respond_list
from app.core.regions import DISTRICT_NAMES
from app.domains.campaigns import service
from app.domains.campaigns.schemas import CampaignIn
from app.identity.guard import actor_of, perm
from app.identity.scope import scoped
from app.workflow import read
from app.workflow.models import Case

bp_campaigns = Blueprint("campaigns", url_prefix="/api/v1")

CAMPAIGN_LIST = ListSpec(title="专题工作", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("name", "专题名称", ops=("eq", "contains"), sortable=True),
    Col("district_code", "区（市）", ops=("eq", "isnull"), choices=DISTRICT_NAMES),
    Col("enabled", "启用", kind="bool"),
    Col("starts_at", "受理时间起", kind="datetime", ops=("gte", "lte"), sortable=True),
    Col("ends_at", "受理时间止", kind="datetime", ops=("gte", "lte"), sortable=True),
    Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=service.rows_out, search=["name", "description"], default_sort="-id")


@bp_campaigns.get("/campaigns")
@openapi.summary("专题工作列表（GOV-03-01）")
@query(CAMPAIGN_LIST.openapi_params())
@perm("case.campaign.read", "case.campaign.write")
async def campaigns(request: Request):
    return await respond_list(request, service.visible(actor_of(request)), CAMPAIGN_LIST)


@bp_campaigns.post("/campaigns")
@openapi.summary("新增专题（区住建局只能新增本区专题）")
@body(CampaignIn)
@perm("case.campaign.write")
async def campaigns_create(request: Request):
    return json(await service.create(actor_of(request), parse(request, CampaignIn)), status=201)


@bp_campaigns.get("/campaigns/<campaign_id:int>")
@openapi.summary("专题详情")
@perm("case.campaign.read", "case.campaign.write")
async def campaigns_get(request: Request, campaign_id: int):
    return json(await service.get(actor_of(request), campaign_id))


@bp_campaigns.put("/campaigns/<campaign_id:int>")
@openapi.summary("修改专题")
@body(CampaignIn)
@perm("case.campaign.write")
async def campaigns_update(request: Request, campaign_id: int):
    return json(await service.update(actor_of(request), campaign_id, parse(request, CampaignIn)))


@bp_campaigns.delete("/campaigns/<campaign_id:int>")
@openapi.summary("删除专题（已关联的业务件保留，解除关联）")
@perm("case.campaign.write")
async def campaigns_delete(request: Request, campaign_id: int):
    return json({"ok": True, "unlinked": await service.delete(actor_of(request), campaign_id)})


@bp_campaigns.get("/campaigns/<campaign_id:int>/cases")
@openapi.summary("专题下的业务件")
# The list's own campaign_id filter would shadow the path parameter in the OpenAPI document.
@query([p for p in read.CASE_LIST.openapi_params() if p["name"] != "campaign_id"])
@openapi.parameter("campaign_id", int, "path", required=True, description="专题ID")
@perm("case.campaign.read", "case.campaign.write")
async def campaigns_cases(request: Request, campaign_id: int):
    actor = actor_of(request)
    c = await service.get(actor, campaign_id)
    qs = read.overdue_filter(scoped(Case, actor).filter(campaign_id=c["id"]), flag(request, "overdue"))
    return await respond_list(request, qs, read.CASE_LIST)
