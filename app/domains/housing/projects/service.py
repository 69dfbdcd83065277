"""Projects (项目): reading in one place, editing, drawings, operator, publishing, and what the
three project cases do when they complete (declaration → recognised project with its sealed
certificate, exit → exited and certificate revoked, progress → progress row and plan actuals).

Every read goes through the data scope (`scoped`), every write loads its row with
`get_scoped(..., for_update=True)` and proves it is still in scope before commit; hooks run in
the completing action's transaction and raise InvalidInput so the reviewer sees why.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.expressions import Subquery

from app.core import audit
from app.core import files as file_store
from app.core.context import SystemActor
from app.core.db import uow
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from app.core.ids import next_number
from app.core.models import StoredFile
from app.core.regions import DISTRICT_NAMES
from app.documents.models import IssuedDocument
from app.documents.service import issue, revoke, verify_url
from app.domains.housing.projects import access as _projects_access  # noqa: F401 - data-scope rules
from app.domains.housing.projects import alerts
from app.domains.housing.projects import schemas as S
from app.domains.housing.projects.models import (
    SUPPLY_MODES, Project, ProjectBuilding, ProjectFile, ProjectProgress, QualificationAlert,
)
from app.domains.housing.projects.rules import (
    PERIOD, check_progress_order, make_point, parse_declaration, parse_progress,
)
from app.identity.models import Org
from app.identity.scope import Actor, ensure_in_scope, get_scoped, scoped
from app.workflow import calendar
from app.workflow import service
from app.workflow.case_types import CASE_TYPES
from app.workflow.models import Case
from app.workflow.service import document_context
from exchange import runtime as exchange

NUMBER_TYPE = "XMBH"  # 项目编号 XMBH-20261126-0001
CERTIFICATE_KEY = "project_recognition_certificate"
# What a builder may change on its own recognised, unpublished project; the rest was approved.
BUILDER_FIELDS = ("address", "location", "land_area", "building_area", "total_investment", "description",
                  "rea_project_code")
GOV_FIELDS = ("name", "address", "supply_mode", "land_area", "building_area", "unit_count", "total_investment",
              "location", "description", "rea_project_code", "qualification_from", "qualification_to")
_PROJECT_AUDIT = ["code", "name", "district_code", "address", "builder_id", "operator_id", "supply_mode", "land_area",
                  "building_area", "unit_count", "total_investment_fen", "lng_bd09", "lat_bd09", "lng_wgs84",
                  "lat_wgs84", "state", "recognition_document_id", "qualification_from", "qualification_to",
                  "exited_at", "progress_percent", "investment_done_fen", "published", "rea_project_code",
                  "description"]


def _snap(p: Project) -> dict:
    return audit.snapshot(p, _PROJECT_AUDIT)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def cn_today() -> dt.date:
    return calendar.today()


# ------------------------------------------------------------------ what the stock and the plans add
# The stock and the plans name a project, so they sit above it (housing.stock, housing.plans). What a
# project's page, its exit and its operator change need from them they register here, from their
# hooks module (imported at start through the housing DOMAIN).

Part = Callable[[Project], Awaitable[Any]]
_parts: dict[str, Part] = {}
_counts: dict[str, Callable[[list[int]], Awaitable[dict[int, int]]]] = {}
_exit_checks: list[Callable[[Project, Any], Awaitable[None]]] = []
_operator_moves: list[Callable[[Project, Any], Awaitable[dict[str, int]]]] = []


def detail_part(name: str) -> Callable[[Part], Part]:
    """`fn(project)` fills `name` on the project's page (or on the public page: public_*)."""
    def deco(fn: Part) -> Part:
        _parts[name] = fn
        return fn
    return deco


def project_counts(name: str) -> Callable:
    """`fn(project_ids) -> {project_id: n}`, e.g. available_units for the public list."""
    def deco(fn: Callable[[list[int]], Awaitable[dict[int, int]]]) -> Callable:
        _counts[name] = fn
        return fn
    return deco


def before_exit(fn: Callable[[Project, Any], Awaitable[None]]) -> Callable:
    """`fn(project, tx)` raises InvalidInput when the project may not exit yet."""
    _exit_checks.append(fn)
    return fn


def on_operator_change(fn: Callable[[Project, Any], Awaitable[dict[str, int]]]) -> Callable:
    """`fn(project, tx)` copies the project's new operator_id down; returns {table: rows moved}."""
    _operator_moves.append(fn)
    return fn


