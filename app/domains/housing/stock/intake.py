"""Unit intake cases (房源入库, GOV-06-03/04, BLD-02-03/04): attaching units to a draft case.

A builder (online) or a gov clerk (on site) creates a `unit_intake` case as a draft, attaches
units to it, and submits it. Three ways to attach, all ending in `plan_units` + `apply_plan`:
REA-01 (the city's unit table, fetched again on the server), one by one, and the Excel import
(unit_import.py). Attached units are `not_in_stock` with `intake_case_id` = the case; the
completion hook (unit_hooks.py) puts them in stock. Units left behind by a rejected, withdrawn
or deleted case are reused by the next intake of the same building and number.

Every call locks the case row first, so two attaches to one case are serialised; the unique
indexes on (building, entrance, number) and register_id stop two cases taking the same unit. A
unit is named by its building, entrance and number: a building numbered per entrance holds both
1单元101 and 2单元101, and every message names the unit as 1栋2单元101.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from tortoise.functions import Count

from app.core import audit
from app.core.db import uow
from app.core.errors import AppError, Forbidden, InvalidInput, NotFound, from_validation
from app.core.money import yuan_to_fen
from app.domains.housing.stock import service as stock
from app.domains.housing.stock import rules, units
from app.domains.housing.projects.models import Project, ProjectBuilding
from app.domains.housing.stock.models import UNIT_STATES, Building, Community, Entrance, Unit
from app.domains.housing.stock.schemas import IntakeUnitIn, ReaPickIn, RemoveUnitsIn, layout_problem
from app.identity.models import Org
from app.identity.scope import Actor, ensure_in_scope, scoped
from app.workflow import forms, service
from app.workflow.access import APPLICANT
from app.workflow.models import Case, FormVersion, WorkItem
from exchange import runtime as exchange
from exchange.client import ExchangeError

log = logging.getLogger("arh.housing")
OPEN_CASE = ("draft", "in_review", "returned")
EDITABLE = ("draft", "returned")
REA_SKIP = {"sold": "已售", "sealed": "查封"}


class PartnerUnavailable(AppError):
    status, code, message = 502, "PARTNER_UNAVAILABLE", "房地产交易系统暂不可用，请稍后再试"


@dataclass
class Draft:
    """One unit to attach, before it has a building id (new buildings are made on apply)."""
    building_name: str
    floor: int
    number: str
    area: Decimal
    row: int | None = None  # Excel row number, for the error report
    building_id: int | None = None
    building_code: str | None = None  # REA-01 building code
    building_floors: int | None = None
    entrance_name: str | None = None
    register_id: str | None = None
    layout: str | None = None
    inner_area: Decimal | None = None
    residential: bool = True
    orientation: str | None = None
    decoration: str | None = None
    facilities: list[str] = field(default_factory=list)
    rent_fen: int | None = None


@dataclass
class Plan:
    inserts: list[Draft] = field(default_factory=list)
    updates: list[tuple[int, Draft]] = field(default_factory=list)  # reused units: (unit id, new data)
    errors: list[dict] = field(default_factory=list)  # {row, column, message, register_id}

    def keep(self, rows: set[int | None]) -> "Plan":
        return Plan([d for d in self.inserts if d.row not in rows],
                    [(i, d) for i, d in self.updates if d.row not in rows], [])

    @property
    def size(self) -> int:
        return len(self.inserts) + len(self.updates)

    def new_buildings(self, known: set[str]) -> list[dict]:
        """Buildings the plan would create (not among `known` names), with their unit count and
        first row, so a clerk can confirm them before a typo like 99栋 becomes a building."""
        out: dict[str, dict] = {}
        for d in [*self.inserts, *(d for _, d in self.updates)]:
            if d.building_id is None and d.building_name not in known:
                b = out.setdefault(d.building_name, {"name": d.building_name, "unit_count": 0, "first_row": d.row})
                b["unit_count"] += 1
                if d.row is not None and (b["first_row"] is None or d.row < b["first_row"]):
                    b["first_row"] = d.row
        return sorted(out.values(), key=lambda b: (b["first_row"] or 0, b["name"]))


@dataclass
class Ctx:
    case: Case
    applicant: Org
    project: Project | None
    community: Community | None


# ------------------------------------------------------------------ the case being edited

def _subject_id(case: Case, key: str) -> int | None:
    v = (case.subjects or {}).get(key)
    if v in (None, ""):
        return None
    try:
        n = int(v)
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"业务件的关联对象 {key} 格式有误", fields={f"subjects.{key}": "应为ID"}) from e
    if not 1 <= n < 2**63:
        raise InvalidInput(f"业务件的关联对象 {key} 格式有误", fields={f"subjects.{key}": "应为ID"})
    return n


async def _intake_case(actor: Actor, case_id: int, tx: Any) -> Case:
    case = await service.lock_case(actor, case_id, tx)
    if case.case_type != "unit_intake":
        raise NotFound("房源入库申请不存在或无权查看")
    return case


async def check_community(actor: Actor, ctx: Ctx, community_id: int, tx: Any) -> Community:
    """The community an intake puts its units in: the caller's, in the case's district, of the
    case's project, and the applicant's own when the applicant is a builder or operator."""
    c = await scoped(Community, actor).filter(id=community_id).select_for_update().using_db(tx).first()
    if c is None:
        raise InvalidInput("小区不存在或无权使用", fields={"community_id": "小区不存在或无权使用"})
    if c.district_code != ctx.case.district_code:
        raise InvalidInput("小区所在区与入库申请的所属区不一致", fields={"community_id": "所属区不一致"})
    if ctx.project is not None and c.project_id not in (None, ctx.project.id):
        raise InvalidInput("小区属于其他项目", fields={"community_id": "小区属于其他项目"})
    kind = ctx.applicant.kind
    if kind == "BUILDER" and c.builder_id != ctx.applicant.id:
        raise InvalidInput("小区的建设单位不是申请单位（未指定建设单位的小区请先在小区信息中指定）",
                           fields={"community_id": "不是申请单位的小区"})
    if kind == "OPERATOR" and c.operator_id != ctx.applicant.id:
        raise InvalidInput("小区的运营单位不是申请单位", fields={"community_id": "不是申请单位的小区"})
    return c


async def edit_ctx(actor: Actor, case_id: int, tx: Any) -> Ctx:
    """The intake case locked for an edit by its submitter, while it is a draft or returned."""
    case = await _intake_case(actor, case_id, tx)
    if case.status not in EDITABLE:
        raise AppError("入库申请已提交审核或已办结，不能再修改房源", code="CASE_NOT_EDITABLE", status=409)
    items = await WorkItem.filter(case_id=case.id, status="open").using_db(tx)
    if not any(i.role == APPLICANT and service.may_act(actor, i) for i in items):
        raise Forbidden("只有入库申请的提交人可以修改入库房源")
    return await subjects_ctx(actor, case, tx)


async def subjects_ctx(actor: Actor, case: Case, tx: Any) -> Ctx:
    """The applicant, project and community an intake case names, each checked against the caller's
    scope, the applicant and the case's district (at creation, and again on every edit)."""
    applicant = await Org.filter(id=case.applicant_org_id or 0).using_db(tx).first()
    if applicant is None:
        raise InvalidInput("入库申请的申请单位不存在")
    project = None
    pid = _subject_id(case, "project_id")
    if pid is not None:
        project = await scoped(Project, actor).filter(id=pid).using_db(tx).first()
        if project is None:
            raise InvalidInput("入库申请关联的项目不存在或无权使用", fields={"subjects.project_id": "项目不存在"})
        if applicant.kind == "BUILDER" and project.builder_id != applicant.id:
            raise InvalidInput("项目的建设单位不是申请单位", fields={"subjects.project_id": "不是申请单位的项目"})
        if project.district_code != case.district_code:
            raise InvalidInput("项目所在区与入库申请的所属区不一致", fields={"subjects.project_id": "所属区不一致"})
    ctx = Ctx(case, applicant, project, None)
    cid = _subject_id(case, "community_id")
    if cid is not None:
        ctx.community = await check_community(actor, ctx, cid, tx)
    return ctx


