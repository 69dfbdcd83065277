"""Case use cases: intake, online application, the review actions, editing, materials.

Every use case is one transaction that locks the case row first, so two people acting on
one case are serialised and exactly one of two racing actions on a work item succeeds.
The BPMN instance decides what comes next; work items mirror its ready steps.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from tortoise.expressions import Q

from app.core import audit
from app.core import files as file_store
from app.core.db import uow
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from app.core.idcard import id_number_error, normalize_id_number
from app.core.ids import next_number
from app.core.lists import invalidate_counts
from app.core.models import StoredFile
from app.core.pii import blind_index, phone_error
from app.core.regions import DISTRICT_NAMES
from app.identity.models import Account, Org
from app.identity.scope import Actor, ensure_in_scope, scoped
from app.workflow import access, calendar, forms
from app.workflow.case_types import CASE_TYPES, EVENT_ACTIONS, CaseType, case_type
from app.workflow.deploy import active_form, active_process, definition_of
from app.workflow.engine import Instance, ReadyStep
from app.workflow.models import Case, CaseEvent, CaseMaterial, FormVersion, ProcessVersion, WorkItem
from app.core.pii import mask_id_number
from app.documents import templates
from app.documents.models import DocumentTemplate
from app.documents.service import issue
from app.workflow.engine import ACTIONS
from channels.messages.service import notify
from channels.messages.service import publish

log = logging.getLogger(__name__)

REVIEW_ACTIONS = ("submit", "approve", "reject", "return_previous", "return_applicant")
MAX_MATERIALS = 50
NOTIFY_LIMIT = 50


class WorkItemTaken(Conflict):
    code, message = "WORK_ITEM_TAKEN", "该待办已被他人处理，请刷新后查看"


class HookFailed(AppError):
    status, code = 422, "COMPLETION_FAILED"


class DutySeparation(Forbidden):
    code = "DUTY_SEPARATION"


class NoReturnToApplicantStep(InvalidInput):
    code = "RETURN_PREVIOUS_NOT_ALLOWED"


# ------------------------------------------------------------------ completion hooks

Hook = Callable[[Case, Any, Actor], Awaitable[None]]
_HOOKS: dict[str, list[Hook]] = {}


def on_complete(case_type_key: str) -> Callable[[Hook], Hook]:
    """A domain's handler for a case type that has been approved to the end (办结).

    It runs in the final action's transaction (`tx`); raising rolls the action back and the
    reviewer sees the message.
    """
    case_type(case_type_key)

    def deco(fn: Hook) -> Hook:
        _HOOKS.setdefault(case_type_key, []).append(fn)
        return fn
    return deco


_CHECKS: dict[str, list[Hook]] = {}


def on_create(case_type_key: str) -> Callable[[Hook], Hook]:
    """A domain's check of a new case of a type (its subjects, say), in the creating transaction.

    Raising refuses the case: nothing is written and the applicant sees the message.
    """
    case_type(case_type_key)

    def deco(fn: Hook) -> Hook:
        _CHECKS.setdefault(case_type_key, []).append(fn)
        return fn
    return deco


_FIRST_SUBMIT: list[Hook] = []


def on_first_submit(fn: Hook) -> Hook:
    """A domain's step when any case is first submitted (受理), in the submitting transaction; it may
    set fields of the case (a campaign links it), which are saved with the action."""
    _FIRST_SUBMIT.append(fn)
    return fn


def unregister_hook(case_type_key: str, fn: Hook) -> None:
    if fn in _HOOKS.get(case_type_key, []):
        _HOOKS[case_type_key].remove(fn)


async def _run_hooks(case: Case, tx: Any, actor: Actor) -> None:
    for hook in list(_HOOKS.get(case.case_type, [])):
        try:
            await hook(case, tx, actor)
        except AppError as e:
            raise HookFailed(f"办结处理失败：{e.message}", fields=e.fields) from e
        except Exception as e:
            log.exception("completion hook %s failed for case %s", hook.__name__, case.number)
            raise HookFailed(f"办结处理失败：{type(e).__name__}，请联系系统管理员") from e


# ------------------------------------------------------------------ documents

def document_context(case: Case) -> dict:
    """What a certificate or receipt template sees of a case (ID numbers masked)."""
    cn = calendar.CN
    today = calendar.today()
    return {"case": {
        "id": case.id, "number": case.number, "case_type": case.case_type,
        "case_type_name": CASE_TYPES[case.case_type].name, "channel": case.channel,
        "applicant_name": case.applicant_name, "applicant_id_number": mask_id_number(case.applicant_id_number),
        "district_code": case.district_code, "form": case.form, "status": case.status,
        "submitted_at": case.submitted_at.astimezone(cn).isoformat() if case.submitted_at else None,
        "finished_at": case.finished_at.astimezone(cn).isoformat() if case.finished_at else None},
        # A qualification confirmed today is valid for a year (资格有效期), renewed by requalification.
        "qualification": {"valid_from": today.isoformat(),
                          "valid_to": (today.replace(year=today.year + 1) - dt.timedelta(days=1)).isoformat()}}


async def _issue_on_completion(tx: Any, case: Case, actor: Actor) -> None:
    """Templates bound to the case type are issued, sealed by the approving org, with the final action."""
    keys = set(await DocumentTemplate.filter(case_type=case.case_type, enabled=True).using_db(tx)
               .values_list("key", flat=True))
    for key in sorted(keys):
        tpl = await templates.active(key, using=tx)
        if tpl is not None and tpl.case_type == case.case_type:  # the binding of the version in force
            await issue(key, document_context(case), issuer_org_id=actor.org_id, case_id=case.id, actor=actor,
                        using=tx)


async def issue_for_case(actor: Actor, case_id: int, template_key: str) -> Any:
    """出具文书 from a case (e.g. a 受理回执 at the window), sealed by the caller's org."""
    case = await get_case(actor, case_id)
    if case.status in ("draft", "withdrawn"):
        raise Conflict("草稿或已撤回的业务件不能出具文书", code="CASE_NOT_ISSUABLE")
    return await issue(template_key, document_context(case), issuer_org_id=actor.org_id, case_id=case.id,
                       actor=actor)