async def _part(name: str, p: Project) -> Any:
    return await _parts[name](p)


async def counts(name: str, ids: list[int]) -> dict[int, int]:
    return await _counts[name](ids) if ids else {}


# ------------------------------------------------------------------ reading

async def org_names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(await Org.filter(id__in=ids).values_list("id", "name")) if ids else {}


async def project_rows(rows: list[Project]) -> list[dict]:
    names = await org_names({p.builder_id for p in rows} | {p.operator_id for p in rows})
    return [S.project_row(p, names) for p in rows]


def list_queryset(actor: Actor, args: dict[str, str]):  # noqa: ANN201
    """The caller's projects, narrowed by builder/operator name (they live on the org table)."""
    qs = scoped(Project, actor)
    for key, col in (("builder_name", "builder_id"), ("operator_name", "operator_id")):
        text = (args.get(key) or "").strip()
        if text:
            if len(text) > 100:
                raise InvalidInput("查询内容过长", fields={key: "过长"})
            qs = qs.filter(**{f"{col}__in": Subquery(Org.filter(name__icontains=text).values("id"))})
    return qs


async def _certificate(p: Project) -> dict | None:
    if not p.recognition_document_id:
        return None
    d = await IssuedDocument.filter(id=p.recognition_document_id).first()
    return S.certificate_out(p.id, d, verify_url(d.id)) if d else None


def _editable_fields(actor: Actor, p: Project) -> list[str]:
    if not actor.has("housing.project.write") or p.state == "exited":
        return []
    if actor.org_kind == "GOV":
        return list(GOV_FIELDS)
    if actor.org_kind == "BUILDER" and p.builder_id == actor.org_id and p.state == "recognized" and not p.published:
        return list(BUILDER_FIELDS)
    return []


async def project_detail(actor: Actor, project_id: int) -> dict:
    p = await get_scoped(Project, actor, project_id)
    row = (await project_rows([p]))[0]
    progress = await ProjectProgress.filter(project_id=p.id).order_by("-period", "-id").limit(120)
    case_ids = {r.case_id for r in progress if r.case_id} | ({p.declaration_case_id} if p.declaration_case_id else set())
    numbers = dict(await Case.filter(id__in=case_ids).values_list("id", "number")) if case_ids else {}
    open_cases = await Case.filter(subjects__contains={"project_id": p.id},
                                   status__in=["draft", "in_review", "returned"]).order_by("-id").limit(50)
    rule = await _rule_or_default(p.supply_mode, p.district_code)
    today = cn_today()
    editable = _editable_fields(actor, p)
    is_gov = actor.org_kind == "GOV"
    own = actor.org_kind == "BUILDER" and p.builder_id == actor.org_id
    can_case = p.state == "recognized" and actor.has("case.case.intake") and (is_gov or own)
    row.update({
        "description": p.description, "rea_project_code": p.rea_project_code,
        "recognized_at": S.iso(p.recognized_at), "exited_at": S.iso(p.exited_at),
        "investment_done": S.fen_to_yuan(p.investment_done_fen), "progress_updated_at": S.iso(p.progress_updated_at),
        "buildings": [S.building_row(b) for b in await ProjectBuilding.filter(project_id=p.id).order_by("id")],
        "stock": await _part("stock", p),
        "progress": [S.progress_row(r, numbers) for r in progress],
        "files": [S.file_row(f) for f in await ProjectFile.filter(project_id=p.id).order_by("-id")],
        "certificate": await _certificate(p),
        "qualification": {"from": S.iso(p.qualification_from), "to": S.iso(p.qualification_to),
                          "days_left": (p.qualification_to - today).days if p.qualification_to else None,
                          "status": (status := alerts.qualification_status(p.qualification_to, today, rule)),
                          "status_name": S.QUALIFICATION_STATUSES[status]},
        "plan_targets": await _part("plan_targets", p),
        "housing_targets": await _part("housing_targets", p),
        "declaration_case": {"id": p.declaration_case_id, "number": numbers.get(p.declaration_case_id)}
        if p.declaration_case_id else None,
        "open_cases": [{"id": c.id, "number": c.number, "case_type": c.case_type,
                        "case_type_name": CASE_TYPES[c.case_type].name if c.case_type in CASE_TYPES else c.case_type,
                        "status": c.status} for c in open_cases],
        "can": {"edit": bool(editable), "edit_fields": editable,
                "manage_files": actor.has("housing.project.write") and p.state != "exited" and (is_gov or own),
                "set_operator": is_gov and actor.has("housing.project.write") and p.state != "exited",
                "publish": actor.has("housing.project.publish") and p.state == "recognized",
                "exit": can_case, "report_progress": can_case},
    })
    return row


