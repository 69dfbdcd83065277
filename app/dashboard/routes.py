"""工作台指标 (/api/v1/dashboard/kpis): the KPI cards of GOV-01-01 and OPS-01-01, in the caller's scope."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.dashboard import kpis
from app.dashboard import pending  # noqa: F401 - registers the cards whose data lands later
from app.identity.guard import actor_of, perm

bp_dashboard = Blueprint("dashboard", url_prefix="/api/v1/dashboard")


@bp_dashboard.get("/kpis")
@openapi.summary("工作台指标卡片：按当前用户的数据范围计算；value 为 null（显示“—”）表示该数据尚未接入，"
                 "金额为元字符串如 \"1580.00\"")
@perm("dashboard.kpi.read")
async def kpi_cards(request: Request):
    return json({"cards": await kpis.cards(actor_of(request))})