async def use_community(actor: Actor, ctx: Ctx, community_id: int | None, tx: Any) -> Community:
    """The community named by the call, or the case's; naming one sets it on the case."""
    if community_id is not None:
        if ctx.community is not None and ctx.community.id != community_id:
            raise InvalidInput(f"本入库申请已选择小区“{ctx.community.name}”，一个申请只能对应一个小区",
                               fields={"community_id": "与业务件的小区不一致"})
        if ctx.community is None:
            ctx.community = await check_community(actor, ctx, community_id, tx)
            ctx.case.subjects = {**(ctx.case.subjects or {}), "community_id": ctx.community.id}
    if ctx.community is None:
        raise InvalidInput("请先选择小区（community_id），或在小区管理中新增小区", fields={"community_id": "请选择小区"})
    return ctx.community


async def refresh_case(tx: Any, ctx: Ctx) -> int:
    """Keep the form's 入库套数 (and project/community names) equal to what is attached, so a case
    with no units cannot pass the required-field check on submission."""
    case = ctx.case
    n = await Unit.filter(intake_case_id=case.id).using_db(tx).count()
    fv = await FormVersion.filter(id=case.form_version_id or 0).using_db(tx).first()
    names = {f["field"] for f in forms.fields_of(fv.rules)} if fv else set()
    values = {"unit_count": n or None,
              "community_name": ctx.community.name if ctx.community else None,
              "project_name": ctx.project.name if ctx.project else (ctx.community.name if ctx.community else None)}
    form = dict(case.form or {})
    for k, v in values.items():
        if k in names:
            if v is None:
                form.pop(k, None)
            else:
                form[k] = v
    case.form = form
    case.row_version += 1
    await case.save(using_db=tx, update_fields=["form", "subjects", "row_version", "updated_at"])
    return n


