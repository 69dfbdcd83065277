"""HTTP API: annual plans and targets, projects, project cases, geocoding, qualification alerts
(/api/v1/housing/...), and the public project list and detail (/api/public/projects).

Handlers stay thin: parse, call plans/projects/alerts, serialise. docs/housing-projects.md is the
contract the front ends work from.
"""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from app.core import files as file_store
from app.core.errors import InvalidInput
from app.core.http import body, parse, query
from app.core.lists import Col, ListSpec, build_filters, request_args, respond_list
from app.core.lists import values_fit_columns
from app.core.regions import DISTRICT_NAMES
from app.domains.housing.projects import alerts
from app.domains.housing.projects import service as projects
from app.domains.housing.projects import schemas as S
from app.domains.housing.projects.models import PROJECT_STATES, SUPPLY_MODES, ProjectProgress, QualificationAlert
from app.identity.guard import actor_of, perm, public
from app.identity.lists import list_route
from app.identity.scope import get_scoped
from app.workflow.models import Case
from app.workflow.read import case_detail

bp_housing_projects = Blueprint("housing_projects", url_prefix="/api/v1/housing")
bp_public_projects = Blueprint("public_projects", url_prefix="/api/public/projects")

MAP_LIMIT = 5000
PDF = "application/pdf"


# ------------------------------------------------------------------ projects (GOV-05-01, BLD-01-01, OPS-03-01)