async def _rule_or_default(supply_mode: str, district_code: str | None = None) -> alerts.QualificationRule:
    try:
        return await alerts.qualification_rule(supply_mode, district_code)
    except AppError:
        return alerts.DEFAULT_RULE  # a page still shows the status while the rule set is off or broken


# ------------------------------------------------------------------ writing

async def _lock(actor: Actor, project_id: int, tx: Any) -> Project:
    return await get_scoped(Project, actor, project_id, for_update=True, using=tx)


def _not_exited(p: Project) -> None:
    if p.state == "exited":
        raise Conflict("项目已退出，不能修改", code="PROJECT_EXITED")


async def update_project(actor: Actor, project_id: int, data: S.ProjectUpdate) -> None:
    sent = data.model_fields_set
    async with uow() as tx:
        p = await _lock(actor, project_id, tx)
        _not_exited(p)
        if actor.org_kind == "BUILDER":
            extra = sorted(sent - set(BUILDER_FIELDS))
            if extra:
                raise Forbidden("建设单位不能修改：" + "、".join(extra) + "（已认定的内容请联系住建部门）")
            if p.published:
                raise Conflict("项目已向社会公开，修改请联系住建部门", code="PROJECT_PUBLISHED")
            if p.state != "recognized":
                raise Conflict("项目尚未认定，不能修改", code="PROJECT_NOT_RECOGNIZED")
        elif actor.org_kind != "GOV":
            raise Forbidden("只有住建部门和项目的建设单位可以修改项目")
        before = _snap(p)
        if "name" in sent:
            if data.name is None:
                raise InvalidInput("项目名称不能为空", fields={"name": "必填"})
            if data.name != p.name and await Project.filter(builder_id=p.builder_id, name=data.name) \
                    .exclude(id=p.id).exclude(state="exited").using_db(tx).exists():
                raise InvalidInput(f"该建设单位已有名为“{data.name}”的项目", fields={"name": "重名"})
            p.name = data.name
        for key in ("address", "supply_mode", "unit_count"):
            if key in sent:
                if getattr(data, key) is None:
                    raise InvalidInput("该项不能为空", fields={key: "必填"})
                setattr(p, key, getattr(data, key))
        for key, col in (("land_area", "land_area"), ("building_area", "building_area"),
                         ("total_investment", "total_investment_fen"), ("description", "description"),
                         ("rea_project_code", "rea_project_code")):
            if key in sent:
                setattr(p, col, getattr(data, key))
        if "location" in sent:
            if data.location is None:
                p.lng_bd09 = p.lat_bd09 = p.lng_wgs84 = p.lat_wgs84 = None
                if p.published:
                    raise Conflict("已公开的项目须有位置，请先撤销公开", code="PROJECT_PUBLISHED")
            else:
                pt = make_point(data.location.lng, data.location.lat, data.location.system)
                p.lng_bd09, p.lat_bd09, p.lng_wgs84, p.lat_wgs84 = pt.lng_bd09, pt.lat_bd09, pt.lng_wgs84, pt.lat_wgs84
        if "qualification_from" in sent:
            p.qualification_from = data.qualification_from
        if "qualification_to" in sent:
            p.qualification_to = data.qualification_to
        if p.qualification_from and p.qualification_to and p.qualification_to < p.qualification_from:
            raise InvalidInput("资格期止不能早于资格期起", fields={"qualification_to": "早于资格期起"})
        await p.save(using_db=tx)
        await ensure_in_scope(p, actor, using=tx)
        await audit.record("project.update", "project", p.id, using=tx, before=before, after=_snap(p),
                           summary=f"修改项目 {p.code} {p.name}")


