"""Units: the list and the graphic unit table (楼盘表), the unit card, history, lock and unlock,
the rules of a unit change, and the allocation guard later domains call.

Every write of a unit takes its row lock (SELECT … FOR UPDATE) and bumps `row_version`, so a
lock, an allocation and a change on one unit are serialised and at most one of two racing
state changes wins. The unit table is cached under a key built from the building's
`table_version`, which database triggers bump on every unit or entrance write, so no write has
to remember to invalidate it.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sanic import Request

from app.core import audit
from app.core.area import format_area
from app.core.db import conn, uow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.lists import Col, ListSpec, invalidate_counts
from app.core.money import fen_to_yuan, form_number, parse_decimal
from app.core.regions import DISTRICT_NAMES
from app.domains.housing.stock import access as _stock_access  # noqa: F401 - registers the stock's data scope
from app.domains.housing.stock.models import UNIT_STATES, Building, Community, Entrance, Unit, UnitHistory
from app.domains.housing.stock.rules import HISTORY_ACTIONS, change_problem, planned_change, state_label, table_payload, unit_label
from app.identity.scope import Actor, ensure_in_scope, get_scoped, scoped, scoped_values_one
from app.workflow.case_types import STATUSES
from app.workflow.models import Case
from app.core.cache import redis
from app.workflow import service

log = logging.getLogger("arh.housing")

TABLE_TTL = 600
UNIT_EPOCH = "unit"


class UnitLocked(Conflict):
    code, message = "UNIT_LOCKED", "房屋已锁定，不能配租"


class UnitNotAvailable(Conflict):
    code, message = "UNIT_NOT_AVAILABLE", "房屋当前不可配租"


def unit_values(u: Unit) -> dict[str, Any]:
    """A unit's changeable fields in API terms (areas and yuan as strings)."""
    return {"layout": u.layout, "area": format_area(u.area), "orientation": u.orientation,
            "decoration": u.decoration, "facilities": list(u.facilities or []),
            "rent_standard": fen_to_yuan(u.rent_standard_fen), "residential": u.residential, "state": u.state}


# ------------------------------------------------------------------ allocation guard (later domains)

def ensure_allocatable(unit: Unit) -> None:
    """A unit may be allocated only while it is 可配租; a locked one never."""
    if unit.state == "locked":
        raise UnitLocked()
    if unit.state != "available":
        raise UnitNotAvailable(f"房屋当前为{state_label(unit.state)}，不能配租")


async def lock_for_allocation(tx: Any, unit_id: int) -> Unit:
    """Take the unit's row lock inside the allocation's transaction and check it may be allocated;
    then change it with `set_state(tx, unit, "allocated", …)` in the same transaction."""
    u = await Unit.filter(id=unit_id).select_for_update().using_db(tx).first()
    if u is None:
        raise NotFound("房屋不存在")
    ensure_allocatable(u)
    return u


async def set_state(tx: Any, unit: Unit, state: str, *, actor: Any, action: str = "state",
                    reason: str | None = None, case_id: int | None = None, extra_before: dict | None = None,
                    extra_after: dict | None = None) -> None:
    """Change a locked-for-update unit's state with its history row, bumping row_version."""
    if state not in UNIT_STATES:
        raise ValueError(state)
    before = {"state": unit.state, **(extra_before or {})}
    unit.state = state
    unit.row_version += 1
    await unit.save(using_db=tx)
    await UnitHistory.create(unit_id=unit.id, action=action, before=before, after={"state": state, **(extra_after or {})},
                             reason=(reason or None) and reason[:255], case_id=case_id,
                             actor_id=getattr(actor, "account_id", None), actor_name=getattr(actor, "name", None),
                             using_db=tx)


async def changed() -> None:
    """After a unit write commits: list totals are counted again (the table cache keys itself)."""
    await invalidate_counts(UNIT_EPOCH)


# ------------------------------------------------------------------ lock / unlock

def _check_version(u: Unit, row_version: int | None) -> None:
    if row_version is not None and row_version != u.row_version:
        raise Conflict("房屋信息已被他人修改，请刷新后重试")


