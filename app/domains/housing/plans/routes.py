"""Plans' routes (GOV-04-01/02/03): thin handlers over plans.service; the two target kinds are
child rows of a plan (app.core.children)."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.children import child_routes
from app.core.errors import InvalidInput
from app.core.http import body, parse
from app.core.lists import Col, ListSpec, export_rows
from app.domains.housing.plans import schemas as S
from app.domains.housing.plans import service
from app.domains.housing.plans.models import AnnualPlan, PlanHousingTarget, PlanProjectTarget
from app.domains.housing.plans.rules import plan_progress_table
from app.identity.guard import actor_of, perm
from app.identity.lists import list_route

bp_housing_plans = Blueprint("housing_plans", url_prefix="/api/v1/housing")

PLAN_READ = ("housing.plan.read", "housing.plan.write")


# ------------------------------------------------------------------ plans (GOV-04-01)

PLAN_LIST = ListSpec(title="年度建设计划", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("year", "计划年度", kind="int", ops=("eq", "in", "gte", "lte"), sortable=True),
    Col("name", "计划名称", ops=("eq", "contains"), sortable=True),
    Col("district_name", "所属区（市）", ops=()),
    Col("district_code", "区划代码", ops=("eq", "in", "isnull"), export=False),
    Col("project_target_count", "项目指标数", ops=()),
    Col("units_start_total", "计划开工套数", ops=()),
    Col("units_complete_total", "计划竣工套数", ops=()),
    Col("planned_investment_total", "计划投资（元）", ops=()),
    Col("description", "说明", ops=()),
    Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=service.plan_rows, search=["name", "description"], default_sort="-year")


list_route(bp_housing_plans, "/plans", AnnualPlan, PLAN_LIST, name="plan_list",
           summary="年度建设计划查询（GOV-04-01）",
           access=perm(*PLAN_READ))


@bp_housing_plans.post("/plans")
@openapi.summary("新增年度建设计划")
@body(S.PlanIn)
@perm("housing.plan.write")
async def plan_create(request: Request):
    actor = actor_of(request)
    plan = await service.create_plan(actor, parse(request, S.PlanIn))
    return json(await service.plan_detail(actor, plan.id), status=201)


@bp_housing_plans.get("/plans/<plan_id:int>")
@openapi.summary("年度建设计划详情（含项目指标、房屋指标）")
@perm(*PLAN_READ)
async def plan_get(request: Request, plan_id: int):
    return json(await service.plan_detail(actor_of(request), plan_id))


@bp_housing_plans.put("/plans/<plan_id:int>")
@openapi.summary("修改年度建设计划")
@body(S.PlanIn)
@perm("housing.plan.write")
async def plan_update(request: Request, plan_id: int):
    actor = actor_of(request)
    await service.update_plan(actor, plan_id, parse(request, S.PlanIn))
    return json(await service.plan_detail(actor, plan_id))


@bp_housing_plans.delete("/plans/<plan_id:int>")
@openapi.summary("删除年度建设计划（有项目指标或本年度已有进度申报时拒绝，并说明原因）")
@perm("housing.plan.write")
async def plan_delete(request: Request, plan_id: int):
    await service.delete_plan(actor_of(request), plan_id)
    return json({"ok": True})


PLAN_PROGRESS_COLS = [  # the xlsx of plans.plan_progress_table
    Col("project_code", "项目编号"), Col("project_name", "项目"),
    Col("units_start", "计划开工套数"), Col("units_started", "实际开工套数"), Col("units_start_rate", "开工完成率"),
    Col("units_complete", "计划竣工套数"), Col("units_completed", "实际竣工套数"),
    Col("units_complete_rate", "竣工完成率"),
    Col("planned_investment", "计划投资（元）"), Col("investment_done", "完成投资（元）"),
    Col("investment_rate", "投资完成率"),
    Col("area_start", "计划开工面积（㎡）"), Col("area_started", "实际开工面积（㎡）"),
    Col("area_start_rate", "开工面积完成率"),
    Col("area_complete", "计划竣工面积（㎡）"), Col("area_completed", "实际竣工面积（㎡）"),
    Col("area_complete_rate", "竣工面积完成率"),
    Col("progress_percent", "形象进度（%）"), Col("period", "最近申报月份"),
]


@bp_housing_plans.get("/plans/<plan_id:int>/progress")
@openapi.summary("年度计划与实际完成对比（按项目、合计、按月累计）；format=xlsx 导出同一组数字")
@openapi.parameter("format", str, "query", description="json（默认）或 xlsx")
@perm(*PLAN_READ)
async def plan_progress(request: Request, plan_id: int):
    data = await service.plan_progress(actor_of(request), plan_id)
    fmt = request.args.get("format", "json")
    if fmt == "xlsx":
        return await export_rows(request, "年度计划与实际完成", PLAN_PROGRESS_COLS, plan_progress_table(data))
    if fmt != "json":
        raise InvalidInput("format 只能是 json 或 xlsx", fields={"format": "取值不在允许范围内"})
    return json(data)


# ------------------------------------------------------------------ targets (GOV-04-02/03)

async def _project_targets_out(rows: list[PlanProjectTarget]) -> list[dict]:
    return [S.project_target_row(t) for t in rows]


async def _housing_targets_out(rows: list[PlanHousingTarget]) -> list[dict]:
    return [S.housing_target_row(t) for t in rows]


_TARGET_COMMON = [
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("plan_id", "计划ID", kind="int", ops=("eq", "in"), export=False),
    Col("plan_year", "计划年度", field="plan__year", kind="int", ops=("eq", "in", "gte", "lte"), sortable=True),
    Col("plan_name", "计划名称", field="plan__name", ops=("contains",)),
    Col("project_id", "项目ID", kind="int", ops=("eq", "in"), export=False),
    Col("project_code", "项目编号", field="project__code", ops=("eq",)),
    Col("project_name", "项目名称", field="project__name", ops=("eq", "contains"), sortable=True),
    Col("district_code", "区划代码", field="project__district_code", ops=("eq", "in"), export=False),
    Col("district_name", "所属区（市）", ops=()),
]
PROJECT_TARGET_LIST = ListSpec(title="年度计划项目指标", cols=_TARGET_COMMON + [
    Col("units_start", "计划开工套数", kind="int", ops=("gte", "lte"), sortable=True),
    Col("units_complete", "计划竣工套数", kind="int", ops=("gte", "lte"), sortable=True),
    Col("area_start", "计划开工面积（㎡）", ops=()),
    Col("area_complete", "计划竣工面积（㎡）", ops=()),
    Col("start_date", "计划开工日期", kind="date", ops=("gte", "lte"), sortable=True),
    Col("completion_date", "计划竣工日期", kind="date", ops=("gte", "lte"), sortable=True),
    Col("planned_investment", "计划投资（元）", ops=()),
], serialize=_project_targets_out, search=["project__name", "project__code", "plan__name"], default_sort="-id",
    prefetch=("plan", "project"))
HOUSING_TARGET_LIST = ListSpec(title="年度计划房屋指标", cols=_TARGET_COMMON + [
    Col("layout", "户型", ops=("eq", "in", "contains"), sortable=True),
    Col("planned_units", "计划套数", kind="int", ops=("gte", "lte"), sortable=True),
    Col("area_per_unit", "套均面积（㎡）", ops=()),
], serialize=_housing_targets_out, search=["project__name", "project__code", "layout"], default_sort="-id",
    prefetch=("plan", "project"))


child_routes(bp_housing_plans, "/plan-project-targets", service.PROJECT_TARGETS, PROJECT_TARGET_LIST,
             name="project_target", what="年度计划项目指标", list_summary="年度计划项目指标查询（GOV-04-02）",
             create_in=S.ProjectTargetIn, update_in=S.ProjectTargetUpdate, create=service.create_project_target,
             update=service.update_project_target, actor_of=actor_of, read=perm(*PLAN_READ),
             write=perm("housing.plan.write"), key="target_id")
child_routes(bp_housing_plans, "/plan-housing-targets", service.HOUSING_TARGETS, HOUSING_TARGET_LIST,
             name="housing_target", what="年度计划房屋指标", list_summary="年度计划房屋指标查询（GOV-04-03）",
             create_in=S.HousingTargetIn, update_in=S.HousingTargetUpdate, create=service.create_housing_target,
             update=service.update_housing_target, actor_of=actor_of, read=perm(*PLAN_READ),
             write=perm("housing.plan.write"), key="target_id")
