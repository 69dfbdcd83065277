"""Annual construction plans (年度建设计划) with their project and housing targets, and the
plan-versus-actual figures (GOV-04-01/02/03; the dashboard reads the same numbers later).

A plan without a district is the city's: only city staff write it. District staff write their
district's plans and see the city's. A target's project must lie in the plan's district.
"""
from __future__ import annotations

from typing import Any

from tortoise.functions import Count, Sum

from app.core import audit
from app.core.db import uow
from app.core.children import ChildRows
from app.core.errors import Conflict, Forbidden, InvalidInput
from app.domains.housing.plans import access as _plans_access  # noqa: F401 - data-scope rules
from app.domains.housing.plans import schemas as S
from app.domains.housing.plans.models import AnnualPlan, PlanHousingTarget, PlanProjectTarget
from app.domains.housing.plans.rules import Report, plan_vs_actual
from app.domains.housing.projects.models import Project, ProjectProgress
from app.domains.housing.projects.schemas import area_out, district_name, fen_to_yuan
from app.identity.scope import CITY, Actor, ensure_in_scope, get_scoped, scoped
from app.workflow import calendar

_PLAN_AUDIT = ["year", "name", "district_code", "description"]
_PT_AUDIT = ["plan_id", "project_id", "units_start", "units_complete", "area_start", "area_complete", "start_date",
             "completion_date", "planned_investment_fen"]
_HT_AUDIT = ["plan_id", "project_id", "layout", "planned_units", "area_per_unit"]


class PlanInUse(Conflict):
    code = "PLAN_IN_USE"


# ------------------------------------------------------------------ plans

def _can_write_plan(actor: Actor, district_code: str | None) -> None:
    if actor.org_kind != "GOV":
        raise Forbidden("年度计划由住建部门维护")
    if actor.scope != CITY and district_code != actor.district_code:
        raise Forbidden("全市计划和其他区（市）的计划只能由相应住建部门维护" if district_code is None
                        else "只能维护本区（市）的年度计划")


