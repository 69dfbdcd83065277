"""Cases HTTP API: intake, search, detail, actions, todo/done, processes, forms; /api/me/cases."""
from __future__ import annotations

import asyncio

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi
from tortoise.functions import Count

from app.core import files as file_store
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.http import body, flag, parse, query
from app.core.lists import Col, ListSpec, respond_list
from app.core.models import StoredFile
from app.core.regions import DISTRICT_NAMES
from app.documents.models import IssuedDocument
from app.identity.guard import actor_of, perm, person
from app.identity.models import Account
from app.identity.scope import Actor, scoped
from app.workflow import access, calendar, deploy, forms, kpis, read, service  # noqa: F401 - kpis registers cards
from app.workflow import schemas as S
from app.workflow.case_types import CASE_TYPES, CHANNELS, STATUSES, case_type
from app.workflow.engine import ACTIONS
from app.workflow.models import Case, CaseMaterial, FormVersion, ProcessVersion, WorkItem

bp_cases = Blueprint("cases", url_prefix="/api/v1")
bp_my_cases = Blueprint("my_cases", url_prefix="/api/me")

WORK = ("case.work.handle", "case.work.approve", "case.work.supervise")


# ------------------------------------------------------------------ case types

@bp_cases.get("/case-types")
@openapi.summary("业务类型（含受理表单、材料类型）")
@perm("case.case.read", "case.case.intake")
async def case_types(request: Request):
    forms_by_type = {f.case_type: f for f in await FormVersion.filter(active=True)}
    versions = dict(await ProcessVersion.filter(active=True).values_list("key", "version"))
    items = []
    for t in CASE_TYPES.values():
        fv = forms_by_type.get(t.key)
        rules = forms.schema_for(fv.rules, forms.perms_for(fv.rules, fv.field_perms, "submission", True)) \
            if fv else []
        items.append({"key": t.key, "name": t.name, "prefix": t.prefix, "applicant_kinds": list(t.applicant_kinds),
                      "handler_org_kind": t.handler_org_kind, "material_types": list(t.material_types),
                      "process_version": versions.get(t.key),
                      "form": {"version": fv.version if fv else None, "rules": rules,
                               "options": fv.options if fv else {}}})
    return json({"items": items, "districts": [{"code": k, "name": v} for k, v in DISTRICT_NAMES.items()],
                 "statuses": STATUSES, "channels": CHANNELS})


# ------------------------------------------------------------------ cases

@bp_cases.get("/cases")
@openapi.summary("业务查询（GOV-02-05, OPS-02-04）")
@query(read.CASE_LIST.openapi_params())
@perm("case.case.read")
async def cases_list(request: Request):
    return await respond_list(request, read.overdue_filter(scoped(Case, actor_of(request)), flag(request, "overdue")), read.CASE_LIST)


@bp_cases.post("/cases")
@openapi.summary("窗口受理（SYS-02）：录入申请人、表单、材料并提交")
@body(S.CaseIn)
@perm("case.case.intake")
async def cases_create(request: Request):
    data = parse(request, S.CaseIn)
    actor = actor_of(request)
    # A builder or operator applying for itself does so online; anything else is taken in at a window.
    own = data.applicant.kind == "ORG" and data.applicant.org_id == actor.org_id and \
        actor.org_kind in ("BUILDER", "OPERATOR")
    case = await service.create_case(
        actor, case_type_key=data.case_type, channel="online" if own else "onsite",
        applicant=service.Applicant(**data.applicant.model_dump()), district_code=data.district_code,
        org_id=data.org_id, subjects=data.subjects, form=data.form,
        materials=[m.model_dump() for m in data.materials], submit=data.submit, opinion=data.opinion)
    return json(await read.case_detail(actor, await Case.get(id=case.id)), status=201)


@bp_cases.get("/cases/<case_id:int>")
@openapi.summary("业务件详情：表单、材料、办理过程、可办理操作")
@perm("case.case.read", *WORK)
async def cases_detail(request: Request, case_id: int):
    actor = actor_of(request)
    return json(await read.case_detail(actor, await service.get_case(actor, case_id)))


