"""HTTP API of eligibility (/api/v1/eligibility): thin handlers, parse, call the service, shape."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.http import json_schema
from app.domains.eligibility import service
from app.domains.eligibility.schemas import HealthRead
from app.identity.guard import staff

bp_eligibility = Blueprint("eligibility", url_prefix="/api/v1/eligibility")


@bp_eligibility.get("/health")
@openapi.summary("资格审查模块状态：已安装并可访问数据库")
@openapi.response(200, {"application/json": json_schema(HealthRead)})
@staff
async def health(request: Request):
    report = await service.health()
    return json(HealthRead(**report).model_dump(), status=200 if report["status"] == "ok" else 503)