# ------------------------------------------------------------------ helpers

@dataclass
class _Pending:
    """Side effects to run after commit."""
    messages: list = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _is_applicant(role: str) -> bool:
    return role == access.APPLICANT


async def lock_case(actor: Actor, case_id: int, tx: Any) -> Case:
    case = await Case.filter(id=case_id).select_for_update().using_db(tx).first()
    if case is None:
        raise NotFound("业务件不存在或无权查看")
    if not await can_read(actor, case, tx):
        raise NotFound("业务件不存在或无权查看")
    return case


async def can_read(actor: Actor, case: Case, using: Any = None) -> bool:
    if actor.kind == "PERSON":
        return case.applicant_account_id == actor.account_id or case.submitter_id == actor.account_id
    q = scoped(Case, actor).filter(id=case.id)
    if await (q.using_db(using) if using else q).exists():
        return True
    # Someone holding an open item of the case (e.g. after a transfer) may read it.
    qi = WorkItem.filter(case_id=case.id, status="open", assignee_id=actor.account_id)
    return await (qi.using_db(using) if using else qi).exists()


def may_act(actor: Actor, item: WorkItem, handled: dict[str, str] | None = None) -> bool:
    """Whether the actor may act on (or claim) an open item.

    An applicant step belongs to whoever it is assigned to (the submitter). A review step needs a
    holder of its role inside its scope, never of the applicant's org, who is not barred by
    separation of duties (`handled`: the review steps this actor already completed in the case)."""
    if item.status != "open":
        return False
    if _is_applicant(item.role):
        return item.assignee_id == actor.account_id
    if actor.kind != "STAFF" or not access.is_candidate(actor, item):
        return False
    if item.assignee_id is not None and item.assignee_id != actor.account_id:
        return False
    return access.duty_conflict(item, handled or {}) is None


def may_transfer(actor: Actor, item: WorkItem) -> bool:
    """Its assignee, or a supervisor who could hold the step (role, scope, not the applicant's org)."""
    if item.status != "open" or _is_applicant(item.role) or actor.kind != "STAFF":
        return False
    if not access.is_candidate(actor, item):
        return False
    return item.assignee_id == actor.account_id or actor.has(access.SUPERVISE)


def rights(actor: Actor, item: WorkItem, handled: dict[str, str] | None = None) -> dict[str, bool]:
    """What the screens may offer on an item: 签收, 办理, 转办."""
    act = may_act(actor, item, handled)
    return {"can_claim": act and item.assignee_id is None and not _is_applicant(item.role), "can_act": act,
            "can_transfer": may_transfer(actor, item)}


async def handled_steps(case_ids: list[int], account_id: int | None, using: Any = None) -> dict[int, dict[str, str]]:
    """case id -> {step id: step name} of the review steps this account completed there."""
    if not case_ids or account_id is None:
        return {}
    qs = WorkItem.filter(case_id__in=case_ids, status="done", done_by_id=account_id).exclude(role=access.APPLICANT)
    out: dict[int, dict[str, str]] = {}
    for cid, sid, name in await (qs.using_db(using) if using else qs).order_by("done_at") \
            .values_list("case_id", "step_id", "step_name"):
        out.setdefault(cid, {})[sid] = name
    return out