@bp_cases.patch("/cases/<case_id:int>")
@openapi.summary("修改业务件表单（仅当前环节允许修改的字段）")
@body(S.CaseEdit)
@perm("case.case.edit", *WORK)
async def cases_edit(request: Request, case_id: int):
    data = parse(request, S.CaseEdit)
    actor = actor_of(request)
    case = await service.edit(actor, case_id, data.form, data.row_version)
    return json(await read.case_detail(actor, case))


@bp_cases.delete("/cases/<case_id:int>")
@openapi.summary("删除草稿")
@perm("case.case.delete")
async def cases_delete(request: Request, case_id: int):
    await service.delete_draft(actor_of(request), case_id)
    return json({"ok": True})


@bp_cases.post("/cases/<case_id:int>/materials")
@openapi.summary("补充材料")
@body(S.MaterialIn)
@perm("case.case.edit", *WORK)
async def cases_material_add(request: Request, case_id: int):
    data = parse(request, S.MaterialIn)
    m = await service.add_material(actor_of(request), case_id, str(data.file_id), data.material_type)
    return json(S.material_row(m, False), status=201)


@bp_cases.delete("/cases/<case_id:int>/materials/<material_id:int>")
@openapi.summary("删除材料")
@perm("case.case.edit", *WORK)
async def cases_material_remove(request: Request, case_id: int, material_id: int):
    await service.remove_material(actor_of(request), case_id, material_id)
    return json({"ok": True})


async def _material_file(actor: Actor, case_id: int, material_id: int) -> StoredFile:
    case = await service.get_case(actor, case_id)
    m = await CaseMaterial.filter(id=material_id, case_id=case.id).first()
    f = await StoredFile.filter(id=m.file_id).first() if m else None
    if f is None:
        raise NotFound("材料不存在")
    return f


@bp_cases.get("/cases/<case_id:int>/materials/<material_id:int>/content")
@openapi.summary("查看材料原件")
@perm("case.case.read", *WORK)
async def cases_material_content(request: Request, case_id: int, material_id: int):
    f = await _material_file(actor_of(request), case_id, material_id)
    return raw(await file_store.storage().get(f.sha256), content_type=f.mime, headers=file_store.download_headers(f))


@bp_cases.get("/cases/<case_id:int>/materials/<material_id:int>/thumbnail")
@openapi.summary("材料缩略图")
@perm("case.case.read", *WORK)
async def cases_material_thumb(request: Request, case_id: int, material_id: int):
    f = await _material_file(actor_of(request), case_id, material_id)
    if not f.thumb_sha256:
        raise NotFound("该材料没有缩略图")
    return raw(await file_store.storage().get(f.thumb_sha256), content_type="image/jpeg",
               headers={"Cache-Control": "private, max-age=3600"})


async def _case_document(actor: Actor, case_id: int, doc_id: str):  # noqa: ANN202
    case = await service.get_case(actor, case_id)
    d = await IssuedDocument.filter(id=doc_id, case_id=case.id).first()
    f = await StoredFile.filter(id=d.file_id).first() if d else None
    if f is None:
        raise NotFound("文书不存在")
    return raw(await file_store.storage().get(f.sha256), content_type="application/pdf",
               headers=file_store.download_headers(f))


@bp_cases.get("/cases/<case_id:int>/documents/<doc_id:uuid>/pdf")
@openapi.summary("下载本业务件的电子文书（能查看业务件即可）")
@perm("case.case.read", *WORK)
async def cases_document_pdf(request: Request, case_id: int, doc_id):  # noqa: ANN001
    return await _case_document(actor_of(request), case_id, str(doc_id))


@bp_cases.post("/cases/<case_id:int>/withdraw")
@openapi.summary("撤回（提交人，首次审核开始前）")
@body(S.ReasonIn)
@perm("case.case.intake", "case.case.read")
async def cases_withdraw(request: Request, case_id: int):
    data = parse(request, S.ReasonIn)
    actor = actor_of(request)
    return json(await read.case_detail(actor, await service.withdraw(actor, case_id, data.reason)))