# ------------------------------------------------------------------ planning and writing units

_CLASH_SQL = """
SELECT u.id, u.building_id, u.entrance_id, u.number, u.register_id, u.state, u.intake_case_id, u.community_id,
       c.status AS case_status, c.number AS case_number
  FROM unit u LEFT JOIN "case" c ON c.id = u.intake_case_id
"""


def _err(d: Draft, column: str, message: str) -> dict:
    return {"row": d.row, "column": column, "message": message, "register_id": d.register_id,
            "number": d.number, "building": d.building_name, "entrance": d.entrance_name}


def _describe(ex: dict, case_id: int, refuse_same_case: bool = False) -> str | None:
    """Why an existing unit row cannot be taken by this intake, or None when it can be reused."""
    if ex["state"] != "not_in_stock":
        return f"已入库（{UNIT_STATES.get(ex['state'], ex['state'])}），如需修改请办理房源变更"
    if ex["intake_case_id"] == case_id:
        return "已在本入库申请中" if refuse_same_case else None
    if ex["intake_case_id"] is None or ex["case_status"] not in OPEN_CASE:
        return None
    return f"已在入库申请 {ex['case_number']} 中"


async def plan_units(tx: Any, ctx: Ctx, community: Community, drafts: list[Draft],
                     refuse_same_case: bool = False) -> Plan:
    """Decide, without writing, which drafts become new units, which reuse a unit left by an
    earlier intake (or refresh one already in this case: a re-pick or a corrected file), and
    which are refused (with the reason, per row)."""
    plan = Plan()
    blds = await Building.filter(community_id=community.id).using_db(tx)
    by_id = {b.id: b for b in blds}
    by_name = {b.name: b for b in blds}
    by_code = {b.rea_building_code: b for b in blds if b.rea_building_code}
    ents = {(bid, name): eid for eid, bid, name in await Entrance.filter(building_id__in=list(by_id))
            .using_db(tx).values_list("id", "building_id", "name")} if by_id else {}
    seen_pair: dict[tuple, int | None] = {}
    seen_reg: dict[str, int | None] = {}
    resolved: list[tuple[Draft, Building | None]] = []
    for d in drafts:
        if d.building_id is not None:
            b = by_id.get(d.building_id)
            if b is None:
                plan.errors.append(_err(d, "楼栋", "楼栋不属于本申请的小区"))
                continue
            d.building_name = b.name
        else:
            b = by_code.get(d.building_code) if d.building_code else None
            b = b or by_name.get(d.building_name)
            if b is not None:
                d.building_name = b.name
        key = (b.id if b else None, d.building_name, d.entrance_name, d.number)
        if key in seen_pair:
            where = f"第{seen_pair[key]}行" if seen_pair[key] else "本次提交的其他房屋"
            unit = rules.unit_label(d.building_name, d.entrance_name, d.number)
            plan.errors.append(_err(d, "房号", f"{unit} 与{where}重复（同一单元内房号不能重复）"))
            continue
        if d.register_id and d.register_id in seen_reg:
            where = f"第{seen_reg[d.register_id]}行" if seen_reg[d.register_id] else "本次提交的其他房屋"
            plan.errors.append(_err(d, "不动产单元号", f"与{where}重复"))
            continue
        seen_pair[key] = d.row
        if d.register_id:
            seen_reg[d.register_id] = d.row
        resolved.append((d, b))
    pairs = {(b.id, d.number) for d, b in resolved if b is not None}
    by_pair: dict[tuple, dict] = {}
    if pairs:
        # One probe of the (building, number) index per pair; the entrance is matched here, so a
        # 101 of another entrance is no clash.
        rows = await tx.execute_query_dict(
            _CLASH_SQL + "WHERE (u.building_id, u.number) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))",
            [[p[0] for p in pairs], [p[1] for p in pairs]])
        by_pair = {(r["building_id"], r["entrance_id"], r["number"]): r for r in rows}
    regs = [d.register_id for d, _ in resolved if d.register_id]
    by_reg: dict[str, dict] = {}
    if regs:
        rows = await tx.execute_query_dict(_CLASH_SQL + "WHERE u.register_id = ANY($1::text[])", [regs])
        by_reg = {r["register_id"]: r for r in rows}
    for d, b in resolved:
        ex = None
        if b is not None:
            eid = ents.get((b.id, d.entrance_name)) if d.entrance_name else None
            # A named entrance the building does not have yet holds no units: nothing to clash with.
            if eid is not None or not d.entrance_name:
                ex = by_pair.get((b.id, eid, d.number))
        if ex is not None:
            why = _describe(ex, ctx.case.id, refuse_same_case)
            if why:
                plan.errors.append(_err(d, "房号", f"{rules.unit_label(d.building_name, d.entrance_name, d.number)} {why}"))
                continue
        other = by_reg.get(d.register_id) if d.register_id else None
        if other is not None and (ex is None or other["id"] != ex["id"]):
            why = _describe(other, ctx.case.id, refuse_same_case)
            if why or other["community_id"] != community.id or ex is not None:
                where = why or ("其他小区" if other["community_id"] != community.id else "本小区的其他房屋")
                plan.errors.append(_err(d, "不动产单元号", f"不动产单元号已登记为其他房屋（{where}）"))
                continue
            # The register id names a reusable unit under another building or number: take that row.
            ex = other
        if ex is not None:
            plan.updates.append((ex["id"], d))
        else:
            plan.inserts.append(d)
    return plan


