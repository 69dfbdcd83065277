"""HTTP API of the shared mechanisms of app/core: audit log, files, jobs.

It lives in app/api because a route declares its permission with identity's guard, and core sits
below identity."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from app import audit_anchor
from app.core import audit, audit_labels, files
from app.core.db import conn
from app.core.errors import NotFound
from app.core.regions import DISTRICT_NAMES
from app.workflow.case_types import CASE_TYPES
from app.core.lists import Col, ListSpec
from app.core.models import AuditLog, Job, StoredFile
from app.identity.guard import actor_of, authenticated, perm
from app.identity.lists import list_route
from app.identity.scope import get_scoped

bp_audit = Blueprint("audit", url_prefix="/api/v1/audit")
bp_files = Blueprint("files", url_prefix="/api/v1/files")
bp_jobs = Blueprint("jobs", url_prefix="/api/v1/jobs")


async def _logs_out(rows: list[AuditLog]) -> list[dict]:
    # Codes stay (the admins' detail drawer shows them); labels, names and changes come beside them.
    return await audit_labels.describe([
        {"id": r.id, "created_at": r.created_at.isoformat(), "actor_id": r.actor_id, "actor_name": r.actor_name,
         "actor_kind": r.actor_kind, "org_id": r.org_id, "org_name": r.org_name, "ip": r.ip,
         "action": r.action, "object_type": r.object_type, "object_id": r.object_id, "summary": r.summary,
         "before": r.before, "after": r.after} for r in rows])


async def _case_type_names(ids: list[str]) -> dict[str, str]:
    """`repair:v3` (a form or a process of a case type) -> 报修（第3版）."""
    out = {}
    for i in ids:
        key, _, v = i.partition(":v")
        if key in CASE_TYPES:
            out[i] = f"{CASE_TYPES[key].name}（第{v}版）" if v.isdigit() else CASE_TYPES[key].name
    return out


async def _rule_set_names(ids: list[str]) -> dict[str, str]:
    """`key` or `key@district` -> the rule set's name (and its district)."""
    keys = sorted({i.partition("@")[0] for i in ids})
    _, rows = await conn().execute_query(
        "SELECT DISTINCT ON (key, coalesce(district_code, '')) key, district_code, name FROM rule_set_version"
        " WHERE key = ANY($1::text[]) ORDER BY key, coalesce(district_code, ''), version DESC", [keys])
    names = {(r["key"] + (f"@{r['district_code']}" if r["district_code"] else "")): r["name"] for r in rows}
    return {i: names[i] + (f"（{DISTRICT_NAMES.get(i.partition('@')[2], i.partition('@')[2])}）" if "@" in i else "")
            for i in ids if i in names}


# Names of the objects whose ids are keys of the platform packages (forms, processes, rule sets).
audit_labels.register(objects={"form": audit_labels.ObjectType("表单", _case_type_names),
                               "process": audit_labels.ObjectType("流程", _case_type_names),
                               "rule_set": audit_labels.ObjectType("规则", _rule_set_names)})


LOG_LIST = ListSpec(
    title="审计日志",
    cols=[
        Col("id", "ID", kind="int", ops=("eq", "gte", "lte"), sortable=True),
        Col("created_at", "时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("actor_id", "操作人ID", kind="int"),
        Col("actor_name", "操作人", ops=("eq", "contains")),
        Col("org_id", "单位ID", kind="int"),
        Col("org_name", "单位", ops=("contains",)),
        Col("ip", "IP", ops=("eq",)),
        Col("action", "操作", ops=("eq", "in", "contains"), choices=audit_labels.ACTIONS),
        Col("object_type", "对象类型", ops=("eq", "in"), choices=audit_labels.OBJECT_LABELS),
        Col("object_id", "对象ID", ops=("eq",)),
        Col("summary", "摘要", ops=("contains",)),
        Col("before", "修改前", ops=(), export=True),
        Col("after", "修改后", ops=(), export=True),
    ],
    serialize=_logs_out, search=["summary", "actor_name", "action"], default_sort="-id",
)


list_route(bp_audit, "/logs", AuditLog, LOG_LIST, name="log_list",
           summary="审计日志查询",
           access=perm("audit.log.read"))


@bp_audit.get("/labels")
@openapi.summary("审计日志的操作与对象类型名称（查询条件的选项）")
@perm("audit.log.read")
async def log_labels(request: Request):
    return json({"actions": dict(audit_labels.ACTIONS), "object_types": dict(audit_labels.OBJECT_LABELS)})


@bp_audit.get("/verify")
@openapi.summary("校验审计日志哈希链与锚点，返回第一条被篡改或断链的记录，以及最近锚点之后的截断")
@openapi.description("`anchor`：每个锚点对照当前日志的结果。`anchor.ok` 为 false 时，`anchor.problem` 为 "
                     "truncated（锚定的最后一条或其之前的记录被删除）、altered（锚定记录被改）或 forged（锚点签名无效），"
                     "`anchor.reason` 指明是哪个锚点。")
@perm("audit.log.read")
async def log_verify(request: Request):
    return json(await audit.verify() | {"anchor": await audit_anchor.check()})


@bp_files.post("/")
@openapi.summary("上传文件（按内容识别类型：图片、PDF、Office；大小受限）")
@openapi.body({"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}})
@perm("file.upload")
async def file_upload(request: Request):
    f = request.files.get("file") if request.files else None
    stored = await files.save_upload(actor_of(request), f)
    return json(files.file_out(stored), status=201)


@bp_files.get("/<file_id:uuid>")
@openapi.summary("文件信息")
@authenticated
async def file_meta(request: Request, file_id):  # noqa: ANN001
    return json(files.file_out(await get_scoped(StoredFile, actor_of(request), file_id)))


@bp_files.get("/<file_id:uuid>/content")
@openapi.summary("下载文件（校验数据权限）")
@authenticated
async def file_content(request: Request, file_id):  # noqa: ANN001
    f = await get_scoped(StoredFile, actor_of(request), file_id)
    data = await files.storage().get(f.sha256)
    return raw(data, content_type=f.mime, headers=files.download_headers(f))


@bp_files.get("/<file_id:uuid>/thumbnail")
@openapi.summary("图片缩略图")
@authenticated
async def file_thumb(request: Request, file_id):  # noqa: ANN001
    f = await get_scoped(StoredFile, actor_of(request), file_id)
    if not f.thumb_sha256:
        raise NotFound("该文件没有缩略图")
    return raw(await files.storage().get(f.thumb_sha256), content_type="image/jpeg")


@bp_jobs.get("/<job_id:uuid>")
@openapi.summary("后台任务进度")
@authenticated
async def job_status(request: Request, job_id):  # noqa: ANN001
    j = await get_scoped(Job, actor_of(request), job_id)
    return json({"id": str(j.id), "kind": j.kind, "status": j.status, "progress": j.progress, "total": j.total,
                 "message": j.message, "result": j.result, "errors": j.errors,
                 "created_at": j.created_at.isoformat(),
                 "finished_at": j.finished_at.isoformat() if j.finished_at else None})