def _refuse(actor: Actor, item: WorkItem, handled: dict[str, str]) -> AppError:
    """Why may_act said no, in words the person can act on."""
    if item.status != "open":
        return WorkItemTaken()
    if not _is_applicant(item.role) and actor.kind == "STAFF" and access.is_candidate(actor, item):
        if item.assignee_id is not None and item.assignee_id != actor.account_id:
            return WorkItemTaken(f"该待办已由{item.assignee_name}签收，您不能办理")
        conflict = access.duty_conflict(item, handled)
        if conflict:
            return DutySeparation(access.duty_message(conflict))
    return Forbidden("您不是该环节的办理人")


async def _event(tx: Any, case: Case, actor: Actor, action: str, *, item: WorkItem | None = None,
                 opinion: str | None = None, detail: dict | None = None) -> None:
    await CaseEvent.create(case_id=case.id, work_item_id=item.id if item else None,
                           step_id=item.step_id if item else None, step_name=item.step_name if item else None,
                           action=action, opinion=opinion, actor_id=actor.account_id, actor_name=actor.name,
                           actor_org_name=getattr(actor, "org_name", None), detail=detail, using_db=tx)
    summary = f"{case.number} {EVENT_ACTIONS.get(action, action)}"
    if item:
        summary += f"（{item.step_name}）"
    await audit.record(f"case.{action}", "case", case.id, using=tx, only_changes=False, summary=summary[:255],
                       after={"number": case.number, "step": item.step_id if item else None, "action": action,
                              "opinion": opinion, **(detail or {})})


def _status_after(case: Case, inst: Instance, ready: list[ReadyStep]) -> str:
    if inst.is_completed:
        return "complete" if inst.outcome == "completed" else "rejected"
    if ready and all(_is_applicant(r.role) for r in ready):
        return "draft" if case.submitted_at is None else "returned"
    return "in_review"


async def _candidate_accounts(item: WorkItem, limit: int = 200, using: Any = None) -> list[Account]:
    """Staff who may take an item: the org kind, the scope and the permission must all fit; never the
    applicant's org, and not the handlers of earlier steps when the step asks for someone else."""
    fam = item.role.rsplit("_", 1)[0]
    kind = access.ORG_KIND_OF.get(fam)
    if kind is None:
        return []
    barred: set[int] = set()
    if item.distinct_handler:
        done = WorkItem.filter(case_id=item.case_id, status="done", done_by_id__isnull=False) \
            .exclude(role=access.APPLICANT).exclude(step_id=item.step_id)
        barred = set(await (done.using_db(using) if using else done).values_list("done_by_id", flat=True))
    orgs = Org.filter(kind=kind, enabled=True)
    if item.applicant_org_id is not None:
        orgs = orgs.exclude(id=item.applicant_org_id)
    if item.scope == "CITY":
        orgs = orgs.filter(level="city")
    elif item.scope == "DISTRICT":
        orgs = orgs.filter(Q(level="city") | Q(district_code=item.district_code, level="district"))
    elif item.scope == "ORG":
        orgs = orgs.filter(id=item.org_id)
    else:
        return []
    need = {access.APPROVE} if item.role.endswith("_supervisor") else {access.HANDLE, access.APPROVE}
    accounts = await Account.filter(kind="STAFF", enabled=True, locked=False,
                                    org_id__in=await orgs.values_list("id", flat=True)) \
        .prefetch_related("roles", "org").order_by("id").limit(limit * 4)
    out = []
    for a in accounts:
        perms = {p for r in a.roles for p in (r.permissions or [])}
        if perms & need and a.id not in barred:
            out.append(a)
        if len(out) >= limit:
            break
    return out