_INSERT_SQL = """
INSERT INTO unit (building_id, entrance_id, community_id, project_id, district_code, builder_id, operator_id,
                  register_id, floor, number, layout, area, inner_area, residential, orientation, decoration,
                  facilities, rent_standard_fen, state, intake_case_id, row_version, created_at, updated_at)
SELECT t.b, t.e, $3, $4, $5, $6, $7, t.r, t.f, t.n, t.l, t.a, t.ia, t.res, t.o, t.d, t.fac::jsonb, t.rent,
       'not_in_stock', $8, 1, now(), now()
  FROM unnest($1::bigint[], $2::bigint[], $9::text[], $10::int[], $11::text[], $12::text[], $13::numeric[],
              $14::numeric[], $15::bool[], $16::text[], $17::text[], $18::text[], $19::bigint[])
       AS t(b, e, r, f, n, l, a, ia, res, o, d, fac, rent)
"""
_UPDATE_SQL = """
UPDATE unit u SET building_id = t.b, entrance_id = t.e, community_id = $3, project_id = $4, district_code = $5,
       builder_id = $6, operator_id = $7, register_id = coalesce(t.r, u.register_id), floor = t.f, number = t.n,
       layout = t.l, area = t.a, inner_area = t.ia, residential = t.res, orientation = t.o, decoration = t.d,
       facilities = t.fac::jsonb, rent_standard_fen = t.rent, intake_case_id = $8,
       row_version = u.row_version + 1, updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $9::text[], $10::int[], $11::text[], $12::text[], $13::numeric[],
              $14::numeric[], $15::bool[], $16::text[], $17::text[], $18::text[], $19::bigint[], $20::bigint[])
       AS t(b, e, r, f, n, l, a, ia, res, o, d, fac, rent, id)
 WHERE u.id = t.id AND u.state = 'not_in_stock'
"""


def _columns(items: list[tuple[Draft, int, int | None]]) -> list[list]:
    return [[b for _, b, _ in items], [e for _, _, e in items], [d.register_id for d, _, _ in items],
            [d.floor for d, _, _ in items], [d.number for d, _, _ in items], [d.layout for d, _, _ in items],
            [d.area for d, _, _ in items], [d.inner_area for d, _, _ in items],
            [d.residential for d, _, _ in items], [d.orientation for d, _, _ in items],
            [d.decoration for d, _, _ in items],
            [json.dumps(d.facilities, ensure_ascii=False) for d, _, _ in items], [d.rent_fen for d, _, _ in items]]