async def add_file(actor: Actor, project_id: int, data: S.ProjectFileIn) -> ProjectFile:
    async with uow() as tx:
        p = await _lock(actor, project_id, tx)
        _not_exited(p)
        if actor.org_kind not in ("GOV", "BUILDER"):
            raise Forbidden("只有住建部门和项目的建设单位可以维护图档")
        f = await scoped(StoredFile, actor).filter(id=data.file_id).using_db(tx).first()
        if f is None:
            raise InvalidInput("文件不存在或无权使用，请重新上传", fields={"file_id": "文件不存在"})
        if await ProjectFile.filter(project_id=p.id).using_db(tx).count() >= 500:
            raise InvalidInput("每个项目最多500份图档", fields={"file_id": "图档过多"})
        pf = await ProjectFile.create(project_id=p.id, file_id=f.id, kind=data.kind, name=data.name or f.original_name,
                                      mime=f.mime, uploaded_by_id=actor.account_id, using_db=tx)
        await ensure_in_scope(pf, actor, using=tx)
        await audit.record("project.file_add", "project_file", pf.id, using=tx, only_changes=False,
                           after={"project_id": p.id, "kind": pf.kind, "name": pf.name, "file_id": str(f.id)},
                           summary=f"项目 {p.code} 上传图档 {pf.kind}：{pf.name}"[:255])
    return pf


async def remove_file(actor: Actor, project_id: int, project_file_id: int) -> None:
    async with uow() as tx:
        p = await _lock(actor, project_id, tx)
        _not_exited(p)
        if actor.org_kind not in ("GOV", "BUILDER"):
            raise Forbidden("只有住建部门和项目的建设单位可以维护图档")
        pf = await scoped(ProjectFile, actor).filter(id=project_file_id, project_id=p.id).using_db(tx).first()
        if pf is None:
            raise NotFound("图档不存在")
        await audit.record("project.file_remove", "project_file", pf.id, using=tx, only_changes=False,
                           before={"project_id": p.id, "kind": pf.kind, "name": pf.name, "file_id": str(pf.file_id)},
                           summary=f"项目 {p.code} 删除图档 {pf.kind}：{pf.name}"[:255])
        await pf.delete(using_db=tx)


async def file_content(actor: Actor, project_id: int, project_file_id: int) -> StoredFile:
    pf = await scoped(ProjectFile, actor).filter(id=project_file_id, project_id=project_id).first()
    f = await StoredFile.filter(id=pf.file_id).first() if pf else None
    if f is None:
        raise NotFound("图档不存在")
    return f


async def certificate_pdf(actor: Actor, project_id: int) -> tuple[bytes, str]:
    p = await get_scoped(Project, actor, project_id)
    d = await IssuedDocument.filter(id=p.recognition_document_id).first() if p.recognition_document_id else None
    f = await StoredFile.filter(id=d.file_id).first() if d else None
    if f is None:
        raise NotFound("该项目没有在平台出具的认定书")
    return await file_store.storage().get(f.sha256), f.original_name


async def set_operator(actor: Actor, project_id: int, operator_id: int | None) -> None:
    async with uow() as tx:
        p = await _lock(actor, project_id, tx)
        if actor.org_kind != "GOV":
            raise Forbidden("只有住建部门可以设置运营单位")
        _not_exited(p)
        if operator_id is not None and not await Org.filter(id=operator_id, kind="OPERATOR", enabled=True) \
                .using_db(tx).exists():
            raise InvalidInput("运营单位不存在或已停用", fields={"operator_id": "不是启用的运营单位"})
        before = _snap(p)
        p.operator_id = operator_id
        await p.save(using_db=tx, update_fields=["operator_id", "updated_at"])
        await ensure_in_scope(p, actor, using=tx)
        # The scope columns are copied down the hierarchy: the operator's service scope moves with them.
        moved = {k: v for move in _operator_moves for k, v in (await move(p, tx)).items()}
        await QualificationAlert.filter(project_id=p.id, status="open").using_db(tx).update(operator_id=operator_id)
        name = (await Org.get(id=operator_id).using_db(tx)).name if operator_id else "（无）"
        await audit.record("project.operator", "project", p.id, using=tx, before=before,
                           after=_snap(p) | {"rows_moved": moved},
                           summary=f"项目 {p.code} 设置运营单位：{name}"[:255])