PROJECT_LIST = ListSpec(title="保租房项目", cols=[
    Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True, export=False),
    Col("code", "项目编号", ops=("eq", "contains"), sortable=True),
    Col("name", "项目名称", ops=("eq", "contains"), sortable=True),
    Col("district_code", "所属区（市）", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("address", "项目地址", ops=("contains",)),
    Col("builder_id", "建设单位ID", kind="int", ops=("eq", "in"), export=False),
    Col("builder_name", "建设单位", ops=()),
    Col("operator_id", "运营单位ID", kind="int", ops=("eq", "in", "isnull"), export=False),
    Col("operator_name", "运营单位", ops=()),
    Col("supply_mode", "供应方式", ops=("eq", "in"), choices=SUPPLY_MODES),
    Col("unit_count", "计划套数", kind="int", ops=("gte", "lte"), sortable=True),
    Col("building_area", "建筑面积（㎡）", ops=()),
    Col("total_investment", "总投资（元）", ops=()),
    Col("state", "状态", ops=("eq", "in"), choices=PROJECT_STATES),
    Col("published", "已公开", kind="bool"),
    Col("qualification_from", "资格期起", kind="date", ops=("gte", "lte")),
    Col("qualification_to", "资格期止", kind="date", ops=("gte", "lte"), sortable=True),
    Col("progress_percent", "形象进度（%）", kind="int", ops=("gte", "lte"), sortable=True),
    Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=projects.project_rows, search=["name", "code", "address"], default_sort="-id",
    extra_params={"builder_name", "operator_name", "bounds"})


@bp_housing_projects.get("/projects")
@openapi.summary("项目查询（GOV-05-01, BLD-01-01, OPS-03-01）：单条件、组合条件、导出")
@query(PROJECT_LIST.openapi_params())
@perm("housing.project.read")
async def project_list(request: Request):
    args = request_args(request)
    qs = projects.list_queryset(actor_of(request), args).filter(**_bounds(args))
    return await respond_list(request, qs, PROJECT_LIST)


BOUNDS_PARAM = {"name": "bounds", "schema": {"type": "string"},
                "description": "地图可视范围（BD-09）：西南经度,西南纬度,东北经度,东北纬度，如 112.9,22.5,113.2,22.7"}


def _bounds(args: dict[str, str]) -> dict:
    """The map's visible rectangle as filters on the BD-09 point; none when not asked."""
    raw = (args.get("bounds") or "").strip()
    if not raw:
        return {}
    try:
        w, s_, e, n = (Decimal(x.strip()) for x in raw.split(","))
        if not (-180 <= w <= e <= 180 and -90 <= s_ <= n <= 90):
            raise ValueError
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput("bounds 应为“西南经度,西南纬度,东北经度,东北纬度”", fields={"bounds": "格式有误"}) from exc
    return {"lng_bd09__gte": w, "lng_bd09__lte": e, "lat_bd09__gte": s_, "lat_bd09__lte": n}


@bp_housing_projects.get("/projects/map")
@openapi.summary("项目地图：范围内有坐标的全部项目（与列表相同的查询条件，可按地图可视范围 bounds）")
@query([p for p in PROJECT_LIST.openapi_params() if p["name"] not in ("page", "page_size", "format", "bounds")]
       + [BOUNDS_PARAM])
@perm("housing.project.read")
async def project_map(request: Request):
    args = request_args(request)
    qs = projects.list_queryset(actor_of(request), args).filter(build_filters(PROJECT_LIST, args)) \
        .filter(lng_bd09__isnull=False, **_bounds(args)).order_by("id")
    with values_fit_columns():
        rows = await qs.limit(MAP_LIMIT)
    return json({"items": await projects.project_rows(rows), "total": len(rows)})


@bp_housing_projects.get("/projects/<project_id:int>")
@openapi.summary("项目详情：基本信息、位置、楼栋、房源统计、进度、图档、认定书、资格期、计划指标")
@perm("housing.project.read")
async def project_get(request: Request, project_id: int):
    return json(await projects.project_detail(actor_of(request), project_id))


@bp_housing_projects.patch("/projects/<project_id:int>")
@openapi.summary("修改项目基本信息（住建部门全部字段；建设单位部分字段，公开前）")
@body(S.ProjectUpdate)
@perm("housing.project.write")
async def project_update(request: Request, project_id: int):
    actor = actor_of(request)
    await projects.update_project(actor, project_id, parse(request, S.ProjectUpdate))
    return json(await projects.project_detail(actor, project_id))


@bp_housing_projects.post("/projects/<project_id:int>/files")
@openapi.summary("挂接项目图档（先通过 /api/v1/files 上传）")
@body(S.ProjectFileIn)
@perm("housing.project.write")
async def project_file_add(request: Request, project_id: int):
    f = await projects.add_file(actor_of(request), project_id, parse(request, S.ProjectFileIn))
    return json(S.file_row(f), status=201)


@bp_housing_projects.delete("/projects/<project_id:int>/files/<project_file_id:int>")
@openapi.summary("删除项目图档")
@perm("housing.project.write")
async def project_file_remove(request: Request, project_id: int, project_file_id: int):
    await projects.remove_file(actor_of(request), project_id, project_file_id)
    return json({"ok": True})


@bp_housing_projects.get("/projects/<project_id:int>/files/<project_file_id:int>/content")
@openapi.summary("查看、下载项目图档")
@perm("housing.project.read")
async def project_file_content(request: Request, project_id: int, project_file_id: int):
    f = await projects.file_content(actor_of(request), project_id, project_file_id)
    return raw(await file_store.storage().get(f.sha256), content_type=f.mime, headers=file_store.download_headers(f))


@bp_housing_projects.get("/projects/<project_id:int>/certificate/pdf")
@openapi.summary("下载盖章的项目认定书")
@openapi.response(200, {PDF: {"type": "string", "format": "binary"}}, "PDF")
@perm("housing.project.read")
async def project_certificate(request: Request, project_id: int):
    data, name = await projects.certificate_pdf(actor_of(request), project_id)
    return raw(data, content_type=PDF, headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
                                               "Cache-Control": "private, no-store"})


@bp_housing_projects.put("/projects/<project_id:int>/operator")
@openapi.summary("设置项目的运营单位（住建部门；即运营单位的服务范围）")
@body(S.OperatorIn)
@perm("housing.project.write")
async def project_operator(request: Request, project_id: int):
    actor = actor_of(request)
    await projects.set_operator(actor, project_id, parse(request, S.OperatorIn).operator_id)
    return json(await projects.project_detail(actor, project_id))