async def lock(actor: Actor, unit_id: int, reason: str, row_version: int | None = None) -> Unit:
    async with uow() as tx:
        u = await get_scoped(Unit, actor, unit_id, for_update=True, using=tx)
        _check_version(u, row_version)
        if u.state == "locked":
            raise Conflict(f"房屋已锁定（{u.lock_reason or '无原因'}）", code="UNIT_ALREADY_LOCKED")
        if u.state == "allocated":
            raise Conflict("房屋已配租，不能锁定", code="UNIT_ALLOCATED")
        if u.state != "available":
            raise Conflict(f"房屋当前为{state_label(u.state)}，只有可配租的房屋可以锁定", code="UNIT_NOT_AVAILABLE")
        u.lock_reason, u.locked_by_id, u.locked_at = reason, actor.account_id, dt.datetime.now(dt.timezone.utc)
        await set_state(tx, u, "locked", actor=actor, action="lock", reason=reason, extra_after={"lock_reason": reason})
        await ensure_in_scope(u, actor, using=tx)
        await audit.record("housing.unit.lock", "unit", u.id, using=tx, before={"state": "available"},
                           after={"state": "locked", "lock_reason": reason}, summary=f"锁定房屋 {await label_of(u, tx)}：{reason}"[:255])
    await changed()
    return u


async def unlock(actor: Actor, unit_id: int, reason: str | None = None, row_version: int | None = None) -> Unit:
    async with uow() as tx:
        u = await get_scoped(Unit, actor, unit_id, for_update=True, using=tx)
        _check_version(u, row_version)
        if u.state != "locked":
            raise Conflict(f"房屋当前为{state_label(u.state)}，未锁定", code="UNIT_NOT_LOCKED")
        old_reason = u.lock_reason
        u.lock_reason, u.locked_by_id, u.locked_at = None, None, None
        await set_state(tx, u, "available", actor=actor, action="unlock", reason=reason,
                        extra_before={"lock_reason": old_reason})
        await ensure_in_scope(u, actor, using=tx)
        await audit.record("housing.unit.unlock", "unit", u.id, using=tx,
                           before={"state": "locked", "lock_reason": old_reason}, after={"state": "available"},
                           summary=f"解锁房屋 {await label_of(u, tx)}" + (f"：{reason}" if reason else ""))
    await changed()
    return u


# ------------------------------------------------------------------ unit change (the hook applies it)

async def apply_change(tx: Any, unit: Unit, changes: dict[str, Any], actor: Any, case_id: int | None,
                       reason: str | None) -> dict:
    """Apply validated changes to a locked unit; one history row with before/after. Raises
    InvalidInput when the change is not allowed in the unit's state or changes nothing."""
    problem = change_problem(unit.state, changes)
    if problem:
        raise InvalidInput(problem, code="UNIT_CHANGE_REFUSED")
    before, after = planned_change(unit_values(unit), changes)
    if not after:
        raise InvalidInput("变更内容与房屋现有信息相同，无需变更", code="UNIT_CHANGE_REFUSED")
    for k, v in after.items():
        if k == "area":
            unit.area = Decimal(v)
        elif k == "rent_standard":
            unit.rent_standard_fen = int(Decimal(v) * 100)
        elif k == "state":
            unit.state = v
            if v == "delisted":
                unit.lock_reason, unit.locked_by_id, unit.locked_at = None, None, None
        else:
            setattr(unit, k, v)
    unit.row_version += 1
    await unit.save(using_db=tx)
    await UnitHistory.create(unit_id=unit.id, action="change", before=before, after=after,
                             reason=(reason or "")[:255] or None, case_id=case_id,
                             actor_id=getattr(actor, "account_id", None), actor_name=getattr(actor, "name", None),
                             using_db=tx)
    return after


# ------------------------------------------------------------------ reading: list, card, history

async def label_of(u: Unit, using: Any = None) -> str:
    """A unit's label (1栋2单元101) for messages and audit summaries."""
    rows = await (using or conn()).execute_query_dict(
        "SELECT b.name AS b, e.name AS e FROM building b LEFT JOIN entrance e ON e.id = $2 WHERE b.id = $1",
        [u.building_id, u.entrance_id])
    return unit_label(rows[0]["b"] if rows else None, rows[0]["e"] if rows else None, u.number)


def unit_row(u: Unit, communities: dict, buildings: dict, entrances: dict) -> dict:
    return {
        "id": u.id, "label": unit_label(buildings.get(u.building_id), entrances.get(u.entrance_id), u.number),
        "community_id": u.community_id, "community_name": communities.get(u.community_id),
        "building_id": u.building_id, "building_name": buildings.get(u.building_id),
        "entrance_id": u.entrance_id, "entrance_name": entrances.get(u.entrance_id),
        "project_id": u.project_id, "district_code": u.district_code,
        "district_name": DISTRICT_NAMES.get(u.district_code), "builder_id": u.builder_id,
        "operator_id": u.operator_id, "register_id": u.register_id, "floor": u.floor, "number": u.number,
        "layout": u.layout, "area": format_area(u.area), "inner_area": format_area(u.inner_area),
        "residential": u.residential, "orientation": u.orientation, "decoration": u.decoration,
        "facilities": list(u.facilities or []), "rent_standard": fen_to_yuan(u.rent_standard_fen),
        "state": u.state, "state_name": state_label(u.state), "lock_reason": u.lock_reason,
        "locked_at": u.locked_at.isoformat() if u.locked_at else None, "intake_case_id": u.intake_case_id,
        "row_version": u.row_version, "created_at": u.created_at.isoformat() if u.created_at else None,
        "updated_at": u.updated_at.isoformat() if u.updated_at else None}


