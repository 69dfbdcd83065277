"""HTTP API of document templates and issued documents, and the public verify page (SYS-01)."""
from __future__ import annotations

import uuid
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import html as html_response
from sanic.response import json, raw
from sanic_ext import openapi

from app.core.errors import NotFound
from app.core.files import storage
from app.core.http import body, parse, query
from app.core.lists import Col, ListSpec, respond_list
from app.core.models import StoredFile
from app.documents import access  # the data scope of issued documents, and the subjects they may name
from app.documents import pages, service
from app.documents import schemas as S
from app.documents import templates as T
from app.documents.models import DocumentTemplate, IssuedDocument
from app.identity.guard import actor_of, perm, public
from app.identity.lists import list_route
from app.identity.scope import get_scoped

bp_documents = Blueprint("documents", url_prefix="/api/v1")
bp_documents_public = Blueprint("documents_public", url_prefix="/api/public/documents")
bp_verify = Blueprint("documents_verify")

PDF = "application/pdf"


def _key(key: str) -> str:
    if not T.KEY_RE.match(key):
        raise NotFound("文书模板不存在")
    return key


# ---- templates ---------------------------------------------------------------------------------

async def _templates_out(rows: list[DocumentTemplate]) -> list[dict]:
    active = await T.active_versions(list({r.key for r in rows}))
    return [S.template_out(r, active.get(r.key)) for r in rows]