async def set_published(actor: Actor, project_id: int, published: bool) -> None:
    async with uow() as tx:
        p = await _lock(actor, project_id, tx)
        if published:
            if p.state != "recognized":
                raise Conflict("只有已认定的项目可以公开", code="PROJECT_NOT_PUBLISHABLE")
            if p.lng_bd09 is None:
                raise Conflict("项目没有地图位置，不能公开；请先在项目信息中选取位置", code="PROJECT_NOT_PUBLISHABLE")
        if p.published == published:
            return
        before = _snap(p)
        p.published, p.published_at = published, (_now() if published else None)
        await p.save(using_db=tx, update_fields=["published", "published_at", "updated_at"])
        await ensure_in_scope(p, actor, using=tx)
        await audit.record("project.publish" if published else "project.unpublish", "project", p.id, using=tx,
                           before=before, after=_snap(p),
                           summary=f"{'公开' if published else '撤销公开'}项目 {p.code} {p.name}"[:255])


async def start_case(actor: Actor, project_id: int, data: S.ProjectCaseIn):  # noqa: ANN201
    """项目退出 / 进度申报 on a project: the project is the caller's, recognised, and named in `subjects`."""
    p = await get_scoped(Project, actor, project_id)
    if actor.org_kind == "BUILDER":
        if p.builder_id != actor.org_id:
            raise NotFound()
        channel = "online"
    elif actor.org_kind == "GOV":
        channel = "onsite"
    else:
        raise Forbidden("只有项目的建设单位或住建部门可以发起项目业务")
    if p.state != "recognized":
        raise Conflict("项目已退出，不能再办理该业务" if p.state == "exited" else "项目尚未认定，不能办理该业务",
                       code="PROJECT_EXITED" if p.state == "exited" else "PROJECT_NOT_RECOGNIZED")
    if data.case_type == "project_exit" and await Case.filter(
            case_type="project_exit", subjects__contains={"project_id": p.id},
            status__in=["draft", "in_review", "returned"]).exists():
        raise Conflict("该项目已有办理中的退出申请", code="CASE_IN_PROGRESS")
    form = dict(data.form)
    period = form.get("period")
    if data.case_type == "progress_report" and isinstance(period, str) and PERIOD.match(period) and \
            await ProjectProgress.filter(project_id=p.id, period=period).exists():
        raise InvalidInput(f"该项目{form['period']}的进度已申报", fields={"period": "已申报"})
    form["project_name"] = p.name
    return await service.create_case(
        actor, case_type_key=data.case_type, channel=channel,
        applicant=service.Applicant(kind="ORG", org_id=p.builder_id), district_code=p.district_code, org_id=None,
        subjects={"project_id": p.id}, form=form, materials=[m.model_dump(mode="json") for m in data.materials],
        submit=data.submit, opinion=data.opinion)


# ------------------------------------------------------------------ completion of project cases

def _subject_project_id(case: Any) -> int:
    raw = (case.subjects or {}).get("project_id") if isinstance(case.subjects, dict) else None
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).isdigit() or \
            not 0 < int(raw) < 2**63:
        raise InvalidInput("业务件未关联项目（subjects.project_id）", fields={"subjects.project_id": "必填"})
    return int(raw)


async def case_project(case: Any, tx: Any) -> Project:
    pid = _subject_project_id(case)
    p = await Project.filter(id=pid).select_for_update().using_db(tx).first()
    if p is None:
        raise InvalidInput("关联的项目不存在", fields={"subjects.project_id": "项目不存在"})
    if p.builder_id != case.applicant_org_id:
        raise InvalidInput("关联的项目不属于申请单位", fields={"subjects.project_id": "不是申请单位的项目"})
    if p.state == "exited":
        raise InvalidInput("项目已退出", fields={"subjects.project_id": "项目已退出"})
    if p.state != "recognized":
        raise InvalidInput("项目尚未认定", fields={"subjects.project_id": "项目未认定"})
    return p


def certificate_context(case: Any, p: Project, buildings: list[dict], builder: Org) -> dict:
    ctx = document_context(case)
    ctx["qualification"] = {"valid_from": S.iso(p.qualification_from), "valid_to": S.iso(p.qualification_to)}
    ctx["project"] = {
        "code": p.code, "name": p.name, "address": p.address, "district_code": p.district_code,
        "district_name": S.district_name(p.district_code), "supply_mode_name": SUPPLY_MODES[p.supply_mode],
        "unit_count": p.unit_count, "building_area": S.area_out(p.building_area), "land_area": S.area_out(p.land_area),
        "total_investment_fen": p.total_investment_fen, "buildings": buildings,
        "lng_bd09": str(p.lng_bd09), "lat_bd09": str(p.lat_bd09)}
    ctx["builder"] = {"name": builder.name, "credit_code": builder.credit_code}
    return ctx