_NAMES_SQL = """
SELECT 'c' AS k, id, name FROM community WHERE id = ANY($1::bigint[])
UNION ALL SELECT 'b', id, name FROM building WHERE id = ANY($2::bigint[])
UNION ALL SELECT 'e', id, name FROM entrance WHERE id = ANY($3::bigint[])
"""


async def units_out(rows: list[Unit]) -> list[dict]:
    """A page of units with their community, building and entrance names (one query for the names)."""
    if not rows:
        return []
    names: dict[str, dict[int, str]] = {"c": {}, "b": {}, "e": {}}
    for r in await conn().execute_query_dict(_NAMES_SQL, [
            list({u.community_id for u in rows}), list({u.building_id for u in rows}),
            list({u.entrance_id for u in rows if u.entrance_id})]):
        names[r["k"]][r["id"]] = r["name"]
    return [unit_row(u, names["c"], names["b"], names["e"]) for u in rows]


UNIT_COLS = [
    Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True, export=False),
    Col("district_code", "所属区", ops=("eq", "in"), choices=DISTRICT_NAMES),
    Col("community_id", "小区ID", kind="int", ops=("eq", "in"), export=False),
    Col("community_name", "小区", ops=()),
    Col("building_id", "楼栋ID", kind="int", ops=("eq", "in"), export=False),
    Col("building_name", "楼栋", ops=()),
    Col("entrance_id", "单元ID", kind="int", ops=("eq",), export=False),
    Col("entrance_name", "单元", ops=()),
    Col("project_id", "项目ID", kind="int", ops=("eq", "in"), export=False),
    Col("floor", "楼层", kind="int", ops=("eq", "gte", "lte"), sortable=True),
    Col("number", "房号", ops=("eq", "contains"), sortable=True),
    Col("register_id", "不动产单元号", ops=("eq", "contains")),
    Col("layout", "户型", ops=("eq", "in", "contains")),
    Col("area", "建筑面积（㎡）", ops=(), sortable=True),
    Col("inner_area", "套内面积（㎡）", ops=()),
    Col("residential", "是否住宅", kind="bool", ops=("eq",)),
    Col("orientation", "朝向", ops=("eq", "in")),
    Col("decoration", "装修", ops=("eq", "in")),
    Col("facilities", "配套设施", ops=()),
    Col("rent_standard", "租金标准（元/月）", field="rent_standard_fen", ops=(), sortable=True),
    Col("state", "状态", ops=("eq", "in"), choices=UNIT_STATES, sortable=True),
    Col("lock_reason", "锁定原因", ops=("contains",)),
    Col("intake_case_id", "入库业务件ID", kind="int", ops=("eq",), export=False),
    Col("builder_id", "建设单位ID", kind="int", ops=("eq",), export=False),
    Col("operator_id", "运营单位ID", kind="int", ops=("eq",), export=False),
    Col("created_at", "登记时间", kind="datetime", ops=("gte", "lte"), sortable=True),
]
RANGE_PARAMS = {"area__gte": ("area", "gte", "建筑面积"), "area__lte": ("area", "lte", "建筑面积"),
                "rent_standard__gte": ("rent_standard_fen", "gte", "租金标准"),
                "rent_standard__lte": ("rent_standard_fen", "lte", "租金标准")}
UNIT_LIST = ListSpec(title="保租房楼盘表", cols=UNIT_COLS, serialize=units_out, search=["number", "register_id"],
                     default_sort="-id", extra_params=set(RANGE_PARAMS), count_epoch=UNIT_EPOCH)


def with_ranges(request: Request, qs: Any) -> Any:
    """Area (㎡) and rent standard (元/月) ranges, given in the units a clerk types."""
    for key, (field, op, label) in RANGE_PARAMS.items():
        raw = request.args.get(key)
        if raw in (None, ""):
            continue
        try:
            d = parse_decimal(raw, label, positive=False, limit=Decimal("100000000"))
        except ValueError as e:
            raise InvalidInput(f"查询条件“{label}”有误：{e}", fields={key: str(e)}) from e
        value = int(d * 100) if field == "rent_standard_fen" else d
        qs = qs.filter(**{f"{field}__{op}": value})
    return qs