async def apply_plan(tx: Any, ctx: Ctx, community: Community, plan: Plan) -> tuple[int, int, list[int]]:
    """Write a plan in a few statements: new buildings and entrances, then every new unit in one
    INSERT … SELECT FROM unnest, every reused unit in one UPDATE. Returns (added, reused, buildings)."""
    drafts = [*plan.inserts, *(d for _, d in plan.updates)]
    blds = {b.name: b for b in await Building.filter(community_id=community.id).using_db(tx)}
    by_code = {b.rea_building_code: b for b in blds.values() if b.rea_building_code}
    need_floor: dict[str, int] = defaultdict(int)
    low: dict[str, int] = defaultdict(int)
    for d in drafts:
        b = by_code.get(d.building_code) if d.building_code else None
        if b is not None:
            d.building_name = b.name
        need_floor[d.building_name] = max(need_floor[d.building_name], d.floor, d.building_floors or 0)
        low[d.building_name] = min(low[d.building_name], d.floor)
    pbs = {}
    if community.project_id:
        for pb in await ProjectBuilding.filter(project_id=community.project_id).using_db(tx):
            pbs[pb.name] = pb.id
            if pb.rea_building_code:
                pbs[pb.rea_building_code] = pb.id
    for name, top in need_floor.items():
        b = blds.get(name)
        if b is None:
            code = next((d.building_code for d in drafts if d.building_name == name and d.building_code), None)
            b = await Building.create(name=name, floors=max(top, 1), basement_floors=-low[name],
                                      rea_building_code=code, project_building_id=pbs.get(code or "") or pbs.get(name),
                                      using_db=tx, **stock.building_cols(community))
            blds[name] = b
        elif top > b.floors or -low[name] > b.basement_floors:
            b.floors, b.basement_floors = max(b.floors, top), max(b.basement_floors, -low[name])
            await b.save(using_db=tx, update_fields=["floors", "basement_floors"])
    ent_names = {(blds[d.building_name].id, d.entrance_name) for d in drafts if d.entrance_name}
    ents: dict[tuple, int] = {}
    if ent_names:
        for e in await Entrance.filter(building_id__in={b for b, _ in ent_names}).using_db(tx):
            ents[(e.building_id, e.name)] = e.id
        for i, (bid, name) in enumerate(sorted(ent_names - set(ents))):
            e = await Entrance.create(building_id=bid, name=name, sort_order=len(ents) + i + 1, using_db=tx)
            ents[(bid, name)] = e.id
    common = [community.id, community.project_id, community.district_code, community.builder_id,
              community.operator_id, ctx.case.id]

    def rows(ds: list[Draft]) -> list[tuple[Draft, int, int | None]]:
        return [(d, blds[d.building_name].id, ents.get((blds[d.building_name].id, d.entrance_name))) for d in ds]
    if plan.inserts:
        cols = _columns(rows(plan.inserts))
        await tx.execute_query(_INSERT_SQL, [cols[0], cols[1], *common, *cols[2:]])
    reused = 0
    if plan.updates:
        cols = _columns(rows([d for _, d in plan.updates]))
        reused, _ = await tx.execute_query(_UPDATE_SQL, [cols[0], cols[1], *common, *cols[2:],
                                                         [i for i, _ in plan.updates]])
    return len(plan.inserts), reused, sorted({blds[d.building_name].id for d in drafts})


async def _audit_attach(tx: Any, ctx: Ctx, how: str, added: int, reused: int, extra: dict | None = None) -> None:
    await audit.record("housing.intake.attach", "case", ctx.case.id, using=tx, only_changes=False,
                       after={"case": ctx.case.number, "how": how, "community_id": ctx.community.id,
                              "added": added, "reused": reused, **(extra or {})},
                       summary=f"{ctx.case.number} {how}：新增{added}套，重新纳入{reused}套")


# ------------------------------------------------------------------ REA-01

async def _rea(query: Any) -> Any:
    try:
        return await exchange.unit_table(query)
    except ExchangeError as e:
        log.warning("REA-01 unit table query failed: %s", e)
        raise PartnerUnavailable(f"房地产交易系统暂不可用：{getattr(e, 'message', '') or '请稍后再试'}") from e
    except AppError:
        raise
    except Exception as e:  # noqa: BLE001 - broker down or unreachable: the clerk may retry later
        log.warning("REA-01 unreachable: %r", e)
        raise PartnerUnavailable() from e