async def plan_counts(ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    out: dict[int, dict] = {i: {} for i in ids}
    for pid, n, us, uc, inv in await PlanProjectTarget.filter(plan_id__in=ids).annotate(
            n=Count("id"), us=Sum("units_start"), uc=Sum("units_complete"), inv=Sum("planned_investment_fen")) \
            .group_by("plan_id").values_list("plan_id", "n", "us", "uc", "inv"):
        out[pid].update(project_targets=n, units_start=int(us or 0), units_complete=int(uc or 0),
                        investment=int(inv or 0))
    for pid, n in await PlanHousingTarget.filter(plan_id__in=ids).annotate(n=Count("id")).group_by("plan_id") \
            .values_list("plan_id", "n"):
        out[pid]["housing_targets"] = n
    return out


async def plan_rows(rows: list[AnnualPlan]) -> list[dict]:
    counts = await plan_counts([p.id for p in rows])
    return [S.plan_row(p, counts) for p in rows]


async def plan_detail(actor: Actor, plan_id: int) -> dict:
    plan = await get_scoped(AnnualPlan, actor, plan_id)
    row = (await plan_rows([plan]))[0]
    pts = await scoped(PlanProjectTarget, actor).filter(plan_id=plan.id).prefetch_related("plan", "project") \
        .order_by("id")
    hts = await scoped(PlanHousingTarget, actor).filter(plan_id=plan.id).prefetch_related("plan", "project") \
        .order_by("project_id", "layout")
    return row | {"project_targets": [S.project_target_row(t) for t in pts],
                  "housing_targets": [S.housing_target_row(t) for t in hts]}


async def _name_taken(year: int, name: str, exclude: int | None, tx: Any) -> bool:
    qs = AnnualPlan.filter(year=year, name=name)
    if exclude:
        qs = qs.exclude(id=exclude)
    return await qs.using_db(tx).exists()


async def create_plan(actor: Actor, data: S.PlanIn) -> AnnualPlan:
    _can_write_plan(actor, data.district_code)
    async with uow() as tx:
        if await _name_taken(data.year, data.name, None, tx):
            raise Conflict(f"{data.year}年度已有名为“{data.name}”的计划", code="PLAN_EXISTS")
        plan = await AnnualPlan.create(**data.model_dump(), created_by_id=actor.account_id, using_db=tx)
        await ensure_in_scope(plan, actor, using=tx)
        await audit.record("plan.create", "annual_plan", plan.id, using=tx, only_changes=False,
                           after=audit.snapshot(plan, _PLAN_AUDIT), summary=f"新增年度计划 {plan.year} {plan.name}")
    return plan


async def _lock_plan(actor: Actor, plan_id: int, tx: Any) -> AnnualPlan:
    plan = await get_scoped(AnnualPlan, actor, plan_id, for_update=True, using=tx)
    _can_write_plan(actor, plan.district_code)
    return plan


async def update_plan(actor: Actor, plan_id: int, data: S.PlanIn) -> AnnualPlan:
    _can_write_plan(actor, data.district_code)
    async with uow() as tx:
        plan = await _lock_plan(actor, plan_id, tx)
        if await _name_taken(data.year, data.name, plan.id, tx):
            raise Conflict(f"{data.year}年度已有名为“{data.name}”的计划", code="PLAN_EXISTS")
        if data.district_code and data.district_code != plan.district_code:
            outside = await PlanProjectTarget.filter(plan_id=plan.id).exclude(
                project__district_code=data.district_code).using_db(tx).count()
            outside += await PlanHousingTarget.filter(plan_id=plan.id).exclude(
                project__district_code=data.district_code).using_db(tx).count()
            if outside:
                raise Conflict(f"计划中有{outside}条指标的项目不在所选区（市），不能改为该区的计划", code="PLAN_IN_USE")
        before = audit.snapshot(plan, _PLAN_AUDIT)
        for k, v in data.model_dump().items():
            setattr(plan, k, v)
        await plan.save(using_db=tx)
        await ensure_in_scope(plan, actor, using=tx)
        await audit.record("plan.update", "annual_plan", plan.id, using=tx, before=before,
                           after=audit.snapshot(plan, _PLAN_AUDIT), summary=f"修改年度计划 {plan.year} {plan.name}")
    return plan


async def delete_plan(actor: Actor, plan_id: int) -> None:
    async with uow() as tx:
        plan = await _lock_plan(actor, plan_id, tx)
        n_targets = await PlanProjectTarget.filter(plan_id=plan.id).using_db(tx).count()
        if n_targets:
            raise PlanInUse(f"该计划已有{n_targets}个项目指标，不能删除；请先删除项目指标")
        project_ids = await PlanHousingTarget.filter(plan_id=plan.id).using_db(tx).values_list("project_id", flat=True)
        n_progress = await ProjectProgress.filter(
            project_id__in=list(set(project_ids)), period__gte=f"{plan.year}-01", period__lte=f"{plan.year}-12") \
            .using_db(tx).count() if project_ids else 0
        if n_progress:
            raise PlanInUse(f"该计划的项目在{plan.year}年度已有{n_progress}条月度进度申报，不能删除")
        n_housing = await PlanHousingTarget.filter(plan_id=plan.id).using_db(tx).delete()
        await audit.record("plan.delete", "annual_plan", plan.id, using=tx, only_changes=False,
                           before=audit.snapshot(plan, _PLAN_AUDIT) | {"housing_targets_deleted": n_housing},
                           summary=f"删除年度计划 {plan.year} {plan.name}")
        await plan.delete(using_db=tx)


async def plan_progress(actor: Actor, plan_id: int) -> dict:
    plan = await get_scoped(AnnualPlan, actor, plan_id)
    targets = await scoped(PlanProjectTarget, actor).filter(plan_id=plan.id).prefetch_related("project") \
        .order_by("id")
    pids = [t.project_id for t in targets]
    reports: dict[int, list[Report]] = {}
    rows = await ProjectProgress.filter(project_id__in=pids, period__lte=f"{plan.year}-12").order_by("period") \
        if pids else []
    for r in rows:
        reports.setdefault(r.project_id, []).append(
            Report(r.period, r.units_started, r.units_completed, r.investment_done_fen, r.progress_percent,
                   r.area_started, r.area_completed))
    raw = [{"project_id": t.project_id, "units_start": t.units_start, "units_complete": t.units_complete,
            "area_start": t.area_start, "area_complete": t.area_complete,
            "planned_investment_fen": t.planned_investment_fen} for t in targets]
    out = plan_vs_actual(plan.year, raw, reports)

    def target_out(d: dict) -> dict:
        return {"units_start": d["units_start"], "units_complete": d["units_complete"],
                "area_start": area_out(d["area_start"]), "area_complete": area_out(d["area_complete"]),
                "planned_investment": fen_to_yuan(d["planned_investment_fen"])}

    def actual_out(a: dict) -> dict:
        return {k: v for k, v in a.items() if k != "investment_done_fen"} | \
            {"area_started": area_out(a["area_started"]), "area_completed": area_out(a["area_completed"]),
             "investment_done": fen_to_yuan(a["investment_done_fen"])}

    housing = await scoped(PlanHousingTarget, actor).filter(plan_id=plan.id).annotate(n=Sum("planned_units")) \
        .group_by("layout").order_by("layout").values_list("layout", "n")
    today = calendar.today()
    return {
        "plan": (await plan_rows([plan]))[0], "year": plan.year,
        # The month the actuals run to: the plan year's end once it is over, none before it starts.
        "as_of": f"{plan.year}-12" if today.year > plan.year else f"{today:%Y-%m}" if today.year == plan.year else None,
        "totals": {"target": target_out(out["totals"]["target"]), "actual": actual_out(out["totals"]["actual"]),
                   "rate": out["totals"]["rate"]},
        "items": [{"project_id": t.project_id, "project_name": t.project.name, "project_code": t.project.code,
                   "target": target_out(item["target"]), "actual": actual_out(item["actual"]), "rate": item["rate"]}
                  for t, item in zip(targets, out["items"], strict=True)],
        "housing": [{"layout": layout, "planned_units": int(n or 0)} for layout, n in housing],
        "monthly": [{"period": m["period"], "units_started": m["units_started"], "units_completed": m["units_completed"],
                     "area_started": area_out(m["area_started"]), "area_completed": area_out(m["area_completed"]),
                     "investment_done": fen_to_yuan(m["investment_done_fen"])} for m in out["monthly"]],
    }


# ------------------------------------------------------------------ targets

async def _plan_and_project(actor: Actor, plan_id: int, project_id: int, tx: Any) -> tuple[AnnualPlan, Project]:
    plan = await scoped(AnnualPlan, actor).filter(id=plan_id).select_for_update().using_db(tx).first()
    if plan is None:
        raise InvalidInput("年度计划不存在或无权查看", fields={"plan_id": "计划不存在"})
    _can_write_plan(actor, plan.district_code)
    project = await scoped(Project, actor).filter(id=project_id).using_db(tx).first()
    if project is None:
        raise InvalidInput("项目不存在或无权查看", fields={"project_id": "项目不存在"})
    if plan.district_code and project.district_code != plan.district_code:
        raise InvalidInput(f"项目“{project.name}”不在该计划所属的{district_name(plan.district_code)}",
                           fields={"project_id": "不在计划所属区"})
    if project.state == "exited":
        raise InvalidInput(f"项目“{project.name}”已退出，不能列入计划", fields={"project_id": "项目已退出"})
    return plan, project


async def _parent_writable(actor: Actor, t: PlanProjectTarget | PlanHousingTarget, tx: Any) -> None:
    plan = await AnnualPlan.get(id=t.plan_id).using_db(tx)
    _can_write_plan(actor, plan.district_code)


def _targets(model: type, object_type: str, title: str, missing: str, fields: list[str], shape) -> ChildRows:  # noqa: ANN001
    return ChildRows(model, object_type, object_type.replace("plan_", "plan.", 1), title, missing, fields, shape,
                     scoped, ensure_in_scope, _parent_writable, prefetch=("plan", "project"))


PROJECT_TARGETS = _targets(PlanProjectTarget, "plan_project_target", "年度计划项目指标", "项目指标不存在或无权查看",
                           _PT_AUDIT, S.project_target_row)
HOUSING_TARGETS = _targets(PlanHousingTarget, "plan_housing_target", "年度计划房屋指标", "房屋指标不存在或无权查看",
                           _HT_AUDIT, S.housing_target_row)


def _pt_values(data: S.ProjectTargetUpdate) -> dict:
    d = data.model_dump(include=set(S.ProjectTargetUpdate.model_fields))
    d["planned_investment_fen"] = d.pop("planned_investment")
    return d


async def create_project_target(actor: Actor, data: S.ProjectTargetIn) -> dict:
    async with uow() as tx:
        plan, project = await _plan_and_project(actor, data.plan_id, data.project_id, tx)
        if await PlanProjectTarget.filter(plan_id=plan.id, project_id=project.id).using_db(tx).exists():
            raise Conflict(f"计划中已有项目“{project.name}”的指标", code="TARGET_EXISTS")
        t = await PROJECT_TARGETS.insert(actor, tx, f"年度计划 {plan.year} {plan.name} 新增项目指标：{project.name}",
                                         plan_id=plan.id, project_id=project.id, **_pt_values(data))
    return await PROJECT_TARGETS.row(t.id)


async def update_project_target(actor: Actor, target_id: int, data: S.ProjectTargetUpdate) -> dict:
    async def values(t: PlanProjectTarget, tx: Any) -> dict:
        return _pt_values(data)
    return await PROJECT_TARGETS.update(actor, target_id, values)


async def create_housing_target(actor: Actor, data: S.HousingTargetIn) -> dict:
    async with uow() as tx:
        plan, project = await _plan_and_project(actor, data.plan_id, data.project_id, tx)
        if await PlanHousingTarget.filter(plan_id=plan.id, project_id=project.id, layout=data.layout) \
                .using_db(tx).exists():
            raise Conflict(f"计划中项目“{project.name}”已有户型“{data.layout}”的指标", code="TARGET_EXISTS")
        t = await HOUSING_TARGETS.insert(
            actor, tx, f"年度计划 {plan.year} {plan.name} 新增房屋指标：{project.name} {data.layout}",
            plan_id=plan.id, project_id=project.id, layout=data.layout, planned_units=data.planned_units,
            area_per_unit=data.area_per_unit)
    return await HOUSING_TARGETS.row(t.id)


async def update_housing_target(actor: Actor, target_id: int, data: S.HousingTargetUpdate) -> dict:
    async def values(t: PlanHousingTarget, tx: Any) -> dict:
        if data.layout != t.layout and await PlanHousingTarget.filter(
                plan_id=t.plan_id, project_id=t.project_id, layout=data.layout).using_db(tx).exists():
            raise Conflict(f"该项目已有户型“{data.layout}”的指标", code="TARGET_EXISTS")
        return {"layout": data.layout, "planned_units": data.planned_units, "area_per_unit": data.area_per_unit}
    return await HOUSING_TARGETS.update(actor, target_id, values)


async def project_targets_of(p: Project) -> list[dict]:
    """A project's targets in every plan, newest plan first (its page)."""
    rows = await PlanProjectTarget.filter(project_id=p.id).prefetch_related("plan", "project").order_by("-plan_id")
    return [S.project_target_row(t) for t in rows]


async def housing_targets_of(p: Project) -> list[dict]:
    rows = await PlanHousingTarget.filter(project_id=p.id).prefetch_related("plan", "project") \
        .order_by("-plan_id", "layout")
    return [S.housing_target_row(t) for t in rows]