async def recognize(case: Any, tx: Any, actor: Any) -> Project:
    """项目申报 办结: the recognised project, its buildings and its sealed 项目认定书, in the action's transaction."""
    d = parse_declaration(case.form or {})
    if case.district_code not in DISTRICT_NAMES:
        raise InvalidInput("业务件的所属区有误", fields={"district_code": "区划代码有误"})
    builder = await Org.filter(id=case.applicant_org_id or 0).using_db(tx).first()
    if builder is None or builder.kind != "BUILDER":
        raise InvalidInput("项目申报的申请单位应为建设单位", fields={"applicant.org_id": "不是建设单位"})
    if await Project.filter(declaration_case_id=case.id).using_db(tx).exists():
        raise InvalidInput("该申报已生成项目")
    if await Project.filter(builder_id=builder.id, name=d.name).exclude(state="exited").using_db(tx).exists():
        raise InvalidInput(f"{builder.name}已有名为“{d.name}”的项目", fields={"project_name": "重名"})
    rule = await alerts.qualification_rule(d.supply_mode, case.district_code)
    q_from, q_to = alerts.qualification_period(cn_today(), rule)
    p = await Project.create(
        code=await next_number(NUMBER_TYPE, using=tx), name=d.name, district_code=case.district_code,
        address=d.address, builder_id=builder.id, supply_mode=d.supply_mode, land_area=d.land_area,
        building_area=d.building_area, unit_count=d.unit_count, total_investment_fen=d.total_investment_fen,
        lng_bd09=d.point.lng_bd09, lat_bd09=d.point.lat_bd09, lng_wgs84=d.point.lng_wgs84,
        lat_wgs84=d.point.lat_wgs84, state="recognized", recognized_at=_now(), qualification_from=q_from,
        qualification_to=q_to, declaration_case_id=case.id, description=d.description, using_db=tx)
    for b in d.buildings:
        await ProjectBuilding.create(project_id=p.id, using_db=tx, **b)
    doc = await issue(CERTIFICATE_KEY, certificate_context(case, p, d.buildings, builder),
                      issuer_org_id=actor.org_id, case_id=case.id, actor=actor, using=tx)
    p.recognition_document_id = doc.id
    await p.save(using_db=tx, update_fields=["recognition_document_id"])
    case.subjects = {**(case.subjects or {}), "project_id": p.id}
    await case.save(using_db=tx, update_fields=["subjects"])
    await audit.record("project.recognize", "project", p.id, using=tx, actor=actor, only_changes=False,
                       after=_snap(p) | {"buildings": d.buildings, "case": case.number,
                                         "rule_version": rule.version,
                                         "rule_scope": rule.district_code or "city"},
                       summary=f"项目认定 {p.code} {p.name}（{case.number}）"[:255])
    return p


async def exit_project(case: Any, tx: Any, actor: Any) -> Project:
    """项目退出 办结: state exited, taken off the public site, certificate revoked, alerts closed."""
    p = await case_project(case, tx)
    for check in _exit_checks:
        await check(p, tx)
    before = _snap(p)
    p.state, p.exited_at, p.published, p.published_at = "exited", _now(), False, None
    await p.save(using_db=tx)
    if p.recognition_document_id:
        doc = await IssuedDocument.filter(id=p.recognition_document_id).using_db(tx).first()
        if doc is not None and doc.status == "valid":
            reason = str((case.form or {}).get("exit_reason") or "").strip()
            # The process, not the approver's data scope, decides the revocation; the audit names the approver.
            on_behalf = SystemActor(account_id=actor.account_id, name=actor.name, org_id=actor.org_id)
            await revoke(doc.id, f"项目已退出（{case.number}）" + (f"：{reason}" if reason else ""),
                         on_behalf, using=tx)
    await QualificationAlert.filter(project_id=p.id, status="open").using_db(tx).update(status="closed")
    await audit.record("project.exit", "project", p.id, using=tx, actor=actor, before=before,
                       after=_snap(p) | {"case": case.number}, summary=f"项目退出 {p.code} {p.name}（{case.number}）"[:255])
    return p