def _query(**kw: Any) -> Any:
    try:
        return exchange.UnitTableQuery(**{k: v for k, v in kw.items() if v not in (None, "")})
    except ValidationError as e:
        raise from_validation(e) from e


async def rea_search(actor: Actor, keyword: str | None, project_code: str | None, district_code: str | None,
                     arh_only: bool) -> dict:
    """Search the city's unit table; each unit says whether (and how) it is registered here already."""
    if not (keyword or project_code or district_code):
        return {"projects": [], "truncated": False, "hint": "请输入项目名称关键字、项目编码或选择所属区后查询"}
    table = await _rea(_query(keyword=keyword, project_code=project_code, district_code=district_code,
                              arh_only=arh_only))
    regs = [u.register_id for p in table.projects for b in p.buildings for u in b.units]
    known: dict[str, dict] = {}
    mine: set[int] = set()
    if regs:
        for r in await Unit.filter(register_id__in=regs).values("id", "register_id", "state", "intake_case_id"):
            known[r["register_id"]] = r
        mine = set(await scoped(Unit, actor).filter(id__in=[r["id"] for r in known.values()])
                   .values_list("id", flat=True))
    projects = []
    for p in table.projects:
        buildings = []
        for b in p.buildings:
            us = []
            for u in b.units:
                k = known.get(u.register_id)
                us.append({**u.model_dump(mode="json"), "registered": None if k is None else {
                    "unit_id": k["id"] if k["id"] in mine else None, "state": k["state"],
                    "state_name": UNIT_STATES.get(k["state"]), "intake_case_id": k["intake_case_id"]
                    if k["id"] in mine else None}})
            buildings.append({"building_code": b.building_code, "name": b.name, "floors": b.floors,
                              "unit_count": len(us), "units": us})
        projects.append({"project_code": p.project_code, "name": p.name, "district_code": p.district_code,
                         "address": p.address, "developer": p.developer,
                         "developer_credit_code": p.developer_credit_code, "buildings": buildings})
    return {"projects": projects, "truncated": table.truncated}


async def attach_rea(actor: Actor, case_id: int, data: ReaPickIn) -> dict:
    # The partner is asked before the transaction: a slow partner must not hold the case lock.
    table = await _rea(_query(project_code=data.project_code))
    p = next((x for x in table.projects if x.project_code == data.project_code), None)
    if p is None:
        raise InvalidInput(f"楼盘表中没有项目编码为 {data.project_code} 的项目", fields={"project_code": "项目不存在"})
    codes = {b.building_code: b for b in p.buildings}
    unknown = [c for c in data.building_codes if c not in codes]
    if unknown:
        raise InvalidInput(f"楼盘表项目中没有楼栋编码 {'、'.join(unknown[:5])}", fields={"building_codes": "楼栋不存在"})
    unit_of = {u.register_id: (b, u) for b in p.buildings for u in b.units}
    missing = [r for r in data.register_ids if r not in unit_of]
    if missing:
        raise InvalidInput(f"楼盘表项目中没有不动产单元号 {'、'.join(missing[:3])}", fields={"register_ids": "房屋不存在"})
    picked: dict[str, tuple] = {}
    for c in data.building_codes:
        for u in codes[c].units:
            picked[u.register_id] = (codes[c], u)
    for r in data.register_ids:
        picked.setdefault(r, unit_of[r])
    async with uow() as tx:
        ctx = await edit_ctx(actor, case_id, tx)
        if p.district_code != ctx.case.district_code:
            raise InvalidInput("楼盘表项目所在区与入库申请的所属区不一致", fields={"project_code": "所属区不一致"})
        if data.community_id is None and ctx.community is None:
            ctx.community = await _community_from_rea(actor, ctx, p, data.community_name, tx)
            ctx.case.subjects = {**(ctx.case.subjects or {}), "community_id": ctx.community.id}
        community = await use_community(actor, ctx, data.community_id, tx)
        skipped, drafts = [], []
        for rid, (b, u) in picked.items():
            if u.status in REA_SKIP:
                skipped.append({"register_id": rid, "number": u.room_no, "building": b.name, "entrance": u.entrance,
                                "reason": f"楼盘表状态为{REA_SKIP[u.status]}，不能入库"})
                continue
            if problem := layout_problem(u.layout):
                skipped.append({"register_id": rid, "number": u.room_no, "building": b.name, "entrance": u.entrance,
                                "reason": f"{problem}，请联系房地产交易系统核实"})
                continue
            drafts.append(Draft(building_name=b.name, building_code=b.building_code, building_floors=b.floors,
                                entrance_name=(u.entrance or "")[:32] or None,
                                floor=u.floor, number=u.room_no[:16], area=u.building_area, register_id=rid,
                                layout=u.layout[:32], inner_area=u.inner_area, residential="住宅" in u.usage))
        plan = await plan_units(tx, ctx, community, drafts)
        skipped += [{"register_id": e["register_id"], "number": e["number"], "building": e["building"],
                     "entrance": e["entrance"], "reason": e["message"]} for e in plan.errors]
        if not plan.size:
            reason = skipped[0]["reason"] if skipped else "没有选中房屋"
            raise InvalidInput(f"没有可入库的房屋（{reason}）", code="NOTHING_TO_ATTACH")
        added, reused, _ = await apply_plan(tx, ctx, community, plan)
        n = await refresh_case(tx, ctx)
        await _audit_attach(tx, ctx, "楼盘表获取", added, reused,
                            {"project_code": p.project_code, "buildings": sorted(data.building_codes),
                             "skipped": len(skipped)})
    await units.changed()
    return {"added": added, "reused": reused, "skipped": skipped, "community_id": community.id, "unit_count": n}


