"""Request models and response serialisers for cases, work items, processes, forms."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.pii import mask_id_number, mask_name, mask_phone
from app.identity.schemas import RowId
from app.workflow.case_types import CASE_TYPES, CHANNELS, EVENT_ACTIONS, STATUSES
from app.workflow.engine import ACTIONS


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApplicantIn(_In):
    kind: Literal["PERSON", "ORG"] = Field(description="PERSON 个人 / ORG 单位")
    name: str | None = Field(None, max_length=64, description="姓名（个人）")
    id_number: str | None = Field(None, max_length=32, description="身份证号（个人，校验 GB 11643 校验位）")
    phone: str | None = Field(None, max_length=16, description="手机号（个人）")
    org_id: RowId | None = Field(None, description="申请单位（单位）")


class MaterialIn(_In):
    file_id: uuid.UUID = Field(description="先通过 POST /api/v1/files 上传得到的文件ID")
    material_type: str = Field(min_length=1, max_length=64, description="材料类型，如 身份证明")


class CaseIn(_In):
    case_type: str = Field(min_length=1, max_length=64, description="业务类型，见 GET /api/v1/case-types")
    applicant: ApplicantIn
    district_code: str | None = Field(None, max_length=6, description="所属区（市）代码；单位申请默认取单位所在区")
    org_id: RowId | None = Field(None, description="负责办理的单位（如运营单位）")
    subjects: dict[str, Any] | None = Field(None, description="关联对象，如 {\"project_id\": 1}")
    form: dict[str, Any] = Field(default_factory=dict, description="表单数据，按该业务类型的表单校验")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    submit: bool = Field(True, description="true 为受理并提交审核；false 为保存草稿")
    opinion: str | None = Field(None, max_length=2000, description="受理意见")


class MyCaseIn(_In):
    case_type: str = Field(min_length=1, max_length=64)
    district_code: str = Field(max_length=6, description="所属区（市）代码")
    org_id: RowId | None = Field(None, description="负责办理的运营单位（报修、腾退等）")
    phone: str | None = Field(None, max_length=16)
    subjects: dict[str, Any] | None = None
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    submit: bool = Field(False, description="true 为直接提交")


class CaseEdit(_In):
    form: dict[str, Any] = Field(description="要修改的字段（只能修改当前环节可编辑的字段）")
    row_version: int | None = Field(None, ge=1, description="读取时的 row_version，用于防止覆盖他人修改")


class ActIn(_In):
    action: Literal["submit", "approve", "reject", "return_previous", "return_applicant"] = Field(
        description="submit 提交 / approve 通过 / reject 驳回 / return_previous 退回上一步 / return_applicant 退回申请人")
    opinion: str | None = Field(None, max_length=2000, description="办理意见；驳回、退回申请人时必填")
    form: dict[str, Any] | None = Field(None, description="同时保存的表单字段（当前环节可编辑的）")


class TransferIn(_In):
    to_account_id: RowId = Field(description="转办给谁（须能办理该环节）")
    opinion: str | None = Field(None, max_length=2000)


class ReasonIn(_In):
    reason: str | None = Field(None, max_length=500, description="原因")


class OpinionIn(_In):
    opinion: str = Field(min_length=1, max_length=2000, description="意见")


class IssueIn(_In):
    template_key: str = Field(min_length=1, max_length=64, description="文书模板，如 case_receipt 受理回执")


class ProcessXmlIn(_In):
    xml: str = Field(min_length=1, max_length=1_000_000, description="BPMN 2.0 XML")
    note: str | None = Field(None, max_length=255, description="发布说明")


class FormIn(_In):
    rules: list[dict[str, Any]] = Field(min_length=1, max_length=300, description="form-create 规则")
    options: dict[str, Any] = Field(default_factory=dict, description="form-create 表单配置")
    field_perms: dict[str, dict[str, Literal["read", "edit", "hidden"]]] = Field(
        default_factory=dict, description="{环节ID: {字段: read|edit|hidden}}；未设置时申请人环节可编辑，其他环节只读")
    note: str | None = Field(None, max_length=255)


def iso(v: dt.datetime | dt.date | None) -> str | None:
    return v.isoformat() if v else None


def case_row(c: Any, today: dt.date) -> dict:
    due = c.due_at.date() if c.due_at else None
    return {"id": c.id, "number": c.number, "case_type": c.case_type,
            "case_type_name": CASE_TYPES[c.case_type].name if c.case_type in CASE_TYPES else c.case_type,
            "title": c.title, "status": c.status, "status_name": STATUSES.get(c.status, c.status),
            "channel": c.channel, "channel_name": CHANNELS.get(c.channel, c.channel),
            "applicant_kind": c.applicant_kind, "applicant_name": c.applicant_name,
            "district_code": c.district_code, "org_id": c.org_id, "current_step_names": c.current_step_names,
            "campaign_id": c.campaign_id, "created_at": iso(c.created_at), "submitted_at": iso(c.submitted_at),
            "due_at": iso(c.due_at), "finished_at": iso(c.finished_at),
            "overdue": bool(due and c.status in ("in_review", "returned") and due < today)}


def case_pii(c: Any) -> dict:
    return {"applicant_id_number": mask_id_number(c.applicant_id_number),
            "applicant_phone": mask_phone(c.applicant_phone)}


def item_row(i: Any, today: dt.date) -> dict:
    return {"id": i.id, "case_id": i.case_id, "case_number": i.case_number, "case_type": i.case_type,
            "case_type_name": CASE_TYPES[i.case_type].name if i.case_type in CASE_TYPES else i.case_type,
            "applicant_name": i.applicant_name, "step_id": i.step_id, "step_name": i.step_name, "role": i.role,
            "district_code": i.district_code, "assignee_id": i.assignee_id, "assignee_name": i.assignee_name,
            "status": i.status, "created_at": iso(i.created_at), "claimed_at": iso(i.claimed_at),
            "due_date": iso(i.due_date), "overdue": bool(i.due_date and i.status == "open" and i.due_date < today),
            "done_at": iso(i.done_at), "done_by_name": i.done_by_name, "action": i.action,
            "action_name": ACTIONS.get(i.action or "", None), "opinion": i.opinion}


ITEM_STATES = {"unclaimed": "待签收", "claimed": "办理中"}


def item_state(i: Any, viewer_id: int | None, outsider: bool) -> dict:
    """An open item's state as a viewer may see it: 待签收, or 办理中 and by whom (masked for the applicant's
    side, whose own steps excepted)."""
    state = "unclaimed" if i.assignee_id is None else "claimed"
    mine = i.assignee_id is not None and i.assignee_id == viewer_id
    name = i.assignee_name if (mine or not outsider) else mask_name(i.assignee_name)
    out = {"state": state, "state_name": ITEM_STATES[state], "assignee_name": name, "assigned_to_me": mine}
    if outsider and not mine:
        out["assignee_id"] = None
    return out


def event_row(e: Any) -> dict:
    return {"id": e.id, "created_at": iso(e.created_at), "step_id": e.step_id, "step_name": e.step_name,
            "action": e.action, "action_name": EVENT_ACTIONS.get(e.action, e.action), "opinion": e.opinion,
            "actor_name": e.actor_name, "actor_org_name": e.actor_org_name, "detail": e.detail}


def material_row(m: Any, thumb: bool) -> dict:
    base = f"/api/v1/files/{m.file_id}"
    return {"id": m.id, "file_id": str(m.file_id), "material_type": m.material_type, "name": m.name,
            "mime": m.mime, "page_count": m.page_count, "sort_order": m.sort_order,
            "url": base + "/content", "thumb_url": base + "/thumbnail" if thumb else None,
            "created_at": iso(m.created_at)}