async def record_progress(case: Any, tx: Any, actor: Any) -> ProjectProgress:
    """进度申报 办结: one progress row per project and month; the latest month updates the project."""
    p = await case_project(case, tx)
    r = parse_progress(case.form or {}, cn_today())
    if p.unit_count and r.units_started > p.unit_count:
        raise InvalidInput(f"累计开工套数不能超过项目计划套数（{p.unit_count}套）", fields={"units_started": "超过计划套数"})
    if p.building_area and r.area_started > p.building_area:
        raise InvalidInput(f"累计开工面积不能超过项目建筑面积（{S.area_out(p.building_area)}㎡）",
                           fields={"area_started": "超过建筑面积"})
    if await ProjectProgress.filter(project_id=p.id, period=r.period).using_db(tx).exists():
        raise InvalidInput(f"该项目{r.period}的进度已申报", fields={"period": "已申报"})
    prev = await ProjectProgress.filter(project_id=p.id, period__lt=r.period).order_by("-period").using_db(tx).first()
    nxt = await ProjectProgress.filter(project_id=p.id, period__gt=r.period).order_by("period").using_db(tx).first()
    check_progress_order(r, prev, nxt)
    row = await ProjectProgress.create(project_id=p.id, period=r.period, progress_percent=r.progress_percent,
                                       investment_done_fen=r.investment_done_fen, units_started=r.units_started,
                                       units_completed=r.units_completed, area_started=r.area_started,
                                       area_completed=r.area_completed, note=r.note, case_id=case.id, using_db=tx)
    before = _snap(p)
    if nxt is None:
        p.progress_percent, p.investment_done_fen, p.progress_updated_at = \
            r.progress_percent, r.investment_done_fen, _now()
        await p.save(using_db=tx, update_fields=["progress_percent", "investment_done_fen", "progress_updated_at",
                                                 "updated_at"])
    await audit.record("project.progress", "project_progress", row.id, using=tx, actor=actor, only_changes=False,
                       before=before, after=_snap(p) | {"period": r.period, "units_started": r.units_started,
                                                        "units_completed": r.units_completed,
                                                        "area_started": S.area_out(r.area_started),
                                                        "area_completed": S.area_out(r.area_completed),
                                                        "case": case.number},
                       summary=f"项目 {p.code} 进度申报 {r.period}：{r.progress_percent}%（{case.number}）"[:255])
    return row


# ------------------------------------------------------------------ the public site

def public_queryset():  # noqa: ANN201
    return Project.filter(published=True, state="recognized")


async def public_rows(rows: list[Project]) -> list[dict]:
    names = await org_names({p.builder_id for p in rows} | {p.operator_id for p in rows})
    avail = await counts("available_units", [p.id for p in rows])
    return [S.public_project_row(p, names, avail) for p in rows]


async def public_detail(project_id: int) -> dict:
    p = await public_queryset().filter(id=project_id).first()
    if p is None:
        raise NotFound("项目不存在或未公开")
    row = (await public_rows([p]))[0]
    row.update({"description": p.description, "building_area": S.area_out(p.building_area),
                "buildings": [{"name": b.name, "floors": b.floors, "planned_units": b.planned_units}
                              for b in await ProjectBuilding.filter(project_id=p.id).order_by("id")],
                "communities": await _part("public_communities", p)})
    return row


# ------------------------------------------------------------------ geocoding (INT-15)

MAX_ADDRESS_BYTES = 84  # Baidu geocoding v3 refuses longer addresses


async def geocode(address: str) -> dict:
    """An address to BD-09 and WGS-84 points; "not found" is an answer, an unreachable or
    misconfigured geocoder a 502."""
    empty = {"address": address, "found": False, "precise": None, "confidence": None, "level": None,
             "location": None}
    if not address:
        return empty | {"message": "请输入地址"}
    if len(address.encode()) > MAX_ADDRESS_BYTES or "\x00" in address:
        raise InvalidInput(f"地址过长（最多{MAX_ADDRESS_BYTES // 3}个汉字）", fields={"address": "过长"})
    try:
        r = await exchange.geocode(address)
    except exchange.GeocodeError as e:
        if e.not_found or e.status == 2:
            return empty | {"message": e.message}
        raise AppError(e.message, code="GEOCODER_UNAVAILABLE", status=502) from e
    wgs = r.location.to_wgs84()
    return {"address": address, "found": True, "message": None, "precise": r.precise,
            "confidence": r.confidence, "level": r.level,
            "location": {"bd09": {"lng": round(r.location.lng, 6), "lat": round(r.location.lat, 6)},
                         "wgs84": {"lng": round(wgs[0], 6), "lat": round(wgs[1], 6)}}}