TEMPLATE_LIST = ListSpec(
    title="文书模板",
    cols=[
        Col("key", "模板编号", ops=("eq", "contains"), sortable=True),
        Col("name", "文书名称", ops=("eq", "contains"), sortable=True),
        Col("version", "最新版本", kind="int", ops=("eq", "gte", "lte")),
        Col("case_type", "业务类型", ops=("eq", "in", "isnull")),
        Col("active_version", "生效版本", ops=(), export=True),
        Col("created_by_name", "最后修改人", ops=("eq", "contains")),
        Col("created_at", "最后修改时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    ],
    serialize=_templates_out, search=["key", "name"], default_sort="key",
)


@bp_documents.get("/document-templates")
@openapi.summary("文书模板列表（每个模板的最新版本，active_version 为出具文书所用版本，空为已停用）")
@query(TEMPLATE_LIST.openapi_params())
@perm("document.template.read")
async def template_list(request: Request):
    return await respond_list(request, DocumentTemplate.filter(id__in=await T.latest_ids()), TEMPLATE_LIST)


async def _detail(key: str) -> dict:
    t = await T.latest(key)
    if t is None:
        raise NotFound("文书模板不存在")
    active = await T.active(key)
    return S.template_out(t, active.version if active else None, full=True)


@bp_documents.post("/document-templates")
@openapi.summary("新建文书模板（第1版）；保存前按示例数据试渲染，语法错误或越权写法被拒绝")
@body(S.TemplateCreate)
@perm("document.template.write")
async def template_create(request: Request):
    p = parse(request, S.TemplateCreate)
    t = await T.create(key=p.key, name=p.name, html=p.html, sample=p.sample, case_type=p.case_type or None,
                       enabled=p.enabled, actor=actor_of(request))
    return json(await _detail(t.key), status=201)


@bp_documents.post("/document-templates/preview")
@openapi.summary("预览：按给定数据把模板（无需保存）渲染为 PDF，不盖章，印章位置显示样章")
@openapi.response(200, {PDF: {"type": "string", "format": "binary"}}, "PDF")
@body(S.TemplatePreview)
@perm("document.template.read")
async def template_preview(request: Request):
    p = parse(request, S.TemplatePreview)
    data = await service.preview(p.html, p.context)
    return raw(data, content_type=PDF, headers={"Content-Disposition": "inline; filename=preview.pdf"})


@bp_documents.get("/document-templates/<key:str>")
@openapi.summary("文书模板详情（最新版本，含 HTML 和示例数据）")
@perm("document.template.read")
async def template_detail(request: Request, key: str):
    return json(await _detail(_key(key)))


@bp_documents.get("/document-templates/<key:str>/versions")
@openapi.summary("文书模板的全部版本（新版本在前）")
@perm("document.template.read")
async def template_versions(request: Request, key: str):
    rows = await DocumentTemplate.filter(key=_key(key)).order_by("-version")
    if not rows:
        raise NotFound("文书模板不存在")
    active = next((r.version for r in rows if r.enabled), None)
    return json({"items": [S.template_out(r, active, full=True) for r in rows], "total": len(rows)})


@bp_documents.put("/document-templates/<key:str>")
@openapi.summary("保存文书模板：生成新版本，已出具的文书不受影响")
@body(S.TemplateSave)
@perm("document.template.write")
async def template_save(request: Request, key: str):
    p = parse(request, S.TemplateSave)
    case_type = (p.case_type or None) if "case_type" in p.model_fields_set else T.KEEP
    await T.save_version(_key(key), name=p.name, html=p.html, sample=p.sample, case_type=case_type,
                         enabled=p.enabled, note=p.note, actor=actor_of(request))
    return json(await _detail(key))


@bp_documents.post("/document-templates/<key:str>/enable")
@openapi.summary("启用或停用文书模板（或其某一版本）；出具文书使用启用的最高版本")
@body(S.TemplateEnable)
@perm("document.template.write")
async def template_enable(request: Request, key: str):
    p = parse(request, S.TemplateEnable)
    await T.set_enabled(_key(key), enabled=p.enabled, version=p.version, actor=actor_of(request))
    return json(await _detail(key))


# ---- issued documents --------------------------------------------------------------------------

async def _docs_out(rows: list[IssuedDocument]) -> list[dict]:
    return [S.document_out(d, service.verify_url(d.id)) for d in rows]


DOCUMENT_LIST = ListSpec(
    title="电子文书",
    cols=[
        Col("number", "文书编号", ops=("eq", "contains"), sortable=True),
        Col("title", "文书名称", ops=("eq", "contains")),
        Col("template_key", "模板编号", ops=("eq", "in")),
        Col("case_id", "业务件ID", kind="int", ops=("eq", "isnull")),
        Col("issuer", "出具单位", field="issuer_org_name", ops=("eq", "contains"), sortable=True),
        Col("issuer_org_id", "出具单位ID", kind="int", ops=("eq", "in")),
        Col("status", "状态", ops=("eq", "in"), choices=S.STATUS),
        Col("issued_at", "出具时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("revoked_at", "作废时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("revoked_reason", "作废原因", ops=("contains",)),
        Col("sha256", "SHA-256", ops=("eq",)),
    ],
    serialize=_docs_out, search=["number", "title", "issuer_org_name"], default_sort="-issued_at",
)


list_route(bp_documents, "/documents", IssuedDocument, DOCUMENT_LIST, name="document_list",
           summary="已出具的电子文书（按数据权限：市级全部、区级本区单位、企业本单位）",
           access=perm("document.issue"))


@bp_documents.post("/documents/issue")
@openapi.summary("以本单位名义出具电子文书：按模板生成 PDF、加盖本单位电子印章并编号")
@body(S.DocumentIssue)
@perm("document.issue")
async def document_issue(request: Request):
    p = parse(request, S.DocumentIssue)
    actor = actor_of(request)
    T.check_sample(p.context)
    if p.case_id is not None:
        await access.check_subject("case", actor, p.case_id)  # a document may only name a case the caller sees
    d = await service.issue(p.template_key, p.context, issuer_org_id=actor.org_id, case_id=p.case_id, actor=actor)
    return json(S.document_out(d, service.verify_url(d.id)), status=201)


@bp_documents.get("/documents/<doc_id:uuid>")
@openapi.summary("电子文书详情")
@perm("document.issue")
async def document_detail(request: Request, doc_id: uuid.UUID):
    d = await get_scoped(IssuedDocument, actor_of(request), doc_id)
    return json(S.document_out(d, service.verify_url(d.id)))


@bp_documents.get("/documents/<doc_id:uuid>/pdf")
@openapi.summary("下载盖章的 PDF")
@openapi.response(200, {PDF: {"type": "string", "format": "binary"}}, "PDF")
@perm("document.issue")
async def document_pdf(request: Request, doc_id: uuid.UUID):
    d = await get_scoped(IssuedDocument, actor_of(request), doc_id)
    f = await StoredFile.get_or_none(id=d.file_id)
    if f is None:
        raise NotFound("文书文件不存在")
    return raw(await storage().get(f.sha256), content_type=PDF,
               headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(f.original_name)}"})


@bp_documents.post("/documents/<doc_id:uuid>/revoke")
@openapi.summary("作废电子文书：公开核验页随即显示“已作废”及原因")
@body(S.DocumentRevoke)
@perm("document.revoke")
async def document_revoke(request: Request, doc_id: uuid.UUID):
    p = parse(request, S.DocumentRevoke)
    d = await service.revoke(doc_id, p.reason, actor_of(request))
    return json(S.document_out(d, service.verify_url(d.id)))


# ---- public ------------------------------------------------------------------------------------

async def _public_doc(doc_id: str) -> IssuedDocument | None:
    try:
        uid = uuid.UUID(doc_id)
    except ValueError:
        return None
    return await IssuedDocument.get_or_none(id=uid)


@bp_documents_public.get("/<doc_id:str>")
@openapi.summary("公开核验：电子文书的名称、编号、出具单位、时间、SHA-256 和状态")
@public
async def document_public(request: Request, doc_id: str):
    d = await _public_doc(doc_id)
    if d is None:
        raise NotFound("未找到该文书")
    return json(S.public_out(d, service.verify_url(d.id)))


@bp_verify.get("/verify/<doc_id:str>")
@openapi.summary("电子文书核验页（文书上的二维码指向这里）")
@public
async def verify_page(request: Request, doc_id: str):
    d = await _public_doc(doc_id)
    headers = {"Cache-Control": "no-cache"}
    if d is None:
        return html_response(pages.missing_html(), status=404, headers=headers)
    return html_response(pages.verify_html(d), headers=headers)