async def _sync_items(tx: Any, case: Case, inst: Instance, actor: Actor, pending: _Pending) -> list[WorkItem]:
    """Make open work items match the ready steps: new steps get items, vanished ones are cancelled."""
    ready = inst.ready_steps()
    definition = definition_of(await ProcessVersion.get(id=case.process_version_id).using_db(tx))
    open_items = await WorkItem.filter(case_id=case.id, status="open").using_db(tx)
    ready_ids = {r.task_id for r in ready}
    for it in open_items:
        if it.task_id not in ready_ids:
            it.status = "cancelled"
            await it.save(using_db=tx, update_fields=["status"])
    have = {it.task_id for it in open_items}
    created = []
    today = calendar.today()
    for r in ready:
        if r.task_id in have:
            continue
        assignee_id, assignee_name = None, None
        if _is_applicant(r.role):
            assignee_id, assignee_name = case.submitter_id, case.submitter_name
        else:
            # A step done before in this case (return to previous) goes back to whoever did it.
            prev = await WorkItem.filter(case_id=case.id, step_id=r.step_id, status="done") \
                .order_by("-done_at").using_db(tx).first()
            if prev is not None and prev.done_by_id:
                assignee_id, assignee_name = prev.done_by_id, prev.done_by_name
        # 退回上一步 that lands on the applicant's step is 退回申请人 under another name: not offered.
        actions = [a for a in r.actions
                   if not (a == "return_previous" and definition.returns_to_applicant(r.step_id))]
        item = await WorkItem.create(
            case_id=case.id, task_id=r.task_id, step_id=r.step_id, step_name=r.name, role=r.role, scope=r.scope,
            actions=actions, case_type=case.case_type, case_number=case.number,
            applicant_name=case.applicant_name, district_code=case.district_code, org_id=case.org_id,
            applicant_org_id=case.applicant_org_id, distinct_handler=r.distinct_handler and not _is_applicant(r.role),
            assignee_id=assignee_id, assignee_name=assignee_name,
            claimed_at=_now() if assignee_id else None,
            due_date=await calendar.due_date(today, r.sla_days), using_db=tx)
        created.append(item)
    case.current_steps = [{"step_id": r.step_id, "name": r.name} for r in ready]
    case.current_step_names = "、".join(r.name for r in ready)[:255] or None
    dues = [i.due_date for i in await WorkItem.filter(case_id=case.id, status="open").using_db(tx) if i.due_date]
    case.due_at = dt.datetime.combine(min(dues), dt.time(23, 59, 59), calendar.CN) if dues else None
    for item in created:
        await _notify_new_item(tx, case, item, actor, pending)
    return created


async def _notify_new_item(tx: Any, case: Case, item: WorkItem, actor: Actor, pending: _Pending) -> None:
    if item.assignee_id:
        if item.assignee_id == actor.account_id:
            return
        targets = [item.assignee_id]
    else:
        targets = [a.id for a in await _candidate_accounts(item, NOTIFY_LIMIT, using=tx) if a.id != actor.account_id]
    if not targets:
        return
    ctype = CASE_TYPES[case.case_type].name
    pending.messages += await notify(
        targets, kind="todo", title=f"新待办：{ctype}（{item.step_name}）",
        body=f"{case.number} {case.applicant_name}" + (f"，请于{item.due_date:%Y-%m-%d}前办理" if item.due_date else ""),
        link=f"/cases/{case.id}", ref_type="work_item", ref_id=str(item.id), using=tx)


async def _after_commit(pending: _Pending) -> None:
    await invalidate_counts("work_item")
    if pending.messages:
        try:
            await publish(pending.messages)
        except Exception:  # noqa: BLE001 - the messages are stored; a lost push is only a late one
            log.warning("push of %d messages failed", len(pending.messages), exc_info=True)


async def _check_files(actor: Actor, materials: list[dict], using: Any) -> list[tuple[StoredFile, str]]:
    if len(materials) > MAX_MATERIALS:
        raise InvalidInput(f"材料最多{MAX_MATERIALS}份", fields={"materials": "过多"})
    out = []
    for i, m in enumerate(materials):
        f = await scoped(StoredFile, actor).filter(id=m["file_id"]).using_db(using).first()
        if f is None:
            raise InvalidInput(f"第{i + 1}份材料的文件不存在或无权使用，请重新上传",
                               fields={f"materials.{i}.file_id": "文件不存在"})
        out.append((f, m["material_type"]))
    return out


