"""Request models and response serialisers for document templates and issued documents."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.documents.models import DocumentTemplate, IssuedDocument

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
STATUS = {"valid": "有效", "revoked": "已作废"}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TemplateCreate(_In):
    key: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_]+$",
                     description="模板编号：小写字母开头，小写字母、数字、下划线，如 eligibility_certificate")
    name: str = Field(min_length=1, max_length=128, description="文书名称，也是出具文书的标题")
    case_type: str | None = Field(None, max_length=64, description="业务类型：该类业务办结时出具此文书；空为不自动出具")
    html: str = Field(min_length=1, max_length=200_000, description="HTML 模板（Jinja2 语法，沙箱执行）")
    sample: dict[str, Any] = Field(default_factory=dict, description="示例数据，用于预览和保存时试渲染")
    enabled: bool = Field(True, description="是否启用")


class TemplateSave(_In):
    name: str | None = Field(None, min_length=1, max_length=128, description="文书名称；不填沿用上一版")
    case_type: str | None = Field(None, max_length=64, description="业务类型；不传沿用上一版，传 null 为清空")
    html: str = Field(min_length=1, max_length=200_000, description="HTML 模板")
    sample: dict[str, Any] = Field(default_factory=dict, description="示例数据")
    enabled: bool = Field(True, description="新版本是否启用（启用后出具文书使用此版本）")
    note: str | None = Field(None, max_length=200, description="修改说明，记入审计日志")


class TemplatePreview(_In):
    html: str = Field(min_length=1, max_length=200_000, description="HTML 模板（不必保存）")
    context: dict[str, Any] = Field(default_factory=dict, description="渲染数据，通常为模板的示例数据")


class TemplateEnable(_In):
    enabled: bool = Field(description="true 启用，false 停用")
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="指定版本；不填时停用=停用全部版本，启用=启用最新版本")


class DocumentIssue(_In):
    template_key: str = Field(min_length=2, max_length=64, description="模板编号")
    context: dict[str, Any] = Field(default_factory=dict, description="文书数据，如 {\"case\": {...}}")
    case_id: RowId | None = Field(None, description="关联业务件ID")


class DocumentRevoke(_In):
    reason: str = Field(min_length=2, max_length=255, description="作废原因，公开核验页会显示")


def _d(v: dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


def template_out(t: DocumentTemplate, active_version: int | None = None, full: bool = False) -> dict:
    out = {"id": t.id, "key": t.key, "version": t.version, "name": t.name, "case_type": t.case_type,
           "enabled": t.enabled, "active_version": active_version, "created_by_id": t.created_by_id,
           "created_by_name": t.created_by_name, "created_at": _d(t.created_at)}
    if full:
        out |= {"html": t.html, "sample": t.sample}
    return out


def document_out(d: IssuedDocument, verify_url: str) -> dict:
    return {"id": str(d.id), "number": d.number, "template_key": d.template_key, "template_id": d.template_id,
            "title": d.title, "case_id": d.case_id, "issuer_org_id": d.issuer_org_id,
            "issuer": d.issuer_org_name, "issuer_org_name": d.issuer_org_name, "certificate_id": d.certificate_id,
            "file_id": str(d.file_id), "sha256": d.sha256, "status": d.status,
            "status_name": STATUS.get(d.status, d.status), "revoked_at": _d(d.revoked_at),
            "revoked_reason": d.revoked_reason, "issued_by_id": d.issued_by_id, "issued_at": _d(d.issued_at),
            "verify_url": verify_url, "pdf_url": f"/api/v1/documents/{d.id}/pdf"}


def public_out(d: IssuedDocument, verify_url: str) -> dict:
    """What anyone holding the document may check: no case, person or internal IDs."""
    return {"id": str(d.id), "number": d.number, "title": d.title, "issuer": d.issuer_org_name,
            "issued_at": _d(d.issued_at), "sha256": d.sha256, "status": d.status,
            "status_name": STATUS.get(d.status, d.status), "revoked_at": _d(d.revoked_at),
            "revoked_reason": d.revoked_reason, "verify_url": verify_url}
