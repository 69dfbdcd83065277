"""规则配置 (/api/v1/rule-sets): list, versions, validate, save, try with sample inputs, enable/disable (SYS-01)."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.http import body, parse, query
from app.core.lists import Col, ListSpec, respond_list
from app.core.regions import DISTRICT_NAMES
from app.identity.guard import actor_of, perm
from app.rules import schemas as S
from app.rules import service
from app.rules.models import RuleSetVersion
from app.rules.ruleset import KINDS

bp_rules = Blueprint("rules", url_prefix="/api/v1/rule-sets")


def _d(v) -> str | None:  # noqa: ANN001
    return v.isoformat() if v else None


def version_out(row: RuleSetVersion, definition: bool = False) -> dict:
    out = {
        "id": row.id, "key": row.key, "district_code": row.district_code,
        "scope": "district" if row.district_code else "city", "scope_name": service.scope_name(row.district_code),
        "version": row.version, "name": row.name, "kind": row.kind,
        "kind_name": KINDS.get(row.kind, row.kind), "enabled": row.enabled, "note": row.note,
        "rule_count": len(row.definition.get("rules", [])), "input_count": len(row.definition.get("inputs", [])),
        "created_by_id": row.created_by_id, "created_by_name": row.created_by_name,
        "created_at": _d(row.created_at),
        # The list shows the latest version per key: its save time is the rule set's update time.
        "updated_at": _d(row.created_at), "updated_by_name": row.created_by_name,
    }
    if definition:
        out["definition"] = row.definition
    return out


async def _rows_out(rows: list[RuleSetVersion]) -> list[dict]:
    return [version_out(r) for r in rows]


RULESET_LIST = ListSpec(
    title="规则集列表",
    cols=[
        Col("key", "规则集编码", ops=("eq", "in", "contains"), sortable=True),
        Col("district_code", "所属区（市）", ops=("eq", "in", "isnull"), choices=DISTRICT_NAMES, sortable=True,
            export=False),
        Col("scope_name", "适用范围", ops=()),  # 全市 or the district's name
        Col("name", "规则集名称", ops=("eq", "contains"), sortable=True),
        Col("kind", "类型", ops=("eq", "in"), choices=KINDS, sortable=True),
        Col("version", "当前版本", kind="int", ops=("eq", "gte"), sortable=True),
        Col("enabled", "启用", kind="bool", sortable=True),
        Col("rule_count", "规则数", ops=()),
        Col("note", "版本说明", ops=("contains",)),
        Col("updated_by_name", "最后保存人", field="created_by_name", ops=("eq", "contains")),
        Col("updated_at", "更新时间", field="created_at", kind="datetime", ops=("gte", "lte"), sortable=True),
    ],
    serialize=_rows_out, search=["key", "name"], default_sort="key",
)

VERSION_LIST = ListSpec(
    title="规则集版本",
    cols=[
        Col("version", "版本", kind="int", ops=("eq", "gte", "lte"), sortable=True),
        Col("name", "规则集名称", ops=("contains",)),
        Col("rule_count", "规则数", ops=()),
        Col("note", "版本说明", ops=("contains",)),
        Col("created_by_name", "保存人", ops=("eq", "contains")),
        Col("created_at", "保存时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("enabled", "启用", kind="bool", ops=()),
    ],
    serialize=_rows_out, search=["note", "created_by_name"], default_sort="-version",
    extra_params={"district_code"},  # which rule set's versions: the city's unless a district is named
)


_DISTRICT_PARAM = openapi.parameter("district_code", str, "query",
                                    description="所属区（市）代码，如 440703；不填为全市规则集")


def _district(request: Request) -> str | None:
    return service.check_district(request.args.get("district_code") or None)


@bp_rules.get("")
@openapi.summary("规则集查询：全市和各区（市）的每个规则集一行（最新版本），按编码、适用范围、名称、类型、启用、更新时间筛选，可导出")
@query(RULESET_LIST.openapi_params())
@perm("rules.ruleset.read")
async def ruleset_list(request: Request):
    qs = RuleSetVersion.filter(id__in=await service.latest_ids())
    return await respond_list(request, qs, RULESET_LIST)


@bp_rules.post("")
@openapi.summary("新建规则集（第 1 版，启用）；保存时校验，全部问题列在 error.fields")
@body(S.RuleSetCreate)
@perm("rules.ruleset.write")
async def ruleset_create(request: Request):
    p = parse(request, S.RuleSetCreate)
    row = await service.create(actor_of(request), p.key, p.definition, p.note, district_code=p.district_code)
    return json(version_out(row, definition=True), status=201)


@bp_rules.post("/validate")
@openapi.summary("校验规则集定义（不保存）：语法、未声明的输入、不支持的函数、结果类型、用示例值试算")
@body(S.ValidateIn)
@perm("rules.ruleset.read")
async def ruleset_validate(request: Request):
    p = parse(request, S.ValidateIn)
    problems = service.problems_of(service.build("draft", 1, p.definition))
    return json({"ok": not problems, "problems": problems})


@bp_rules.get("/<key:str>")
@openapi.summary("规则集详情：最新版本及其定义（全市的，或 district_code 区（市）的）")
@_DISTRICT_PARAM
@perm("rules.ruleset.read")
async def ruleset_detail(request: Request, key: str):
    return json(version_out(await service.latest(key, _district(request)), definition=True))


@bp_rules.put("/<key:str>")
@openapi.summary("保存为新版本（之前的版本保留，已办业务仍记录其所用版本）")
@body(S.RuleSetSave)
@perm("rules.ruleset.write")
async def ruleset_save(request: Request, key: str):
    p = parse(request, S.RuleSetSave)
    row = await service.save(actor_of(request), key, p.definition, p.note, district_code=p.district_code)
    return json(version_out(row, definition=True))


@bp_rules.get("/<key:str>/versions")
@openapi.summary("规则集的历史版本")
@query(VERSION_LIST.openapi_params())
@perm("rules.ruleset.read")
async def ruleset_versions(request: Request, key: str):
    district = _district(request)
    await service.latest(key, district)  # 404 for an unknown rule set rather than an empty list
    qs = RuleSetVersion.filter(key=key, district_code=district) if district else \
        RuleSetVersion.filter(key=key, district_code__isnull=True)
    return await respond_list(request, qs, VERSION_LIST)


@bp_rules.get("/<key:str>/versions/<version:int>")
@openapi.summary("某一版本的定义")
@_DISTRICT_PARAM
@perm("rules.ruleset.read")
async def ruleset_version(request: Request, key: str, version: int):
    return json(version_out(await service.get_version(key, version, _district(request)), definition=True))


@bp_rules.post("/<key:str>/try")
@openapi.summary("试算：用填写的输入运行规则集（最新版本、指定版本或未保存的草稿），返回每条规则的输入、结果和结论；不记录")
@body(S.TryIn)
@perm("rules.ruleset.read")
async def ruleset_try(request: Request, key: str):
    p = parse(request, S.TryIn)
    if p.definition is not None:
        service.check_key(key)
        decision = await service.try_run(p.definition, p.inputs, key=key, district_code=p.district_code)
    else:
        decision = await service.try_run(key, p.inputs, version=p.version, district_code=p.district_code)
    return json(decision.to_dict())


@bp_rules.post("/<key:str>/enable")
@openapi.summary("启用或停用规则集；停用后依赖它的业务不能办理")
@body(S.EnableIn)
@perm("rules.ruleset.write")
async def ruleset_enable(request: Request, key: str):
    p = parse(request, S.EnableIn)
    row = await service.set_enabled(actor_of(request), key, p.enabled, p.district_code)
    return json(version_out(row))