async def _page_count(f: StoredFile) -> int:
    if f.mime != "application/pdf":
        return 1
    try:
        data = await file_store.storage().get(f.sha256)
        return max(1, int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"]))
    except Exception:  # noqa: BLE001 - a page count is a convenience, not a check
        return 1


async def _add_materials(tx: Any, case: Case, actor: Actor, files: list[tuple[StoredFile, str]]) -> None:
    start = await CaseMaterial.filter(case_id=case.id).using_db(tx).count()
    for i, (f, mtype) in enumerate(files):
        await CaseMaterial.create(case_id=case.id, file_id=f.id, material_type=mtype, name=f.original_name,
                                  mime=f.mime, sort_order=start + i, page_count=await _page_count(f),
                                  uploaded_by_id=actor.account_id, using_db=tx)


# ------------------------------------------------------------------ creating a case

@dataclass
class Applicant:
    kind: str
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    org_id: int | None = None


async def _resolve_applicant(ctype: CaseType, a: Applicant, tx: Any) -> dict:
    if a.kind not in ctype.applicant_kinds:
        want = "个人" if ctype.applicant_kinds == ("PERSON",) else "单位"
        raise InvalidInput(f"“{ctype.name}”的申请人应为{want}", fields={"applicant.kind": "申请人类型不符"})
    if a.kind == "PERSON":
        problems = {}
        if not a.name or not a.name.strip():
            problems["applicant.name"] = "请填写申请人姓名"
        idn = normalize_id_number(a.id_number or "")
        err = id_number_error(idn)
        if err:
            problems["applicant.id_number"] = err
        if a.phone and phone_error(a.phone):
            problems["applicant.phone"] = phone_error(a.phone)
        if problems:
            raise InvalidInput("申请人信息有误：" + "；".join(problems.values()), fields=problems)
        idx = blind_index(idn)
        acc = await Account.filter(kind="PERSON", id_number_idx=idx).using_db(tx).first()
        return {"applicant_kind": "PERSON", "applicant_name": a.name.strip()[:128],
                "applicant_account_id": acc.id if acc else None, "applicant_id_number": idn,
                "applicant_id_number_idx": idx, "applicant_phone": a.phone}
    org = await Org.filter(id=a.org_id or 0, enabled=True).using_db(tx).first()
    if org is None:
        raise InvalidInput("申请单位不存在或已停用", fields={"applicant.org_id": "单位不存在"})
    return {"applicant_kind": "ORG", "applicant_name": org.name, "applicant_org_id": org.id,
            "applicant_phone": org.contact_phone}


async def create_case(actor: Actor, *, case_type_key: str, channel: str, applicant: Applicant,
                      district_code: str | None, org_id: int | None, subjects: dict | None, form: dict | None,
                      materials: list[dict], submit: bool, opinion: str | None = None,
                      partner_ref: str | None = None) -> Case:
    ctype = case_type(case_type_key)
    pending = _Pending()
    async with uow() as tx:
        who = await _resolve_applicant(ctype, applicant, tx)
        if actor.kind == "PERSON" and who.get("applicant_account_id") != actor.account_id:
            raise Forbidden("只能以本人身份申请")
        if actor.org_kind in ("BUILDER", "OPERATOR") and who["applicant_kind"] == "ORG" \
                and who["applicant_org_id"] != actor.org_id:
            raise Forbidden("只能以本单位名义申请")
        if who["applicant_kind"] == "ORG":
            org = await Org.get(id=who["applicant_org_id"]).using_db(tx)
            district_code = district_code or org.district_code
            if org.kind in ("BUILDER", "OPERATOR"):
                org_id = org_id or org.id
        if district_code not in DISTRICT_NAMES:
            raise InvalidInput("请选择所属区（市）", fields={"district_code": "区划代码有误"})
        if ctype.handler_org_kind:
            handler = await Org.filter(id=org_id or 0, kind=ctype.handler_org_kind, enabled=True).using_db(tx).first()
            if handler is None:
                raise InvalidInput("请选择负责办理的运营单位", fields={"org_id": "运营单位不存在"})
        elif org_id is not None and not await Org.filter(id=org_id, enabled=True).using_db(tx).exists():
            raise InvalidInput("关联单位不存在", fields={"org_id": "单位不存在"})
        if subjects is not None and (not isinstance(subjects, dict) or len(str(subjects)) > 2000):
            raise InvalidInput("关联对象格式有误", fields={"subjects": "格式有误"})
        pv = await active_process(case_type_key, tx)
        fv = await active_form(case_type_key, tx)
        files = await _check_files(actor, materials, tx)
        perms = forms.perms_for(fv.rules, fv.field_perms, "submission", True) if fv else {}
        data = forms.validate(fv.rules, form or {}, perms, complete=submit) if fv else {}
        inst = Instance.start(definition_of(pv), {"case_type": case_type_key})
        submitter_name = actor.name if actor.kind == "PERSON" else f"{actor.name}（{actor.org_name or ''}）"[:64]
        case = await Case.create(
            number=await next_number(ctype.prefix, using=tx), case_type=case_type_key,
            title=f"{who['applicant_name']}的{ctype.name}"[:255], status="draft", channel=channel,
            submitter_id=actor.account_id, submitter_name=submitter_name, district_code=district_code,
            org_id=org_id, subjects=subjects or {}, form_version_id=fv.id if fv else None, form=data,
            process_version_id=pv.id, instance=inst.to_dict(), partner_ref=partner_ref, using_db=tx, **who)
        if actor.kind == "STAFF":
            await ensure_in_scope(case, actor, using=tx)
        for check in _CHECKS.get(case_type_key, []):
            await check(case, tx, actor)
        await _add_materials(tx, case, actor, files)
        await _event(tx, case, actor, "create", detail={"channel": channel, "materials": len(files)})
        await _sync_items(tx, case, inst, actor, pending)
        await case.save(using_db=tx)
        if submit:
            item = await WorkItem.get(case_id=case.id, status="open", step_id="submission").using_db(tx)
            await _act_locked(tx, case, item, actor, "submit", opinion, None, pending)
    await _after_commit(pending)
    return case


# ------------------------------------------------------------------ acting

async def _act_locked(tx: Any, case: Case, item: WorkItem, actor: Actor, action: str, opinion: str | None,
                      form: dict | None, pending: _Pending) -> None:
    if action == "return_previous":
        pv = await ProcessVersion.get(id=case.process_version_id).using_db(tx)
        if definition_of(pv).returns_to_applicant(item.step_id):
            raise NoReturnToApplicantStep(
                f"“{item.step_name}”是第一个审核环节，上一步是申请人提交，不能“退回上一步”；"
                "需要申请人补正时请选择“退回申请人”并写明原因", fields={"action": "本环节不能退回上一步"})
    if action not in item.actions:
        raise InvalidInput(f"环节“{item.step_name}”不允许“{ACTIONS.get(action, action)}”操作",
                           fields={"action": "不允许的操作"})
    if action == "reject" and not (opinion or "").strip():
        raise InvalidInput("驳回必须填写理由", fields={"opinion": "请填写驳回理由"})
    if action == "return_applicant" and not (opinion or "").strip():
        raise InvalidInput("退回申请人必须说明需补正的内容", fields={"opinion": "请填写退回原因"})
    if form:
        await _apply_form(tx, case, item, form, complete=False)
    if action == "submit":
        # Submitting needs a complete form: required fields the applicant may edit.
        fv = await FormVersion.filter(id=case.form_version_id or 0).using_db(tx).first()
        if fv:
            forms.validate(fv.rules, {}, forms.perms_for(fv.rules, fv.field_perms, item.step_id, True),
                           current=case.form, complete=True)
    inst = Instance.from_dict(case.instance)
    step_data = {"form": case.form, "case_type": case.case_type, "district_code": case.district_code}
    inst.act(item.task_id, action, step_data)
    now = _now()
    item.status, item.action, item.opinion = "done", action, (opinion or None)
    item.done_at, item.done_by_id, item.done_by_name = now, actor.account_id, actor.name
    if item.assignee_id is None:
        item.assignee_id, item.assignee_name, item.claimed_at = actor.account_id, actor.name, now
    await item.save(using_db=tx)
    first_submit = action == "submit" and case.submitted_at is None
    if first_submit:
        case.submitted_at = now
        for fn in list(_FIRST_SUBMIT):
            await fn(case, tx, actor)
    case.instance = inst.to_dict()
    await _event(tx, case, actor, action, item=item, opinion=opinion)
    await _sync_items(tx, case, inst, actor, pending)
    case.status = _status_after(case, inst, inst.ready_steps())
    if action == "reject":
        case.outcome_reason = (opinion or "")[:500]
    if case.status in ("complete", "rejected"):
        case.finished_at = now
    case.row_version += 1
    await case.save(using_db=tx)
    if case.status == "complete":
        await _event(tx, case, actor, "complete")
        await _run_hooks(case, tx, actor)
        await _issue_on_completion(tx, case, actor)


async def _locked_item(tx: Any, case: Case, item_id: int) -> WorkItem:
    item = await WorkItem.filter(id=item_id, case_id=case.id).select_for_update().using_db(tx).first()
    if item is None:
        raise NotFound("待办不存在")
    return item


async def _case_of_item(actor: Actor, item_id: int) -> int:
    row = await WorkItem.filter(id=item_id).values_list("case_id", flat=True)
    if not row:
        raise NotFound("待办不存在或无权查看")
    return row[0]


async def act(actor: Actor, item_id: int, action: str, opinion: str | None = None,
              form: dict | None = None) -> Case:
    if action not in REVIEW_ACTIONS:
        raise InvalidInput("不支持的办理操作", fields={"action": "取值不在允许范围内"})
    pending = _Pending()
    case_id = await _case_of_item(actor, item_id)
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        item = await _locked_item(tx, case, item_id)
        if item.status != "open":
            raise WorkItemTaken()
        handled = (await handled_steps([case.id], actor.account_id, tx)).get(case.id, {})
        if not may_act(actor, item, handled):
            raise _refuse(actor, item, handled)
        await _act_locked(tx, case, item, actor, action, opinion, form, pending)
    await _after_commit(pending)
    return case


async def claim(actor: Actor, item_id: int) -> WorkItem:
    case_id = await _case_of_item(actor, item_id)
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        item = await _locked_item(tx, case, item_id)
        if item.status != "open":
            raise WorkItemTaken()
        handled = (await handled_steps([case.id], actor.account_id, tx)).get(case.id, {})
        if item.assignee_id == actor.account_id and may_act(actor, item, handled):
            return item
        if _is_applicant(item.role) or not may_act(actor, item, handled):
            raise _refuse(actor, item, handled)
        item.assignee_id, item.assignee_name, item.claimed_at = actor.account_id, actor.name, _now()
        await item.save(using_db=tx)
        await _event(tx, case, actor, "claim", item=item)
    await invalidate_counts("work_item")
    return item


async def transfer(actor: Actor, item_id: int, to_account_id: int, opinion: str | None) -> WorkItem:
    pending = _Pending()
    case_id = await _case_of_item(actor, item_id)
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        item = await _locked_item(tx, case, item_id)
        if item.status != "open":
            raise WorkItemTaken()
        if not may_transfer(actor, item):
            raise Forbidden(TRANSFER_REFUSED)
        if to_account_id == item.assignee_id:
            raise InvalidInput("该待办已由此人办理", fields={"to_account_id": "请选择其他人员"})
        target = next((a for a in await _candidate_accounts(item, using=tx) if a.id == to_account_id), None)
        if target is None:
            conflict = None
            if item.distinct_handler:
                done = (await handled_steps([case.id], to_account_id, tx)).get(case.id, {})
                conflict = access.duty_conflict(item, done)
            if conflict:
                raise DutySeparation(f"所选人员已办理本件的「{conflict}」环节，按职责分离要求不能办理本环节",
                                     fields={"to_account_id": "不能办理该环节"})
            raise InvalidInput("所选人员不能办理该环节（单位、数据范围或权限不符）",
                               fields={"to_account_id": "不能办理该环节"})
        before = item.assignee_name
        item.assignee_id, item.assignee_name, item.claimed_at = target.id, target.name, _now()
        await item.save(using_db=tx)
        await _event(tx, case, actor, "transfer", item=item, opinion=opinion,
                     detail={"from": before, "to": target.name, "to_account_id": target.id})
        pending.messages += await notify(
            [target.id], kind="todo", title=f"转办待办：{CASE_TYPES[case.case_type].name}（{item.step_name}）",
            body=f"{case.number} {case.applicant_name}，由{actor.name}转办" + (f"：{opinion}" if opinion else ""),
            link=f"/cases/{case.id}", ref_type="work_item", ref_id=str(item.id), using=tx)
    await _after_commit(pending)
    return item


async def transfer_candidates(actor: Actor, item_id: int) -> list[Account]:
    case_id = await _case_of_item(actor, item_id)
    case = await Case.filter(id=case_id).first()
    if case is None or not await can_read(actor, case):
        raise NotFound("待办不存在或无权查看")
    item = await WorkItem.get(id=item_id)
    if not may_transfer(actor, item):
        raise Forbidden(TRANSFER_REFUSED)
    return [a for a in await _candidate_accounts(item) if a.id != item.assignee_id]


TRANSFER_REFUSED = "只有该环节的办理人，或能办理该环节的本范围主管，可以转办"


def withdrawable(case: Case, items: list[WorkItem]) -> bool:
    """Before the first review has begun, or while the case is back with the applicant (退回补正)."""
    if case.status == "returned":
        return True
    if case.status != "in_review":
        return False
    reviewed = any(not _is_applicant(i.role) and (i.status == "done" or i.assignee_id is not None) for i in items)
    return not reviewed


async def withdraw(actor: Actor, case_id: int, reason: str | None) -> Case:
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        if case.submitter_id != actor.account_id:
            raise Forbidden("只有提交人可以撤回")
        items = await WorkItem.filter(case_id=case.id).exclude(status="cancelled").using_db(tx)
        if not withdrawable(case, items):
            raise Conflict("审核已开始，不能撤回（退回补正时可以撤回）", code="CASE_NOT_WITHDRAWABLE")
        await WorkItem.filter(case_id=case.id, status="open").using_db(tx).update(status="cancelled")
        case.status, case.finished_at = "withdrawn", _now()
        case.current_steps, case.current_step_names, case.due_at = [], None, None
        case.row_version += 1
        await case.save(using_db=tx)
        await _event(tx, case, actor, "withdraw", opinion=reason)
    await invalidate_counts("work_item")
    return case


async def comment(actor: Actor, case_id: int, opinion: str) -> None:
    if not (opinion or "").strip():
        raise InvalidInput("请填写意见", fields={"opinion": "不能为空"})
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        await _event(tx, case, actor, "comment", opinion=opinion.strip()[:2000])


# ------------------------------------------------------------------ editing

async def _editable_items(actor: Actor, case: Case, using: Any) -> list[WorkItem]:
    if case.status in ("complete", "rejected", "withdrawn"):
        return []
    items = await WorkItem.filter(case_id=case.id, status="open").using_db(using)
    handled = (await handled_steps([case.id], actor.account_id, using)).get(case.id, {})
    return [i for i in items if may_act(actor, i, handled)]


async def _apply_form(tx: Any, case: Case, item: WorkItem, data: dict, complete: bool) -> None:
    fv = await FormVersion.filter(id=case.form_version_id or 0).using_db(tx).first()
    if fv is None:
        raise InvalidInput("该业务没有表单", fields={"form": "没有表单"})
    perms = forms.perms_for(fv.rules, fv.field_perms, item.step_id, _is_applicant(item.role))
    case.form = forms.validate(fv.rules, data, perms, current=case.form, complete=complete)


async def edit(actor: Actor, case_id: int, form: dict, row_version: int | None) -> Case:
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        if row_version is not None and row_version != case.row_version:
            raise Conflict("业务件已被他人修改，请刷新后重试")
        items = await _editable_items(actor, case, tx)
        if not items:
            raise Forbidden("当前环节您不能修改该业务件")
        before = dict(case.form)
        # Fields editable at any of the actor's current steps; the first step whose permissions accept it.
        last_error: InvalidInput | None = None
        for item in items:
            try:
                await _apply_form(tx, case, item, form, complete=False)
                last_error = None
                break
            except InvalidInput as e:
                last_error = e
        if last_error:
            raise last_error
        case.row_version += 1
        await case.save(using_db=tx)
        changed = sorted(k for k in set(before) | set(case.form) if before.get(k) != case.form.get(k))
        await _event(tx, case, actor, "edit", item=items[0], detail={"fields": changed})
    return case


async def add_material(actor: Actor, case_id: int, file_id: str, material_type: str) -> CaseMaterial:
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        if not await _editable_items(actor, case, tx):
            raise Forbidden("当前环节您不能补充材料")
        if await CaseMaterial.filter(case_id=case.id).using_db(tx).count() >= MAX_MATERIALS:
            raise InvalidInput(f"材料最多{MAX_MATERIALS}份", fields={"file_id": "材料过多"})
        files = await _check_files(actor, [{"file_id": file_id, "material_type": material_type}], tx)
        await _add_materials(tx, case, actor, files)
        m = await CaseMaterial.filter(case_id=case.id).order_by("-id").using_db(tx).first()
        await _event(tx, case, actor, "material_add", detail={"material_type": material_type, "name": m.name})
    return m


async def remove_material(actor: Actor, case_id: int, material_id: int) -> None:
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        if not await _editable_items(actor, case, tx):
            raise Forbidden("当前环节您不能删除材料")
        m = await CaseMaterial.filter(id=material_id, case_id=case.id).using_db(tx).first()
        if m is None:
            raise NotFound("材料不存在")
        await m.delete(using_db=tx)
        await _event(tx, case, actor, "material_remove", detail={"material_type": m.material_type, "name": m.name})


async def delete_draft(actor: Actor, case_id: int) -> None:
    async with uow() as tx:
        case = await lock_case(actor, case_id, tx)
        if case.status != "draft":
            raise Conflict("只能删除草稿", code="CASE_NOT_DRAFT")
        if actor.kind == "PERSON" and case.submitter_id != actor.account_id:
            raise Forbidden("只能删除本人的草稿")
        await audit.record("case.delete", "case", case.id, using=tx, before={"number": case.number,
                                                                             "case_type": case.case_type},
                           summary=f"删除草稿 {case.number}")
        await case.delete(using_db=tx)
    await invalidate_counts("work_item")


# ------------------------------------------------------------------ reading

async def get_case(actor: Actor, case_id: int) -> Case:
    case = await Case.filter(id=case_id).first()
    if case is None or not await can_read(actor, case):
        raise NotFound("业务件不存在或无权查看")
    return case


async def process_version_of(case: Case) -> ProcessVersion:
    return await ProcessVersion.get(id=case.process_version_id)


def is_overdue(due: dt.date | None, status: str = "open") -> bool:
    return bool(due) and status == "open" and due < calendar.today()


def todo_queryset(actor: Actor, *, everything: bool = False, assigned: str | None = None):  # noqa: ANN201
    """The caller's todo: assigned to them, or unclaimed and theirs to claim; or (supervisors) all in scope."""
    qs = WorkItem.filter(status="open")
    if everything:
        if not actor.has(access.SUPERVISE):
            raise Forbidden("查看全部待办需要“查看本范围全部待办”权限")
        return scoped(WorkItem, actor).filter(status="open")
    mine = Q(assignee_id=actor.account_id)
    cand = access.candidate_q(actor)
    if assigned == "me" or cand is None:
        return qs.filter(mine)
    if assigned == "unclaimed":
        return qs.filter(cand)
    if assigned:
        raise InvalidInput("assigned 只能是 me 或 unclaimed", fields={"assigned": "取值不在允许范围内"})
    return qs.filter(mine | cand)
