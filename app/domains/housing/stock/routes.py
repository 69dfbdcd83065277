"""Housing stock HTTP API (/api/v1/housing): communities, buildings, entrances, units, the unit
table, lock/unlock, intake attachments and imports, unit change cases. See docs/housing-stock.md."""
from __future__ import annotations

from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw, text
from sanic_ext import openapi

from app.core.http import body, flag, parse, query
from app.core.lists import Col, ListSpec, respond_list
from app.core.regions import DISTRICT_NAMES
from app.domains.housing.stock import intake
from app.domains.housing.stock import service as stock
from app.domains.housing.stock import unit_import
from app.domains.housing.stock import units
from app.domains.housing.stock import schemas as S
from app.domains.housing.stock.models import Building, Community, Unit
from app.identity.guard import actor_of, perm
from app.identity.lists import list_route
from app.identity.scope import get_scoped, scoped
from app.workflow.models import Case
from app.workflow.read import case_detail

bp_housing_stock = Blueprint("housing_stock", url_prefix="/api/v1/housing")

READ = ("housing.community.read", "housing.unit.read")
UNIT_READ = ("housing.unit.read", "housing.community.read")
WRITE = "housing.community.write"
IMPORT = "housing.unit.import"
ADD_UNITS = ("housing.unit.import", "housing.community.write")
INTAKE_READ = ("housing.unit.read", "case.case.read", "case.work.handle", "case.work.approve")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, name: str):  # noqa: ANN202
    return raw(data, content_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# ------------------------------------------------------------------ communities

COMMUNITY_LIST = ListSpec(title="小区房源", cols=[
    Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True, export=False),
    Col("name", "小区名称", ops=("eq", "contains"), sortable=True),
    Col("district_code", "所属区", ops=("eq", "in"), choices=DISTRICT_NAMES, sortable=True),
    Col("address", "地址", ops=("contains",)),
    Col("project_id", "项目ID", kind="int", ops=("eq", "in", "isnull"), export=False),
    Col("project_name", "关联项目", ops=()),
    Col("builder_id", "建设单位ID", kind="int", ops=("eq", "in"), export=False),
    Col("builder_name", "建设单位", ops=()),
    Col("operator_id", "运营单位ID", kind="int", ops=("eq", "in"), export=False),
    Col("operator_name", "运营单位", ops=()),
    Col("building_count", "楼栋数", ops=()),
    Col("unit_count", "房屋套数", ops=()),
    Col("available_count", "可配租套数", ops=()),
    Col("created_at", "登记时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=stock.communities_out, search=["name", "address"], default_sort="-id")


list_route(bp_housing_stock, "/communities", Community, COMMUNITY_LIST, name="communities_list",
           summary="小区房源查询（GOV-06-01, BLD-02-01, OPS-04-01）：单一/组合条件、导出",
           access=perm(*READ))


@bp_housing_stock.post("/communities")
@openapi.summary("新增小区（关联项目时区、建设单位、运营单位随项目）")
@body(S.CommunityIn)
@perm(WRITE)
async def communities_create(request: Request):
    actor = actor_of(request)
    c = await stock.create_community(actor, parse(request, S.CommunityIn))
    return json(await stock.community_detail(actor, c.id), status=201)


@bp_housing_stock.get("/communities/<community_id:int>")
@openapi.summary("小区详情：楼栋（含各状态套数）、项目楼栋")
@perm(*READ)
async def communities_detail(request: Request, community_id: int):
    return json(await stock.community_detail(actor_of(request), community_id))


@bp_housing_stock.put("/communities/<community_id:int>")
@openapi.summary("修改小区（区、建设单位、运营单位的变化同步到楼栋和房屋）")
@body(S.CommunityUpdate)
@perm(WRITE)
async def communities_update(request: Request, community_id: int):
    actor = actor_of(request)
    await stock.update_community(actor, community_id, parse(request, S.CommunityUpdate))
    return json(await stock.community_detail(actor, community_id))


@bp_housing_stock.delete("/communities/<community_id:int>")
@openapi.summary("删除小区（有房屋时拒绝并说明原因）")
@perm(WRITE)
async def communities_delete(request: Request, community_id: int):
    await stock.delete_community(actor_of(request), community_id)
    return json({"ok": True})


@bp_housing_stock.get("/communities/<community_id:int>/buildings")
@openapi.summary("小区的楼栋（逐级查看：小区 → 楼栋）")
@perm(*READ)
async def community_buildings(request: Request, community_id: int):
    actor = actor_of(request)
    detail = await stock.community_detail(actor, community_id)
    return json({"items": detail["buildings"]})


@bp_housing_stock.post("/communities/<community_id:int>/buildings")
@openapi.summary("新增楼栋（可同时新增单元）")
@body(S.BuildingIn)
@perm(WRITE)
async def community_buildings_create(request: Request, community_id: int):
    actor = actor_of(request)
    b = await stock.create_building(actor, community_id, parse(request, S.BuildingIn))
    return json(await stock.building_detail(actor, b.id), status=201)


# ------------------------------------------------------------------ buildings and entrances

BUILDING_LIST = ListSpec(title="楼栋", cols=[
    Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True, export=False),
    Col("name", "楼栋", ops=("eq", "contains"), sortable=True),
    Col("community_id", "小区ID", kind="int", ops=("eq", "in"), export=False),
    Col("community_name", "小区", ops=()),
    Col("project_id", "项目ID", kind="int", ops=("eq", "in"), export=False),
    Col("district_code", "所属区", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("floors", "层数", kind="int", ops=("eq", "gte", "lte"), sortable=True),
    Col("rea_building_code", "楼盘表楼栋编码", ops=("eq",)),
    Col("unit_count", "房屋套数", ops=()),
    Col("created_at", "登记时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=stock.buildings_out, search=["name"], default_sort="-id")


list_route(bp_housing_stock, "/buildings", Building, BUILDING_LIST, name="buildings_list",
           summary="楼栋查询",
           access=perm(*READ))


@bp_housing_stock.get("/buildings/<building_id:int>")
@openapi.summary("楼栋详情：单元、各楼层套数（逐级查看：楼栋 → 单元/楼层）")
@perm(*READ)
async def buildings_detail(request: Request, building_id: int):
    return json(await stock.building_detail(actor_of(request), building_id))


@bp_housing_stock.put("/buildings/<building_id:int>")
@openapi.summary("修改楼栋")
@body(S.BuildingUpdate)
@perm(WRITE)
async def buildings_update(request: Request, building_id: int):
    actor = actor_of(request)
    await stock.update_building(actor, building_id, parse(request, S.BuildingUpdate))
    return json(await stock.building_detail(actor, building_id))


@bp_housing_stock.delete("/buildings/<building_id:int>")
@openapi.summary("删除楼栋（有房屋时拒绝并说明原因）")
@perm(WRITE)
async def buildings_delete(request: Request, building_id: int):
    await stock.delete_building(actor_of(request), building_id)
    return json({"ok": True})


@bp_housing_stock.get("/buildings/<building_id:int>/table")
@openapi.summary("楼盘表图形视图（GOV-06-02, BLD-02-02, OPS-04-02）：楼层 × 房屋，按状态着色，含图例和统计")
@perm(*UNIT_READ)
async def buildings_table(request: Request, building_id: int):
    t = await units.building_table(actor_of(request), building_id)
    # Revalidated on every view (no-cache), after the scope check above: an unchanged building
    # costs a 304 instead of the whole grid.
    headers = {"ETag": t.etag, "Vary": "Accept-Encoding", "Cache-Control": "private, no-cache"}
    if request.headers.get("if-none-match") == t.etag:
        return HTTPResponse(status=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return raw(t.gzip, content_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return raw(t.json, content_type="application/json", headers=headers)


@bp_housing_stock.post("/buildings/<building_id:int>/entrances")
@openapi.summary("新增单元")
@body(S.EntranceIn)
@perm(WRITE)
async def entrances_create(request: Request, building_id: int):
    e = await stock.create_entrance(actor_of(request), building_id, parse(request, S.EntranceIn))
    return json({"id": e.id, "building_id": e.building_id, "name": e.name, "sort_order": e.sort_order}, status=201)


@bp_housing_stock.put("/entrances/<entrance_id:int>")
@openapi.summary("修改单元")
@body(S.EntranceUpdate)
@perm(WRITE)
async def entrances_update(request: Request, entrance_id: int):
    e = await stock.update_entrance(actor_of(request), entrance_id, parse(request, S.EntranceUpdate))
    return json({"id": e.id, "building_id": e.building_id, "name": e.name, "sort_order": e.sort_order})


@bp_housing_stock.delete("/entrances/<entrance_id:int>")
@openapi.summary("删除单元（有房屋时拒绝）")
@perm(WRITE)
async def entrances_delete(request: Request, entrance_id: int):
    await stock.delete_entrance(actor_of(request), entrance_id)
    return json({"ok": True})


# ------------------------------------------------------------------ units

@bp_housing_stock.get("/unit-options")
@openapi.summary("房屋信息的可选值：配置的户型、朝向、装修、配套设施（录入、变更、导入都按此校验）")
@perm(*UNIT_READ)
async def unit_options(request: Request):
    return json({"layouts": list(S.LAYOUTS), "orientations": list(S.ORIENTATIONS),
                 "decorations": list(S.DECORATIONS), "facilities": list(S.FACILITIES)})


@bp_housing_stock.get("/units")
@openapi.summary("楼盘表列表视图（GOV-06-02, BLD-02-02, OPS-04-02）：组合条件查询、导出")
@query(units.UNIT_LIST.openapi_params())
@perm(*UNIT_READ)
async def units_list(request: Request):
    qs = units.with_ranges(request, scoped(Unit, actor_of(request)))
    return await respond_list(request, qs, units.UNIT_LIST)


@bp_housing_stock.get("/units/<unit_id:int>")
@openapi.summary("房屋卡片（SYS-03）：基本信息、租住、租金、维修记录、变更记录")
@perm(*UNIT_READ)
async def units_card(request: Request, unit_id: int):
    return json(await units.unit_card(actor_of(request), unit_id))


@bp_housing_stock.get("/units/<unit_id:int>/history")
@openapi.summary("房屋变更记录（入库、变更、锁定、解锁）")
@query(units.HISTORY_LIST.openapi_params())
@perm(*UNIT_READ)
async def units_history(request: Request, unit_id: int):
    actor = actor_of(request)
    await get_scoped(Unit, actor, unit_id)
    return await respond_list(request, units.history_queryset(actor, unit_id), units.HISTORY_LIST)


async def _unit_out(actor, unit_id: int) -> dict:  # noqa: ANN001
    return (await units.unit_card(actor, unit_id))["unit"]


@bp_housing_stock.post("/units/<unit_id:int>/lock")
@openapi.summary("锁定房屋（GOV-06-01, OPS-04-01）：锁定后不能配租")
@body(S.LockIn)
@perm("housing.unit.lock")
async def units_lock(request: Request, unit_id: int):
    data = parse(request, S.LockIn)
    actor = actor_of(request)
    await units.lock(actor, unit_id, data.reason, data.row_version)
    return json(await _unit_out(actor, unit_id))


@bp_housing_stock.post("/units/<unit_id:int>/unlock")
@openapi.summary("解锁房屋")
@body(S.UnlockIn)
@perm("housing.unit.lock")
async def units_unlock(request: Request, unit_id: int):
    data = parse(request, S.UnlockIn)
    actor = actor_of(request)
    await units.unlock(actor, unit_id, data.reason, data.row_version)
    return json(await _unit_out(actor, unit_id))


@bp_housing_stock.post("/units/<unit_id:int>/change-cases")
@openapi.summary("房源变更申请/受理（GOV-06-05, BLD-02-05）：校验后创建房源变更业务件")
@body(S.ChangeCaseIn)
@perm("case.case.intake")
async def units_change_case(request: Request, unit_id: int):
    data = parse(request, S.ChangeCaseIn)
    actor = actor_of(request)
    case = await units.start_change_case(actor, unit_id, data)
    return json(await case_detail(actor, await Case.get(id=case.id)), status=201)


# ------------------------------------------------------------------ intake

@bp_housing_stock.get("/rea/unit-table")
@openapi.summary("查询房地产交易系统楼盘表（REA-01）：按项目名称关键字、项目编码或区")
@openapi.parameter("keyword", str, "query", description="项目名称关键字")
@openapi.parameter("project_code", str, "query", description="楼盘表项目编码")
@openapi.parameter("district_code", str, "query", description="所属区（市）代码")
@openapi.parameter("arh_only", str, "query", description="1 只查已归类为保障性租赁住房的项目")
@perm(IMPORT)
async def rea_unit_table(request: Request):
    a = request.args
    return json(await intake.rea_search(actor_of(request), a.get("keyword"), a.get("project_code"),
                                        a.get("district_code"), flag(request, "arh_only")))


@bp_housing_stock.get("/intakes/<case_id:int>")
@openapi.summary("房源入库申请的房屋汇总（GOV-06-04, BLD-02-04）")
@perm(*INTAKE_READ)
async def intakes_summary(request: Request, case_id: int):
    return json(await intake.summary(actor_of(request), case_id))


@bp_housing_stock.get("/intakes/<case_id:int>/units")
@openapi.summary("房源入库申请的房屋清单（可导出）")
@query(units.UNIT_LIST.openapi_params())
@perm(*INTAKE_READ)
async def intakes_units(request: Request, case_id: int):
    qs = units.with_ranges(request, await intake.case_units(actor_of(request), case_id))
    return await respond_list(request, qs, units.UNIT_LIST)


@bp_housing_stock.post("/intakes/<case_id:int>/rea")
@openapi.summary("从楼盘表获取房屋加入入库申请（整栋或单套）")
@body(S.ReaPickIn)
@perm(IMPORT)
async def intakes_rea(request: Request, case_id: int):
    return json(await intake.attach_rea(actor_of(request), case_id, parse(request, S.ReaPickIn)), status=201)


@bp_housing_stock.post("/intakes/<case_id:int>/units")
@openapi.summary("逐套新增房屋到入库申请")
@body(S.IntakeUnitIn)
@perm(*ADD_UNITS)
async def intakes_add_unit(request: Request, case_id: int):
    actor = actor_of(request)
    u = await intake.add_unit(actor, case_id, parse(request, S.IntakeUnitIn))
    return json(await _unit_out(actor, u.id), status=201)


@bp_housing_stock.post("/intakes/<case_id:int>/units/remove")
@openapi.summary("从入库申请移出房屋（仅草稿或退回补正时）")
@body(S.RemoveUnitsIn)
@perm(*ADD_UNITS)
async def intakes_remove_units(request: Request, case_id: int):
    return json(await intake.remove_units(actor_of(request), case_id, parse(request, S.RemoveUnitsIn)))


@bp_housing_stock.get("/unit-import/template")
@openapi.summary("下载房源批量导入模板（Excel）")
@perm(IMPORT)
async def unit_import_template(request: Request):
    return _download(unit_import.template_bytes(), "房源导入模板.xlsx")


@bp_housing_stock.post("/intakes/<case_id:int>/imports")
@openapi.summary("批量导入房屋到入库申请：后台任务，先校验全部行，默认全部无误才导入")
@body(S.ImportIn)
@perm(IMPORT)
async def intakes_import(request: Request, case_id: int):
    data = parse(request, S.ImportIn)
    actor = actor_of(request)
    job = await unit_import.start(actor, case_id, data.file_id, data.mode, data.community_id)
    return json(await unit_import.job_out(actor, job), status=202)


@bp_housing_stock.post("/unit-imports/<import_id:uuid>/commit-valid")
@openapi.summary("校验未通过的导入：明确选择只导入无误的行")
@perm(IMPORT)
async def unit_imports_commit_valid(request: Request, import_id):  # noqa: ANN001
    actor = actor_of(request)
    job = await unit_import.commit_valid(actor, import_id)
    return json(await unit_import.job_out(actor, job), status=202)


@bp_housing_stock.post("/unit-imports/<import_id:uuid>/commit")
@openapi.summary("校验后未导入的任务继续导入：确认新建楼栋（new_buildings 须列出校验结果中的每一栋），可只导入无误的行")
@body(S.ImportCommitIn)
@perm(IMPORT)
async def unit_imports_commit(request: Request, import_id):  # noqa: ANN001
    data = parse(request, S.ImportCommitIn)
    actor = actor_of(request)
    job = await unit_import.commit(actor, import_id, data.valid_only, data.new_buildings)
    return json(await unit_import.job_out(actor, job), status=202)


@bp_housing_stock.get("/unit-imports/<import_id:uuid>/errors")
@openapi.summary("下载导入错误清单（行号、列、错误说明）")
@perm(IMPORT)
async def unit_imports_errors(request: Request, import_id):  # noqa: ANN001
    data, name = await unit_import.errors_xlsx(actor_of(request), import_id)
    return _download(data, name)