async def _community_from_rea(actor: Actor, ctx: Ctx, p: Any, name: str | None, tx: Any) -> Community:
    """A REA project picked into a case without a community becomes one (or finds its namesake)."""
    name = (name or p.name)[:128]
    q = scoped(Community, actor).filter(name=name, district_code=p.district_code).using_db(tx)
    existing = await q.first()
    if existing is not None:
        return await check_community(actor, ctx, existing.id, tx)
    if ctx.project is not None:
        builder_id, operator_id, project_id = ctx.project.builder_id, ctx.project.operator_id, ctx.project.id
    else:
        builder_id = ctx.applicant.id if ctx.applicant.kind == "BUILDER" else None
        operator_id = ctx.applicant.id if ctx.applicant.kind == "OPERATOR" else None
        project_id = None
    c = await Community.create(name=name, address=p.address[:255], district_code=p.district_code,
                               project_id=project_id, builder_id=builder_id, operator_id=operator_id,
                               description=f"由楼盘表项目 {p.project_code}（{p.developer}）入库生成", using_db=tx)
    await ensure_in_scope(c, actor, using=tx)
    await audit.record("housing.community.create", "community", c.id, using=tx, only_changes=False,
                       after=audit.snapshot(c, list(stock.COMMUNITY_AUDIT)),
                       summary=f"入库申请 {ctx.case.number} 新增小区 {c.name}")
    return c


# ------------------------------------------------------------------ one by one

async def add_unit(actor: Actor, case_id: int, data: IntakeUnitIn) -> Unit:
    async with uow() as tx:
        ctx = await edit_ctx(actor, case_id, tx)
        community = await use_community(actor, ctx, data.community_id, tx)
        d = Draft(building_name=data.building_name or "", building_id=data.building_id, floor=data.floor,
                  number=data.number, area=data.area, entrance_name=data.entrance_name,
                  register_id=data.register_id, layout=data.layout, inner_area=data.inner_area,
                  residential=data.residential, orientation=data.orientation, decoration=data.decoration,
                  facilities=data.facilities, rent_fen=yuan_to_fen(data.rent_standard))
        plan = await plan_units(tx, ctx, community, [d], refuse_same_case=True)
        if plan.errors:
            e = plan.errors[0]
            if e["column"] == "楼栋":
                raise InvalidInput(e["message"], fields={"building_id": e["message"]})
            raise AppError(e["message"], code="UNIT_CLASH", status=409,
                           fields={"number" if e["column"] == "房号" else "register_id": e["message"]})
        added, reused, _ = await apply_plan(tx, ctx, community, plan)
        await refresh_case(tx, ctx)
        q = Unit.filter(community_id=community.id, intake_case_id=ctx.case.id, number=d.number,
                        building__name=d.building_name).using_db(tx)
        q = q.filter(entrance__name=d.entrance_name) if d.entrance_name else q.filter(entrance_id__isnull=True)
        u = await q.first()
        await _audit_attach(tx, ctx, "逐套录入", added, reused, {"unit_id": u.id, "number": u.number})
    await units.changed()
    return u