@bp_cases.post("/cases/<case_id:int>/comments")
@openapi.summary("添加意见")
@body(S.OpinionIn)
@perm("case.case.read", *WORK)
async def cases_comment(request: Request, case_id: int):
    data = parse(request, S.OpinionIn)
    await service.comment(actor_of(request), case_id, data.opinion)
    return json({"ok": True}, status=201)


@bp_cases.post("/cases/<case_id:int>/documents")
@openapi.summary("出具电子文书（以本单位电子印章签章），如受理回执")
@body(S.IssueIn)
@perm("document.issue")
async def cases_issue(request: Request, case_id: int):
    data = parse(request, S.IssueIn)
    doc = await service.issue_for_case(actor_of(request), case_id, data.template_key)
    return json({"id": str(doc.id), "number": doc.number, "title": doc.title, "status": doc.status,
                 "issued_at": S.iso(doc.issued_at),
                 "pdf_url": f"/api/v1/cases/{case_id}/documents/{doc.id}/pdf"}, status=201)


# ------------------------------------------------------------------ todo / done

ITEM_COLS = [
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("case_number", "业务编号", ops=("eq", "contains"), sortable=True),
    Col("case_type", "业务类型", ops=("eq", "in"), choices={k: t.name for k, t in CASE_TYPES.items()}),
    Col("applicant_name", "申请人", ops=("eq", "contains")),
    Col("step_name", "办理环节", ops=("eq", "contains")),
    Col("district_code", "所属区", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("assignee_name", "办理人", ops=("eq", "contains")),
    Col("created_at", "到达时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    Col("due_date", "办理期限", kind="date", ops=("gte", "lte"), sortable=True),
]
OPEN_ITEMS_LIST = ListSpec(title="待办事项", cols=ITEM_COLS, serialize=read.items_out,
                     search=["case_number", "applicant_name", "step_name"], default_sort="created_at",
                     extra_params={"all", "assigned", "overdue"}, count_epoch="work_item")
DONE_LIST = ListSpec(title="已办事项", cols=ITEM_COLS + [
    Col("action", "办理结果", ops=("eq", "in"), choices=ACTIONS),
    Col("opinion", "办理意见", ops=("contains",)),
    Col("done_at", "办理时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=read.items_out, search=["case_number", "applicant_name", "step_name"], default_sort="-done_at")


@bp_cases.get("/todo")
@openapi.summary("待办事项（GOV-01-02, OPS-01-02）")
@query(OPEN_ITEMS_LIST.openapi_params())
@perm(*WORK)
async def todo(request: Request):
    actor = actor_of(request)
    qs = service.todo_queryset(actor, everything=flag(request, "all"), assigned=request.args.get("assigned"))
    if flag(request, "overdue"):
        qs = qs.filter(due_date__lt=calendar.today())

    async def rows_with_rights(rows: list[WorkItem]) -> list[dict]:
        # 签收 / 办理 / 转办 as the API decides them, so the list never offers what would be refused.
        today = calendar.today()
        handled = await service.handled_steps(list({i.case_id for i in rows}), actor.account_id)
        return [S.item_row(i, today) | service.rights(actor, i, handled.get(i.case_id, {})) for i in rows]
    return await respond_list(request, qs, OPEN_ITEMS_LIST, serialize=rows_with_rights)


@bp_cases.get("/done")
@openapi.summary("已办事项（GOV-01-03, OPS-01-03）")
@query(DONE_LIST.openapi_params())
@perm(*WORK)
async def done(request: Request):
    actor = actor_of(request)
    return await respond_list(request, WorkItem.filter(status="done", done_by_id=actor.account_id), DONE_LIST)


@bp_cases.post("/work-items/<item_id:int>/claim")
@openapi.summary("签收待办")
@perm(*WORK)
async def work_claim(request: Request, item_id: int):
    item = await service.claim(actor_of(request), item_id)
    return json(S.item_row(item, calendar.today()))


@bp_cases.post("/work-items/<item_id:int>/act")
@openapi.summary("办理：提交、通过、驳回、退回上一步、退回申请人")
@body(S.ActIn)
@perm(*WORK, "case.case.intake")
async def work_act(request: Request, item_id: int):
    data = parse(request, S.ActIn)
    actor = actor_of(request)
    case = await service.act(actor, item_id, data.action, data.opinion, data.form)
    return json(await read.case_detail(actor, await Case.get(id=case.id)))


@bp_cases.post("/work-items/<item_id:int>/transfer")
@openapi.summary("转办给指定人员")
@body(S.TransferIn)
@perm(*WORK)
async def work_transfer(request: Request, item_id: int):
    data = parse(request, S.TransferIn)
    item = await service.transfer(actor_of(request), item_id, data.to_account_id, data.opinion)
    return json(S.item_row(item, calendar.today()))


@bp_cases.get("/work-items/<item_id:int>/candidates")
@openapi.summary("可转办人员")
@perm(*WORK)
async def work_candidates(request: Request, item_id: int):
    accounts = await service.transfer_candidates(actor_of(request), item_id)
    return json({"items": [{"id": a.id, "name": a.name, "org_name": a.org.name if a.org else None,
                            "position": a.position} for a in accounts]})


# ------------------------------------------------------------------ processes

def _pv_row(pv: ProcessVersion) -> dict:
    return {"key": pv.key, "name": pv.name, "version": pv.version, "content_hash": pv.content_hash,
            "active": pv.active, "note": pv.note, "deployed_at": S.iso(pv.deployed_at),
            "deployed_by_name": pv.deployed_by_name}


@bp_cases.get("/processes")
@openapi.summary("流程列表：每个业务类型的当前版本")
@perm("case.process.read")
async def processes(request: Request):
    rows = await ProcessVersion.filter(active=True).order_by("key")
    running = dict(await Case.filter(status__in=["draft", "in_review", "returned"])
                   .annotate(n=Count("id")).group_by("case_type").values_list("case_type", "n"))
    on_active = dict(await Case.filter(status__in=["draft", "in_review", "returned"],
                                       process_version_id__in=[p.id for p in rows])
                     .annotate(n=Count("id")).group_by("case_type").values_list("case_type", "n"))
    return json({"items": [_pv_row(p) | {"case_type_name": CASE_TYPES[p.key].name if p.key in CASE_TYPES else p.key,
                                         "running_cases": running.get(p.key, 0),
                                         "running_on_active": on_active.get(p.key, 0)} for p in rows]})


@bp_cases.get("/processes/<key:str>/versions")
@openapi.summary("流程版本")
@perm("case.process.read")
async def process_versions(request: Request, key: str):
    case_type(key)
    rows = await ProcessVersion.filter(key=key).order_by("-version")
    return json({"items": [_pv_row(p) for p in rows]})


@bp_cases.get("/processes/<key:str>/versions/<version:int>")
@openapi.summary("流程某一版本的 BPMN XML")
@perm("case.process.read")
async def process_version(request: Request, key: str, version: int):
    case_type(key)
    pv = await ProcessVersion.filter(key=key, version=version).first() if 0 < version < 2**31 else None
    if pv is None:
        raise NotFound("流程版本不存在")
    return json(_pv_row(pv) | {"xml": pv.xml, "steps": pv.steps})


@bp_cases.post("/processes/<key:str>/validate")
@openapi.summary("校验流程（不发布）")
@body(S.ProcessXmlIn)
@perm("case.process.deploy")
async def process_validate(request: Request, key: str):
    data = parse(request, S.ProcessXmlIn)
    try:
        d = await asyncio.to_thread(deploy.check_process, key, data.xml)
    except InvalidInput as e:
        return json({"ok": False, "steps": [], "problems": [{"message": e.message, "fields": e.fields}]})
    return json({"ok": True, "steps": deploy.steps_of(d), "problems": [], "content_hash": d.version})


@bp_cases.post("/processes/<key:str>/deploy")
@openapi.summary("发布流程新版本（运行中的业务件保持原版本）")
@body(S.ProcessXmlIn)
@perm("case.process.deploy")
async def process_deploy(request: Request, key: str):
    data = parse(request, S.ProcessXmlIn)
    pv = await deploy.deploy_process(key, data.xml, data.note, actor_of(request))
    return json(_pv_row(pv) | {"steps": pv.steps}, status=201)


# ------------------------------------------------------------------ forms

def _fv_row(fv: FormVersion) -> dict:
    return {"case_type": fv.case_type, "case_type_name": CASE_TYPES[fv.case_type].name, "version": fv.version,
            "active": fv.active, "note": fv.note, "created_at": S.iso(fv.created_at),
            "created_by_name": fv.created_by_name}


@bp_cases.get("/forms")
@openapi.summary("表单列表")
@perm("case.process.read")
async def forms_list(request: Request):
    rows = await FormVersion.filter(active=True).order_by("case_type")
    return json({"items": [_fv_row(f) | {"fields": len(forms.fields_of(f.rules))} for f in rows]})


@bp_cases.get("/forms/<case_type_key:str>")
@openapi.summary("表单当前版本（含流程环节，用于设置字段权限）")
@perm("case.process.read")
async def forms_get(request: Request, case_type_key: str):
    case_type(case_type_key)
    fv = await deploy.active_form(case_type_key)
    pv = await deploy.active_process(case_type_key)
    base = _fv_row(fv) | {"rules": fv.rules, "options": fv.options, "field_perms": fv.field_perms} if fv else \
        {"case_type": case_type_key, "case_type_name": CASE_TYPES[case_type_key].name, "version": None,
         "rules": [], "options": {}, "field_perms": {}}
    return json(base | {"steps": [{"step_id": s["step_id"], "name": s["name"], "role": s["role"]}
                                  for s in pv.steps]})


@bp_cases.get("/forms/<case_type_key:str>/versions")
@openapi.summary("表单版本")
@perm("case.process.read")
async def forms_versions(request: Request, case_type_key: str):
    case_type(case_type_key)
    rows = await FormVersion.filter(case_type=case_type_key).order_by("-version")
    return json({"items": [_fv_row(f) | {"rules": f.rules, "field_perms": f.field_perms} for f in rows]})


@bp_cases.post("/forms/<case_type_key:str>")
@openapi.summary("发布表单新版本（新业务件使用新版本）")
@body(S.FormIn)
@perm("case.form.write")
async def forms_save(request: Request, case_type_key: str):
    data = parse(request, S.FormIn)
    fv = await deploy.save_form(case_type_key, data.rules, data.options, data.field_perms, data.note,
                                actor_of(request))
    return json(_fv_row(fv) | {"rules": fv.rules, "field_perms": fv.field_perms}, status=201)


# ------------------------------------------------------------------ /api/me/cases (SYS-02 online)

MY_CASE_LIST = ListSpec(title="我的申请", cols=[c for c in read.CASE_LIST.cols if c.name in (
    "id", "number", "case_type", "status", "created_at", "submitted_at", "finished_at")],
    serialize=read.cases_out, search=["number", "title"], default_sort="-id")


@bp_my_cases.get("/cases")
@openapi.summary("我的申请")
@query(MY_CASE_LIST.openapi_params())
@person
async def my_cases(request: Request):
    return await respond_list(request, scoped(Case, actor_of(request)), MY_CASE_LIST)


@bp_my_cases.post("/cases")
@openapi.summary("网上申请：保存草稿或直接提交（SYS-02）")
@body(S.MyCaseIn)
@person
async def my_cases_create(request: Request):
    data = parse(request, S.MyCaseIn)
    actor = actor_of(request)
    me = await Account.get(id=actor.account_id)
    case = await service.create_case(
        actor, case_type_key=data.case_type, channel="online",
        applicant=service.Applicant(kind="PERSON", name=me.name, id_number=me.id_number,
                                    phone=data.phone or me.phone),
        district_code=data.district_code, org_id=data.org_id, subjects=data.subjects, form=data.form,
        materials=[m.model_dump() for m in data.materials], submit=data.submit)
    return json(await read.case_detail(actor, await Case.get(id=case.id)), status=201)


@bp_my_cases.get("/cases/<case_id:int>")
@openapi.summary("我的申请详情")
@person
async def my_cases_detail(request: Request, case_id: int):
    actor = actor_of(request)
    return json(await read.case_detail(actor, await service.get_case(actor, case_id)))


@bp_my_cases.patch("/cases/<case_id:int>")
@openapi.summary("修改申请（草稿或退回补正时）")
@body(S.CaseEdit)
@person
async def my_cases_edit(request: Request, case_id: int):
    data = parse(request, S.CaseEdit)
    actor = actor_of(request)
    return json(await read.case_detail(actor, await service.edit(actor, case_id, data.form, data.row_version)))


@bp_my_cases.delete("/cases/<case_id:int>")
@openapi.summary("删除草稿")
@person
async def my_cases_delete(request: Request, case_id: int):
    await service.delete_draft(actor_of(request), case_id)
    return json({"ok": True})


@bp_my_cases.post("/cases/<case_id:int>/materials")
@openapi.summary("上传申请材料")
@body(S.MaterialIn)
@person
async def my_cases_material_add(request: Request, case_id: int):
    data = parse(request, S.MaterialIn)
    m = await service.add_material(actor_of(request), case_id, str(data.file_id), data.material_type)
    return json(S.material_row(m, False), status=201)


@bp_my_cases.delete("/cases/<case_id:int>/materials/<material_id:int>")
@openapi.summary("删除申请材料")
@person
async def my_cases_material_remove(request: Request, case_id: int, material_id: int):
    await service.remove_material(actor_of(request), case_id, material_id)
    return json({"ok": True})


@bp_my_cases.post("/cases/<case_id:int>/submit")
@openapi.summary("提交申请（含退回补正后重新提交）")
@body(S.ReasonIn)
@person
async def my_cases_submit(request: Request, case_id: int):
    actor = actor_of(request)
    case = await service.get_case(actor, case_id)
    item = await WorkItem.filter(case_id=case.id, status="open", assignee_id=actor.account_id).first()
    if item is None or "submit" not in item.actions:
        raise Conflict("该申请当前不需要您提交", code="NOTHING_TO_SUBMIT")
    await service.act(actor, item.id, "submit", parse(request, S.ReasonIn).reason)
    return json(await read.case_detail(actor, await Case.get(id=case.id)))


@bp_my_cases.post("/cases/<case_id:int>/withdraw")
@openapi.summary("撤回申请（审核开始前）")
@body(S.ReasonIn)
@person
async def my_cases_withdraw(request: Request, case_id: int):
    data = parse(request, S.ReasonIn)
    actor = actor_of(request)
    return json(await read.case_detail(actor, await service.withdraw(actor, case_id, data.reason)))


@bp_my_cases.post("/files")
@openapi.summary("上传申请材料文件（图片、PDF；按内容识别类型，大小受限）")
@openapi.body({"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}})
@person
async def my_files_upload(request: Request):
    f = await file_store.save_upload(actor_of(request), request.files.get("file"))
    return json(file_store.file_out(f), status=201)


@bp_my_cases.get("/cases/<case_id:int>/documents/<doc_id:uuid>/pdf")
@openapi.summary("下载我的电子文书（如资格确认书）")
@person
async def my_cases_document_pdf(request: Request, case_id: int, doc_id):  # noqa: ANN001
    return await _case_document(actor_of(request), case_id, str(doc_id))


@bp_my_cases.get("/cases/<case_id:int>/materials/<material_id:int>/content")
@openapi.summary("查看我的申请材料")
@person
async def my_cases_material_content(request: Request, case_id: int, material_id: int):
    f = await _material_file(actor_of(request), case_id, material_id)
    return raw(await file_store.storage().get(f.sha256), content_type=f.mime, headers=file_store.download_headers(f))