@bp_housing_projects.post("/projects/<project_id:int>/publish")
@openapi.summary("向社会公开项目（GOV-05-01）")
@perm("housing.project.publish")
async def project_publish(request: Request, project_id: int):
    actor = actor_of(request)
    await projects.set_published(actor, project_id, True)
    return json(await projects.project_detail(actor, project_id))


@bp_housing_projects.post("/projects/<project_id:int>/unpublish")
@openapi.summary("撤销公开项目")
@perm("housing.project.publish")
async def project_unpublish(request: Request, project_id: int):
    actor = actor_of(request)
    await projects.set_published(actor, project_id, False)
    return json(await projects.project_detail(actor, project_id))


@bp_housing_projects.post("/projects/<project_id:int>/cases")
@openapi.summary("对项目发起项目退出或进度申报（建设单位网上申请，住建窗口受理）")
@body(S.ProjectCaseIn)
@perm("case.case.intake")
async def project_case(request: Request, project_id: int):
    actor = actor_of(request)
    case = await projects.start_case(actor, project_id, parse(request, S.ProjectCaseIn))
    return json(await case_detail(actor, await Case.get(id=case.id)), status=201)


async def _progress_out(rows: list[ProjectProgress]) -> list[dict]:
    ids = {r.case_id for r in rows if r.case_id}
    numbers = dict(await Case.filter(id__in=ids).values_list("id", "number")) if ids else {}
    return [S.progress_row(r, numbers) | {"project_name": r.project.name, "project_code": r.project.code}
            for r in rows]