HISTORY_LIST = ListSpec(title="房屋变更记录", cols=[
    Col("id", "ID", kind="int", ops=("eq",), sortable=True, export=False),
    Col("action", "操作", ops=("eq", "in"), choices=HISTORY_ACTIONS),
    Col("case_id", "业务件ID", kind="int", ops=("eq",)),
    Col("actor_name", "操作人", ops=("eq", "contains")),
    Col("reason", "原因", ops=("contains",)),
    Col("before", "变更前", ops=()),
    Col("after", "变更后", ops=()),
    Col("created_at", "时间", kind="datetime", ops=("gte", "lte"), sortable=True),
], serialize=lambda rows: _history_out(rows), search=["reason", "actor_name"], default_sort="-id")


def history_row(h: UnitHistory) -> dict:
    return {"id": h.id, "unit_id": h.unit_id, "action": h.action, "action_name": HISTORY_ACTIONS.get(h.action, h.action),
            "before": h.before, "after": h.after, "reason": h.reason, "case_id": h.case_id,
            "actor_name": h.actor_name, "created_at": h.created_at.isoformat()}


async def _history_out(rows: list[UnitHistory]) -> list[dict]:
    return [history_row(h) for h in rows]


async def repair_records(unit_id: int) -> list[dict]:
    """Repair cases naming this unit (subjects.unit_id), without the applicant's personal data."""
    rows = await conn().execute_query_dict(
        'SELECT id, number, status, form, submitted_at, finished_at, created_at FROM "case" '
        "WHERE case_type = 'repair' AND (subjects @> $1::jsonb OR subjects @> $2::jsonb) ORDER BY id DESC LIMIT 100",
        [json.dumps({"unit_id": unit_id}), json.dumps({"unit_id": str(unit_id)})])
    out = []
    for r in rows:
        form = json.loads(r["form"]) if isinstance(r["form"], str) else (r["form"] or {})
        out.append({"case_id": r["id"], "number": r["number"], "status": r["status"],
                    "status_name": STATUSES.get(r["status"], r["status"]), "category": form.get("category"),
                    "location": form.get("location"), "description": form.get("description"),
                    "created_at": r["created_at"].isoformat(),
                    "submitted_at": r["submitted_at"].isoformat() if r["submitted_at"] else None,
                    "finished_at": r["finished_at"].isoformat() if r["finished_at"] else None})
    return out


async def unit_card(actor: Actor, unit_id: int) -> dict:
    u = await get_scoped(Unit, actor, unit_id)
    row = (await units_out([u]))[0]
    row["locked_by_id"] = u.locked_by_id
    row["inner_area"] = format_area(u.inner_area)
    case = await Case.filter(id=u.intake_case_id).first() if u.intake_case_id else None
    row["intake_case"] = {"id": case.id, "number": case.number, "status": case.status,
                          "status_name": STATUSES.get(case.status)} if case else None
    history = await UnitHistory.filter(unit_id=u.id).order_by("-id").limit(10)
    return {
        "unit": row,
        "tenancy": {"available": False, "note": "租赁合同管理上线后显示", "items": []},
        "rent_records": {"available": False, "note": "租金管理上线后显示", "items": []},
        "repair_records": {"available": True, "note": None, "items": await repair_records(u.id)},
        "history": [history_row(h) for h in history],
        "can_lock": actor.has("housing.unit.lock") and u.state == "available",
        "can_unlock": actor.has("housing.unit.lock") and u.state == "locked",
        "can_change": actor.has("case.case.intake") and u.state != "not_in_stock",
    }


def history_queryset(actor: Actor, unit_id: int) -> Any:
    return scoped(UnitHistory, actor).filter(unit_id=unit_id)


# ------------------------------------------------------------------ the graphic unit table

_UNITS_SQL = ("SELECT id, floor, number, entrance_id, state, layout, area, residential FROM unit "
              "WHERE building_id = $1")


@dataclass(frozen=True)
class TableBody:
    """One building's unit table at one version: the JSON and its gzip, ready to send."""
    etag: str
    json: bytes
    gzip: bytes


# A (building, version) key names immutable content, so each worker keeps the hottest tables
# and serves them without touching Redis (about 55 KB each for 33 × 12, 6 KB gzipped).
_TABLES: OrderedDict[str, TableBody] = OrderedDict()
_TABLES_MAX = 256


