"""Completion hooks of the housing stock's case types (imported at startup by app.server), and
what the stock adds to a project (its page, its exit, its operator change: housing.projects.service).

They run inside the final approval's transaction: raising rolls the approval back and the
reviewer sees the message, so a unit is never half put in stock or half changed.
"""
from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.errors import InvalidInput, from_validation
from app.domains.housing.projects import service as projects
from app.domains.housing.stock import intake, rules, service, units
from app.domains.housing.stock.models import Unit
from app.domains.housing.stock.schemas import ChangesIn
from app.identity.models import Org
from app.identity.scope import Actor, scoped
from app.workflow.models import Case
from app.workflow.service import on_complete, on_create

projects.detail_part("stock")(service.project_stock)
projects.detail_part("public_communities")(service.public_communities)
projects.project_counts("available_units")(service.available_units)
projects.before_exit(service.refuse_exit_while_allocated)
projects.on_operator_change(service.move_operator)

_INTAKE_SQL = """
UPDATE unit SET state = 'available', row_version = row_version + 1, updated_at = now()
 WHERE intake_case_id = $1 AND state = 'not_in_stock'
"""
_INTAKE_HISTORY_SQL = """
INSERT INTO unit_history (unit_id, action, before, after, reason, case_id, actor_id, actor_name, created_at)
SELECT id, 'intake', '{"state": "not_in_stock"}'::jsonb, '{"state": "available"}'::jsonb, $2, $1, $3, $4, now()
  FROM unit WHERE intake_case_id = $1 AND state = 'available'
"""


@on_create("unit_intake")
async def check_new_intake(case: Case, tx: Any, actor: Actor) -> None:
    """A project or community named at intake must be the caller's and the applicant's, in the case's district."""
    await intake.subjects_ctx(actor, case, tx)


@on_complete("unit_intake")
async def put_units_in_stock(case: Case, tx: Any, actor: Actor) -> None:
    """房源入库办结: the case's units become 可配租, each with an `intake` history row."""
    rows = await tx.execute_query_dict(
        "SELECT count(*) AS n, count(*) FILTER (WHERE district_code <> $2) AS elsewhere, "
        "count(DISTINCT building_id) AS buildings FROM unit WHERE intake_case_id = $1 AND state = 'not_in_stock'",
        [case.id, case.district_code])
    n, elsewhere = rows[0]["n"], rows[0]["elsewhere"]
    if n == 0:
        raise InvalidInput("该入库申请没有待入库的房屋，请退回申请人添加房屋")
    if elsewhere:
        raise InvalidInput(f"有{elsewhere}套房屋不在本申请的所属区，不能入库")
    reason = f"房源入库 {case.number} 办结"
    await tx.execute_query(_INTAKE_SQL, [case.id])
    await tx.execute_query(_INTAKE_HISTORY_SQL, [case.id, reason, getattr(actor, "account_id", None),
                                                 getattr(actor, "name", None)])
    await audit.record("housing.unit.intake", "case", case.id, using=tx, only_changes=False,
                       after={"case": case.number, "units": n, "buildings": rows[0]["buildings"],
                              "state": "available"},
                       summary=f"{case.number} 办结：{n}套房屋入库（可配租）")
    await units.changed()


def _changes_of(form: dict) -> dict[str, Any]:
    """The unit change form's fields as changes; only what was filled in counts."""
    from pydantic import ValidationError
    raw = {k: form[k] for k in ("layout", "area", "orientation", "decoration", "facilities", "rent_standard",
                                "residential", "delist") if form.get(k) not in (None, "", [])}
    # The form offers these as choices a clerk reads, not as switches that default to "no".
    for k, yes, no in (("residential", "住宅", "非住宅"), ("delist", "下架", "恢复上架")):
        if raw.get(k) in (yes, no):
            raw[k] = raw[k] == yes
    try:
        return ChangesIn.model_validate(raw).given()
    except ValidationError as e:
        raise from_validation(e) from e


async def _owner_ok(tx: Any, case: Case, unit: Unit) -> bool:
    """The applicant must own the unit: its builder or operator, or gov of its district."""
    org = await Org.filter(id=case.applicant_org_id or 0).using_db(tx).first()
    if org is None:
        return False
    if org.kind == "BUILDER":
        return unit.builder_id == org.id
    if org.kind == "OPERATOR":
        return unit.operator_id == org.id
    return org.kind == "GOV" and (org.level == "city" or org.district_code == unit.district_code)


async def check_change_case(tx: Any, case: Case) -> tuple[Unit, dict]:
    """The unit of a change case (row-locked) and its changes, or InvalidInput saying why not."""
    raw = (case.subjects or {}).get("unit_id")
    try:
        unit_id = int(raw)
    except (TypeError, ValueError) as e:
        raise InvalidInput("变更申请没有指明房屋（subjects.unit_id）") from e
    unit = await Unit.filter(id=unit_id).select_for_update().using_db(tx).first() if 0 < unit_id < 2**63 else None
    if unit is None or unit.district_code != case.district_code or not await _owner_ok(tx, case, unit):
        raise InvalidInput("变更的房屋不存在，或不属于申请单位、本申请所属区")
    changes = _changes_of(case.form or {})
    problem = rules.change_problem(unit.state, changes)
    if problem:
        raise InvalidInput(problem, code="UNIT_CHANGE_REFUSED")
    return unit, changes


@on_create("unit_change")
async def check_new_change(case: Case, tx: Any, actor: Actor) -> None:
    """Refused at intake, not only at approval: a unit outside the caller's scope or the applicant's,
    or changes the unit's state does not allow now."""
    raw = (case.subjects or {}).get("unit_id")
    try:
        unit_id = int(raw)
    except (TypeError, ValueError) as e:
        raise InvalidInput("请指明要变更的房屋（subjects.unit_id）", fields={"subjects.unit_id": "必填"}) from e
    unit = await scoped(Unit, actor).filter(id=unit_id).using_db(tx).first() if 0 < unit_id < 2**63 else None
    if unit is None:
        raise InvalidInput("要变更的房屋不存在或无权办理", fields={"subjects.unit_id": "房屋不存在或无权办理"})
    if unit.district_code != case.district_code or not await _owner_ok(tx, case, unit):
        raise InvalidInput("申请单位不是该房屋的建设单位或运营单位，或所属区不一致",
                           fields={"subjects.unit_id": "不是申请单位的房屋"})
    changes = _changes_of(case.form or {})
    if changes:  # a draft may name the unit first and the changes later
        problem = rules.change_problem(unit.state, changes)
        if problem:
            raise InvalidInput(problem, code="UNIT_CHANGE_REFUSED")


@on_complete("unit_change")
async def apply_unit_change(case: Case, tx: Any, actor: Actor) -> None:
    """房源变更办结: the approved fields replace the unit's, kept in its history with before/after."""
    unit, changes = await check_change_case(tx, case)
    before = units.unit_values(unit)
    after = await units.apply_change(tx, unit, changes, actor, case.id, (case.form or {}).get("reason"))
    await audit.record("housing.unit.change", "unit", unit.id, using=tx,
                       before={k: before.get(k) for k in after}, after=after,
                       summary=(f"{case.number} 办结：房屋 {await units.label_of(unit, tx)} 变更"
                                + "、".join(rules.CHANGE_LABELS.get(k, "状态") for k in after))[:255])
    await units.changed()
