"""Read models of cases: the case page (`case_detail`), the case and work-item list rows, and the
case list's columns, shared by the workflow's routes and the domains that start or list cases.

A domain adds a part of its own to the case page (a campaign's name, say) with `detail_part`,
so this layer never imports a domain.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.queryset import QuerySet

from app.core.lists import Col, ListSpec
from app.core.models import StoredFile
from app.core.regions import DISTRICT_NAMES
from app.documents.models import IssuedDocument
from app.identity.scope import Actor
from app.workflow import access, calendar, forms, service
from app.workflow import schemas as S
from app.workflow.case_types import CASE_TYPES, CHANNELS, STATUSES
from app.workflow.engine import ACTIONS
from app.workflow.models import Case, CaseEvent, CaseMaterial, FormVersion, ProcessVersion, WorkItem

Part = Callable[[Case], Awaitable[Any]]
_PARTS: dict[str, Part] = {}


def detail_part(key: str) -> Callable[[Part], Part]:
    """Register `key` of the case page, filled by `fn(case)` (a domain's own part of a case)."""
    def deco(fn: Part) -> Part:
        _PARTS[key] = fn
        return fn
    return deco


async def cases_out(rows: list[Case]) -> list[dict]:
    today = calendar.today()
    return [S.case_row(c, today) for c in rows]


async def items_out(rows: list[WorkItem]) -> list[dict]:
    today = calendar.today()
    return [S.item_row(i, today) for i in rows]


async def case_detail(actor: Actor, case: Case) -> dict:
    today = calendar.today()
    events, materials, items, fv, pv = await asyncio.gather(
        CaseEvent.filter(case_id=case.id).order_by("id"),
        CaseMaterial.filter(case_id=case.id).order_by("sort_order", "id"),
        WorkItem.filter(case_id=case.id, status="open").order_by("id"),
        FormVersion.filter(id=case.form_version_id or 0).first(),
        ProcessVersion.get(id=case.process_version_id))
    thumbs = set(await StoredFile.filter(id__in=[m.file_id for m in materials], thumb_sha256__isnull=False)
                 .values_list("id", flat=True)) if materials else set()
    handled = (await service.handled_steps([case.id], actor.account_id)).get(case.id, {})
    rights = {i.id: service.rights(actor, i, handled) for i in items}
    mine = [i for i in items if any(rights[i.id].values())]
    # The form as this viewer sees it: the permissions of the step they hold, else read-only.
    held = next((i for i in mine if rights[i.id]["can_act"]), None)
    if fv:
        if held is not None:
            perms = forms.perms_for(fv.rules, fv.field_perms, held.step_id, held.role == access.APPLICANT)
        else:
            perms = {k: (forms.READ if v != forms.HIDDEN else v)
                     for k, v in forms.perms_for(fv.rules, fv.field_perms, None, False).items()}
        schema = {"rules": forms.schema_for(fv.rules, perms), "options": fv.options, "version": fv.version}
        data = forms.visible_data(case.form, perms)
    else:
        perms, schema, data = {}, {"rules": [], "options": {}, "version": None}, case.form
    editable = held is not None and case.status not in ("complete", "rejected", "withdrawn") and \
        any(p == forms.EDIT for p in perms.values())
    all_items = await WorkItem.filter(case_id=case.id).exclude(status="cancelled")
    # The applicant's side (the person, or the applying org's staff) sees the step's state, not who on the
    # bureau's side holds it: names masked, account ids left out.
    outsider = actor.kind == "PERSON" or (case.applicant_org_id is not None and actor.org_id == case.applicant_org_id)
    out = S.case_row(case, today) | S.case_pii(case) | {
        "submitter_id": case.submitter_id, "submitter_name": case.submitter_name,
        "applicant_org_id": case.applicant_org_id, "subjects": case.subjects, "form": data, "form_schema": schema,
        "current_steps": case.current_steps, "outcome_reason": case.outcome_reason,
        "row_version": case.row_version,
        "process": {"key": pv.key, "version": pv.version, "name": pv.name,
                    "steps": [{"step_id": s["step_id"], "name": s["name"]} for s in pv.steps]},
        "materials": [S.material_row(m, m.file_id in thumbs) | {
            "url": f"/api/v1/cases/{case.id}/materials/{m.id}/content",
            "thumb_url": f"/api/v1/cases/{case.id}/materials/{m.id}/thumbnail" if m.file_id in thumbs else None}
            for m in materials],
        "events": [S.event_row(e) for e in events],
        "work_items": [S.item_row(i, today) | S.item_state(i, actor.account_id, outsider) | rights[i.id]
                       for i in items],
        "my_work_items": [{
            "id": i.id, "step_id": i.step_id, "step_name": i.step_name, "actions": i.actions,
            "action_names": {a: ACTIONS.get(a, a) for a in i.actions},
            "assignee_id": i.assignee_id, "assignee_name": i.assignee_name, "due_date": S.iso(i.due_date)}
            | S.item_state(i, actor.account_id, outsider) | rights[i.id] for i in mine],
        "can_edit": editable,
        "can_delete": case.status == "draft" and (actor.has("case.case.delete") if actor.kind == "STAFF"
                                                  else case.submitter_id == actor.account_id),
        "can_withdraw": case.submitter_id == actor.account_id and service.withdrawable(case, all_items),
        "can_comment": case.status not in ("withdrawn",),
        "documents": [{"id": str(d.id), "number": d.number, "title": d.title, "status": d.status,
                       "issued_at": S.iso(d.issued_at), "pdf_url": f"{'/api/me' if actor.kind == 'PERSON' else '/api/v1'}/cases/{case.id}/documents/{d.id}/pdf"}
                      for d in await IssuedDocument.filter(case_id=case.id).order_by("issued_at")],
    }
    for key, part in _PARTS.items():
        out[key] = await part(case)
    return out


# The case list (业务查询) and the lists built on it (a campaign's cases, 我的申请).

CASE_LIST = ListSpec(title="业务件", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("number", "业务编号", ops=("eq", "contains"), sortable=True),
    Col("case_type", "业务类型", ops=("eq", "in"), choices={k: t.name for k, t in CASE_TYPES.items()}),
    Col("title", "标题", ops=("contains",)),
    Col("status", "状态", ops=("eq", "in"), choices=STATUSES, sortable=True),
    Col("channel", "受理渠道", ops=("eq", "in"), choices=CHANNELS),
    Col("applicant_name", "申请人", ops=("eq", "contains")),
    Col("district_code", "所属区", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("org_id", "办理单位ID", kind="int", export=False),
    Col("current_step_names", "当前环节", ops=("contains",)),
    Col("campaign_id", "专题ID", kind="int", export=False),
    Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    Col("submitted_at", "受理时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    Col("due_at", "办理时限", kind="datetime", ops=("gte", "lte"), sortable=True),
    Col("finished_at", "办结时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=cases_out, search=["number", "applicant_name", "title"], default_sort="-id",
    extra_params={"overdue"})


def overdue_filter(qs: QuerySet, overdue: bool) -> QuerySet:
    """Cases past their time limit (`overdue=true` on the case lists)."""
    if overdue:
        start = calendar.today()
        qs = qs.filter(status__in=["in_review", "returned"],
                       due_at__lt=dt.datetime.combine(start, dt.time.min, calendar.CN))
    return qs