def _remember(key: str, body: str) -> TableBody:
    raw = body.encode()
    t = TableBody(etag='"' + key.split(":", 1)[1] + '"', json=raw, gzip=gzip.compress(raw, 6))
    _TABLES[key] = t
    if len(_TABLES) > _TABLES_MAX:
        _TABLES.popitem(last=False)
    return t


async def building_table(actor: Actor, building_id: int) -> TableBody:
    """The unit table of one building, from this worker's memory, Redis, or the database."""
    # table_version is bumped by triggers on every unit or entrance write (migration 0007).
    b = await scoped_values_one(Building, actor, building_id, "unit_table", lambda qs: qs.values(
        "id", "name", "floors", "basement_floors", "community_id", "project_id", "district_code",
        "rea_building_code", "table_version", community_name="community__name"))
    if b is None:
        raise NotFound("楼栋不存在或无权查看")
    head = {k: b[k] for k in ("id", "name", "floors", "basement_floors", "community_id", "community_name",
                              "project_id", "district_code", "rea_building_code")}
    head["district_name"] = DISTRICT_NAMES.get(b["district_code"])
    head_hash = hashlib.sha1(json.dumps(head, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]
    version = f"{b['table_version']}.{head_hash[:8]}"
    key = f"unit_table:{b['id']}:{version}"
    local = _TABLES.get(key)
    if local is not None:
        _TABLES.move_to_end(key)
        return local
    try:
        hit = await redis().get(key)
        if hit is not None:
            return _remember(key, hit)
    except Exception:  # noqa: BLE001 - without Redis, draw it from the database
        log.warning("unit table cache unavailable", exc_info=True)
    rows = await conn().execute_query_dict(_UNITS_SQL, [b["id"]])
    ents = await Entrance.filter(building_id=b["id"]).order_by("sort_order", "id").values("id", "name")
    units = [{"id": r["id"], "number": r["number"], "floor": r["floor"], "entrance_id": r["entrance_id"],
              "state": r["state"], "layout": r["layout"], "area": format_area(r["area"]),
              "residential": r["residential"]} for r in rows]
    body = json.dumps(table_payload(head, list(ents), units, version), ensure_ascii=False, separators=(",", ":"))
    try:
        await redis().set(key, body, ex=TABLE_TTL)
    except Exception:  # noqa: BLE001
        pass
    return _remember(key, body)


# ------------------------------------------------------------------ starting a unit change case

async def start_change_case(actor: Actor, unit_id: int, data: Any) -> Case:
    """房源变更申请/受理 for one unit: checked against the unit now (and again at completion)."""
    u = await get_scoped(Unit, actor, unit_id)
    changes = data.changes.given()
    problem = change_problem(u.state, changes)
    if problem:
        raise InvalidInput(problem, code="UNIT_CHANGE_REFUSED")
    before, after = planned_change(unit_values(u), changes)
    if not after:
        raise InvalidInput("变更内容与房屋现有信息相同，无需变更", code="UNIT_CHANGE_REFUSED")
    if actor.org_kind in ("BUILDER", "OPERATOR"):
        if data.applicant_org_id not in (None, actor.org_id):
            raise InvalidInput("只能以本单位名义申请", fields={"applicant_org_id": "只能是本单位"})
        applicant = actor.org_id
    else:
        applicant = data.applicant_org_id or u.builder_id or u.operator_id
        if applicant is None or applicant not in (u.builder_id, u.operator_id):
            raise InvalidInput("请选择房屋的建设单位或运营单位作为申请单位", fields={"applicant_org_id": "不是房屋的建设或运营单位"})
    c = await Community.filter(id=u.community_id).first()
    b = await Building.filter(id=u.building_id).first()
    e = await Entrance.filter(id=u.entrance_id).first() if u.entrance_id else None
    label = unit_label(b.name if b else None, e.name if e else None, u.number)
    form: dict[str, Any] = {"unit_code": f"{c.name if c else ''} {label}".strip()[:200],
                            "reason": data.reason}
    for k, v in changes.items():
        if k in ("area", "rent_standard"):
            form[k] = form_number(v)  # form-create inputNumber: a JSON number, exact (see money)
        elif k == "residential":
            form[k] = "住宅" if v else "非住宅"
        elif k == "delist":
            form[k] = "下架" if v else "恢复上架"
        else:
            form[k] = v
    return await service.create_case(
        actor, case_type_key="unit_change", channel="onsite" if actor.org_kind == "GOV" else "online",
        applicant=service.Applicant(kind="ORG", org_id=applicant), district_code=u.district_code, org_id=None,
        subjects={"unit_id": u.id, "building_id": u.building_id, "community_id": u.community_id}, form=form,
        materials=[m.model_dump(mode="json") for m in data.materials], submit=data.submit)