PROGRESS_LIST = ListSpec(title="项目进度申报", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("project_id", "项目ID", kind="int", ops=("eq", "in"), export=False),
    Col("project_code", "项目编号", field="project__code", ops=("eq",)),
    Col("project_name", "项目名称", field="project__name", ops=("eq", "contains")),
    Col("period", "申报月份", ops=("eq", "gte", "lte"), sortable=True),
    Col("progress_percent", "形象进度（%）", kind="int", ops=("gte", "lte"), sortable=True),
    Col("investment_done", "累计完成投资（元）", ops=()),
    Col("units_started", "累计开工套数", kind="int", ops=("gte", "lte")),
    Col("units_completed", "累计竣工套数", kind="int", ops=("gte", "lte")),
    Col("area_started", "累计开工面积（㎡）", ops=()),
    Col("area_completed", "累计竣工面积（㎡）", ops=()),
    Col("note", "进度说明", ops=("contains",)),
    Col("case_number", "业务编号", ops=()),
    Col("created_at", "办结时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=_progress_out, search=["project__name", "project__code", "note"], default_sort="-id",
    prefetch=("project",))


list_route(bp_housing_projects, "/project-progress", ProjectProgress, PROGRESS_LIST, name="progress_list",
           summary="项目进度申报记录查询（GOV-05-06/07, BLD-01-06/07）",
           access=perm("housing.project.read"))


# ------------------------------------------------------------------ geocoding (INT-15)

@bp_housing_projects.get("/geocode")
@openapi.summary("地址解析（百度地图 INT-15）：返回 BD-09 与 WGS-84 坐标")
@openapi.parameter("address", str, "query", description="地址，如 江门市蓬江区建设路28号")
@perm("housing.project.read", "case.case.intake")
async def geocode(request: Request):
    return json(await projects.geocode((request.args.get("address") or "").strip()))


# ------------------------------------------------------------------ qualification alerts (GOV-12-02, BLD-03-01, OPS-10-02)

async def _alerts_out(rows: list[QualificationAlert]) -> list[dict]:
    names = await projects.org_names({a.builder_id for a in rows} | {a.operator_id for a in rows})
    return [S.alert_row(a, names) for a in rows]


ALERT_LIST = ListSpec(title="项目资格到期预警", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("project_id", "项目ID", kind="int", ops=("eq", "in"), export=False),
    Col("project_code", "项目编号", field="project__code", ops=("eq",)),
    Col("project_name", "项目名称", field="project__name", ops=("eq", "contains")),
    Col("kind", "预警类型", ops=("eq", "in"), choices=S.ALERT_KINDS),
    Col("qualification_to", "资格期止", kind="date", ops=("gte", "lte"), sortable=True),
    Col("days_left", "剩余天数", kind="int", ops=("gte", "lte"), sortable=True),
    Col("district_code", "所属区（市）", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("builder_id", "建设单位ID", kind="int", ops=("eq", "in"), export=False),
    Col("builder_name", "建设单位", ops=()),
    Col("operator_id", "运营单位ID", kind="int", ops=("eq", "in", "isnull"), export=False),
    Col("operator_name", "运营单位", ops=()),
    Col("status", "状态", ops=("eq", "in"), choices=S.ALERT_STATUSES),
    Col("rule_version", "规则版本", kind="int", ops=()),
    Col("created_on", "预警日期", kind="date", ops=("gte", "lte"), sortable=True),
], serialize=_alerts_out, search=["project__name", "project__code"], default_sort="-id", prefetch=("project",))


list_route(bp_housing_projects, "/qualification-alerts", QualificationAlert, ALERT_LIST, name="alert_list",
           summary="项目资格到期预警查询（GOV-12-02, BLD-03-01, OPS-10-02）",
           access=perm("housing.alert.read"))


@bp_housing_projects.get("/qualification-alerts/<alert_id:int>")
@openapi.summary("项目资格到期预警详情")
@perm("housing.alert.read")
async def alert_get(request: Request, alert_id: int):
    a = await get_scoped(QualificationAlert, actor_of(request), alert_id)
    await a.fetch_related("project")
    row = (await _alerts_out([a]))[0]
    p = a.project
    row["project"] = {"id": p.id, "code": p.code, "name": p.name, "state": p.state,
                      "state_name": PROJECT_STATES.get(p.state, p.state), "address": p.address,
                      "qualification_from": S.iso(p.qualification_from), "qualification_to": S.iso(p.qualification_to),
                      "published": p.published}
    return json(row)


@bp_housing_projects.post("/qualification-alerts/run")
@openapi.summary("立即运行资格到期预警（住建管理员）；返回任务ID，用 /api/v1/jobs/{id} 查看进度")
@perm("housing.project.publish")
async def alert_run(request: Request):
    job_id = await alerts.enqueue(actor_of(request))
    return json({"job_id": job_id, "status_url": f"/api/v1/jobs/{job_id}"}, status=201)


# ------------------------------------------------------------------ public (PUB-04 read side)

PUBLIC_LIST = ListSpec(title="保障性租赁住房项目", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True),
    Col("name", "项目名称", ops=("contains",), sortable=True),
    Col("district_code", "所属区（市）", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("supply_mode", "供应方式", ops=("eq", "in"), choices=SUPPLY_MODES),
    Col("published_at", "公开时间", kind="datetime", ops=(), sortable=True),
], serialize=projects.public_rows, search=["name", "address"], default_sort="-published_at",
    extra_params={"bounds"})


@bp_public_projects.get("/")
@openapi.summary("公开的保租房项目（门户网站、移动端的项目信息和项目地图；地图按可视范围 bounds 取）")
@query([p for p in PUBLIC_LIST.openapi_params() if p["name"] not in ("format", "bounds")] + [BOUNDS_PARAM])
@public
async def public_project_list(request: Request):
    if (request.args.get("format") or "json") != "json":
        raise InvalidInput("公开接口不提供导出", fields={"format": "只能是 json"})
    qs = projects.public_queryset().filter(**_bounds(request_args(request)))
    return await respond_list(request, qs, PUBLIC_LIST)


@bp_public_projects.get("/<project_id:int>")
@openapi.summary("公开的保租房项目详情")
@public
async def public_project_get(request: Request, project_id: int):
    return json(await projects.public_detail(project_id))