async def remove_units(actor: Actor, case_id: int, data: RemoveUnitsIn) -> dict:
    """Take units off a draft intake: they were never in stock, so the rows go."""
    async with uow() as tx:
        ctx = await edit_ctx(actor, case_id, tx)
        qs = Unit.filter(intake_case_id=ctx.case.id, state="not_in_stock").using_db(tx)
        if not data.all:
            qs = qs.filter(id__in=data.unit_ids)
        ids = await qs.values_list("id", flat=True)
        if not data.all and len(ids) != len(set(data.unit_ids)):
            raise InvalidInput("部分房屋不属于本入库申请", fields={"unit_ids": "含不属于本申请的房屋"})
        if ids:
            await Unit.filter(id__in=ids).using_db(tx).delete()
        n = await refresh_case(tx, ctx)
        await audit.record("housing.intake.detach", "case", ctx.case.id, using=tx, only_changes=False,
                           after={"case": ctx.case.number, "removed": len(ids)},
                           summary=f"{ctx.case.number} 移出{len(ids)}套房屋")
    await units.changed()
    return {"removed": len(ids), "unit_count": n}


async def attach_drafts(actor: Actor, case_id: int, community_id: int | None, drafts: list[Draft],
                        how: str = "逐套录入") -> dict:
    """Attach prepared drafts all-or-nothing (seeding, scripted intake); the first refusal is raised."""
    async with uow() as tx:
        ctx = await edit_ctx(actor, case_id, tx)
        community = await use_community(actor, ctx, community_id, tx)
        plan = await plan_units(tx, ctx, community, drafts, refuse_same_case=True)
        if plan.errors:
            raise InvalidInput(plan.errors[0]["message"], code="UNIT_CLASH")
        added, reused, _ = await apply_plan(tx, ctx, community, plan)
        n = await refresh_case(tx, ctx)
        await _audit_attach(tx, ctx, how, added, reused)
    await units.changed()
    return {"added": added, "reused": reused, "unit_count": n}


# ------------------------------------------------------------------ reading

async def readable_case(actor: Actor, case_id: int) -> Case:
    case = await service.get_case(actor, case_id)
    if case.case_type != "unit_intake":
        raise NotFound("房源入库申请不存在或无权查看")
    return case


async def summary(actor: Actor, case_id: int) -> dict:
    case = await readable_case(actor, case_id)
    qs = scoped(Unit, actor).filter(intake_case_id=case.id)
    per = await qs.group_by("building_id").annotate(n=Count("id")).values("building_id", "n")
    names = dict(await Building.filter(id__in=[r["building_id"] for r in per]).values_list("id", "name")) if per \
        else {}
    states = await stock.state_counts("intake_case_id", [case.id])
    cid, pid = _subject_id(case, "community_id"), _subject_id(case, "project_id")
    community = await scoped(Community, actor).filter(id=cid).first() if cid else None
    project = await scoped(Project, actor).filter(id=pid).first() if pid else None
    items = await WorkItem.filter(case_id=case.id, status="open")
    editable = case.status in EDITABLE and any(i.role == APPLICANT and service.may_act(actor, i) for i in items)
    return {"case": {"id": case.id, "number": case.number, "status": case.status, "district_code": case.district_code,
                     "applicant_name": case.applicant_name, "applicant_org_id": case.applicant_org_id,
                     "subjects": case.subjects},
            "community": {"id": community.id, "name": community.name} if community else None,
            "project": {"id": project.id, "name": project.name} if project else None,
            "unit_count": sum(r["n"] for r in per), "counts": states.get(case.id, {}),
            "buildings": sorted(({"id": r["building_id"], "name": names.get(r["building_id"]), "count": r["n"]}
                                 for r in per), key=lambda x: x["name"] or ""),
            "editable": editable}


async def case_units(actor: Actor, case_id: int) -> Any:
    case = await readable_case(actor, case_id)
    return scoped(Unit, actor).filter(intake_case_id=case.id)


async def get_editable_ctx(actor: Actor, case_id: int, community_id: int | None) -> tuple[Case, int]:
    """For starting an import: the case must be editable by the caller and have its community."""
    async with uow() as tx:
        ctx = await edit_ctx(actor, case_id, tx)
        community = await use_community(actor, ctx, community_id, tx)
        await refresh_case(tx, ctx)
    return ctx.case, community.id
