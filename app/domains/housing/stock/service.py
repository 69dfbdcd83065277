"""Communities, buildings and entrances (GOV-06-01, BLD-02-01, OPS-04-01).

District, builder and operator are copied from a community's project down to its buildings and
units, so each list filters on its own table and the data scope holds at every level. Writes load
their row with `get_scoped(..., for_update=True)` and prove with `ensure_in_scope()` that the row
is still the caller's afterwards, so nothing can be moved out of (or into) another org's scope.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from tortoise.functions import Count

from app.core import audit
from app.core.db import uow
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.lists import invalidate_counts
from app.core.regions import DISTRICT_NAMES
from app.domains.housing.projects.models import Project, ProjectBuilding
from app.domains.housing.stock import access as _stock_access  # noqa: F401 - registers the stock's data scope
from app.domains.housing.stock.models import UNIT_STATES, Building, Community, Entrance, Unit
from app.domains.housing.stock.schemas import (
    BuildingIn, BuildingUpdate, CommunityIn, CommunityUpdate, EntranceIn, EntranceUpdate,
)
from app.identity.models import Org
from app.identity.scope import Actor, ensure_in_scope, get_scoped, scoped

COMMUNITY_AUDIT = ("name", "district_code", "address", "project_id", "builder_id", "operator_id", "lng_bd09",
                   "lat_bd09", "description")
BUILDING_AUDIT = ("name", "community_id", "project_building_id", "project_id", "floors", "basement_floors",
                  "rea_building_code")


def _iso(v: Any) -> str | None:
    return v.isoformat() if v is not None else None


def _dec(v: Any) -> str | None:
    return None if v is None else str(v)


async def org_names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(await Org.filter(id__in=ids).values_list("id", "name")) if ids else {}


async def project_names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(await Project.filter(id__in=ids).values_list("id", "name")) if ids else {}


async def state_counts(column: str, ids: list[int], using: Any = None) -> dict[int, dict[str, int]]:
    """Units per state for each community / building / entrance id, in one grouped query."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return out
    qs = Unit.filter(**{f"{column}__in": ids}).group_by(column, "state").annotate(n=Count("id")) \
        .values(column, "state", "n")
    for r in await (qs.using_db(using) if using else qs):
        out[r[column]][r["state"]] = r["n"]
    return out


def _counts_out(counts: dict[str, int]) -> dict:
    return {"unit_count": sum(counts.values()), "counts": {s: counts[s] for s in UNIT_STATES if s in counts}}


# ------------------------------------------------------------------ serialisers

async def communities_out(rows: list[Community]) -> list[dict]:
    ids = [c.id for c in rows]
    counts = await state_counts("community_id", ids)
    bcount = dict(await Building.filter(community_id__in=ids).group_by("community_id")
                  .annotate(n=Count("id")).values_list("community_id", "n")) if ids else {}
    orgs = await org_names({c.builder_id for c in rows} | {c.operator_id for c in rows})
    projects = await project_names({c.project_id for c in rows})
    return [{
        "id": c.id, "name": c.name, "district_code": c.district_code,
        "district_name": DISTRICT_NAMES.get(c.district_code), "address": c.address,
        "project_id": c.project_id, "project_name": projects.get(c.project_id),
        "builder_id": c.builder_id, "builder_name": orgs.get(c.builder_id),
        "operator_id": c.operator_id, "operator_name": orgs.get(c.operator_id),
        "lng_bd09": _dec(c.lng_bd09), "lat_bd09": _dec(c.lat_bd09), "description": c.description,
        "building_count": bcount.get(c.id, 0), **_counts_out(counts.get(c.id, {})),
        "available_count": counts.get(c.id, {}).get("available", 0),
        "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at)} for c in rows]


async def buildings_out(rows: list[Building]) -> list[dict]:
    ids = [b.id for b in rows]
    counts = await state_counts("building_id", ids)
    cnames = dict(await Community.filter(id__in={b.community_id for b in rows}).values_list("id", "name")) \
        if rows else {}
    return [{
        "id": b.id, "name": b.name, "community_id": b.community_id, "community_name": cnames.get(b.community_id),
        "project_id": b.project_id, "project_building_id": b.project_building_id,
        "district_code": b.district_code, "district_name": DISTRICT_NAMES.get(b.district_code),
        "builder_id": b.builder_id, "operator_id": b.operator_id, "floors": b.floors,
        "basement_floors": b.basement_floors, "rea_building_code": b.rea_building_code,
        **_counts_out(counts.get(b.id, {})), "created_at": _iso(b.created_at)} for b in rows]


def _snap(obj: Any, names: tuple[str, ...]) -> dict:
    return audit.snapshot(obj, list(names))


# ------------------------------------------------------------------ rules for the org columns

async def _org_of_kind(org_id: int | None, kind: str, field: str, using: Any) -> int | None:
    if org_id is None:
        return None
    if not await Org.filter(id=org_id, kind=kind, enabled=True).using_db(using).exists():
        label = "建设单位" if kind == "BUILDER" else "运营单位"
        raise InvalidInput(f"{label}不存在或已停用", fields={field: f"{label}不存在"})
    return org_id


async def scoped_project(actor: Actor, project_id: int, using: Any, field: str = "project_id") -> Project:
    p = await scoped(Project, actor).filter(id=project_id).using_db(using).first()
    if p is None:
        raise InvalidInput("项目不存在或无权使用", fields={field: "项目不存在或无权使用"})
    if p.state == "exited":
        raise InvalidInput(f"项目“{p.name}”已退出保租房，不能再关联小区", fields={field: "项目已退出"})
    return p


def _orgs_for_actor(actor: Actor, builder_id: int | None, operator_id: int | None) -> tuple[int | None, int | None]:
    """Builders and operators keep their own org on what they create; only gov names other orgs."""
    if actor.org_kind == "BUILDER":
        if builder_id not in (None, actor.org_id):
            raise Forbidden("只能登记本单位建设的小区")
        return actor.org_id, operator_id
    if actor.org_kind == "OPERATOR":
        if operator_id not in (None, actor.org_id):
            raise Forbidden("只能登记本单位运营的小区")
        return builder_id, actor.org_id
    return builder_id, operator_id


async def copy_down(tx: Any, community: Community) -> None:
    """The community's scope columns onto its buildings and units (one statement each)."""
    cols = {"district_code": community.district_code, "builder_id": community.builder_id,
            "operator_id": community.operator_id, "project_id": community.project_id}
    await Building.filter(community_id=community.id).using_db(tx).update(**cols)
    await Unit.filter(community_id=community.id).using_db(tx).update(**cols)


async def propagate_project(tx: Any, project_id: int) -> int:
    """For the projects service: after a project's district, builder or operator changed, copy them
    onto its communities, buildings and units in the caller's transaction. Returns the communities."""
    p = await Project.filter(id=project_id).using_db(tx).first()
    if p is None:
        return 0
    cols = {"district_code": p.district_code, "builder_id": p.builder_id, "operator_id": p.operator_id}
    n = await Community.filter(project_id=p.id).using_db(tx).update(**cols)
    ids = await Community.filter(project_id=p.id).using_db(tx).values_list("id", flat=True)
    if ids:
        await Building.filter(community_id__in=ids).using_db(tx).update(**cols, project_id=p.id)
        await Unit.filter(community_id__in=ids).using_db(tx).update(**cols, project_id=p.id)
    await invalidate_counts("unit")
    return n


# ------------------------------------------------------------------ communities

async def create_community(actor: Actor, data: CommunityIn) -> Community:
    async with uow() as tx:
        builder_id, operator_id = _orgs_for_actor(actor, data.builder_id, data.operator_id)
        district = data.district_code
        project_id = None
        if data.project_id is not None:
            p = await scoped_project(actor, data.project_id, tx)
            if district not in (None, "", p.district_code):
                raise InvalidInput("小区所属区应与关联项目一致", fields={"district_code": "与项目所属区不一致"})
            district, builder_id, operator_id, project_id = p.district_code, p.builder_id, p.operator_id, p.id
        else:
            builder_id = await _org_of_kind(builder_id, "BUILDER", "builder_id", tx)
            operator_id = await _org_of_kind(operator_id, "OPERATOR", "operator_id", tx)
        if district not in DISTRICT_NAMES:
            raise InvalidInput("请选择小区所属区（市）", fields={"district_code": "区划代码有误"})
        if await scoped(Community, actor).filter(name=data.name, district_code=district).using_db(tx).exists():
            raise Conflict(f"本区已有名为“{data.name}”的小区", code="COMMUNITY_EXISTS", fields={"name": "名称重复"})
        c = await Community.create(name=data.name, address=data.address, district_code=district,
                                   project_id=project_id, builder_id=builder_id, operator_id=operator_id,
                                   lng_bd09=data.lng_bd09, lat_bd09=data.lat_bd09, description=data.description,
                                   using_db=tx)
        await ensure_in_scope(c, actor, using=tx)
        await audit.record("housing.community.create", "community", c.id, using=tx, only_changes=False,
                           after=_snap(c, COMMUNITY_AUDIT), summary=f"新增小区 {c.name}")
    return c


async def update_community(actor: Actor, community_id: int, data: CommunityUpdate) -> Community:
    given = data.model_dump(exclude_unset=True)
    async with uow() as tx:
        c = await get_scoped(Community, actor, community_id, for_update=True, using=tx)
        before = _snap(c, COMMUNITY_AUDIT)
        for k in ("name", "address", "lng_bd09", "lat_bd09", "description"):
            if k in given and (given[k] is not None or k in ("lng_bd09", "lat_bd09", "description")):
                setattr(c, k, given[k])
        if given.get("unlink_project"):
            c.project_id = None
        if given.get("project_id") is not None:
            p = await scoped_project(actor, given["project_id"], tx)
            c.project_id = p.id
        if c.project_id is not None:
            p = await Project.get(id=c.project_id).using_db(tx)
            for k in ("district_code", "builder_id", "operator_id"):
                if given.get(k) is not None and given[k] != getattr(p, k):
                    raise InvalidInput("已关联项目的小区，其所属区、建设单位、运营单位随项目，不能单独修改",
                                       fields={k: "随项目"})
            c.district_code, c.builder_id, c.operator_id = p.district_code, p.builder_id, p.operator_id
        else:
            if given.get("district_code") is not None:
                if given["district_code"] not in DISTRICT_NAMES:
                    raise InvalidInput("请选择小区所属区（市）", fields={"district_code": "区划代码有误"})
                c.district_code = given["district_code"]
            b, o = _orgs_for_actor(actor, given.get("builder_id", c.builder_id), given.get("operator_id", c.operator_id))
            if "builder_id" in given or actor.org_kind == "BUILDER":
                c.builder_id = await _org_of_kind(b, "BUILDER", "builder_id", tx)
            if "operator_id" in given or actor.org_kind == "OPERATOR":
                c.operator_id = await _org_of_kind(o, "OPERATOR", "operator_id", tx)
        if c.name != before["name"] and await Community.filter(name=c.name, district_code=c.district_code) \
                .exclude(id=c.id).using_db(tx).exists():
            raise Conflict(f"本区已有名为“{c.name}”的小区", code="COMMUNITY_EXISTS", fields={"name": "名称重复"})
        await c.save(using_db=tx)
        await ensure_in_scope(c, actor, using=tx)
        after = _snap(c, COMMUNITY_AUDIT)
        moved = any(before[k] != after[k] for k in ("district_code", "builder_id", "operator_id", "project_id"))
        if moved:
            await copy_down(tx, c)
        await audit.record("housing.community.update", "community", c.id, using=tx, before=before, after=after,
                           summary=f"修改小区 {c.name}")
    if moved:
        await invalidate_counts("unit")
    return c


async def delete_community(actor: Actor, community_id: int) -> None:
    async with uow() as tx:
        c = await get_scoped(Community, actor, community_id, for_update=True, using=tx)
        n = await Unit.filter(community_id=c.id).using_db(tx).count()
        if n:
            raise Conflict(f"小区“{c.name}”下还有{n}套房屋，不能删除；请先移出或删除房屋",
                           code="COMMUNITY_HAS_UNITS")
        buildings = await Building.filter(community_id=c.id).using_db(tx).values_list("name", flat=True)
        await Building.filter(community_id=c.id).using_db(tx).delete()
        await c.delete(using_db=tx)
        await audit.record("housing.community.delete", "community", c.id, using=tx,
                           before=_snap(c, COMMUNITY_AUDIT) | {"buildings": list(buildings)},
                           summary=f"删除小区 {c.name}")


async def community_detail(actor: Actor, community_id: int) -> dict:
    c = await get_scoped(Community, actor, community_id)
    out = (await communities_out([c]))[0]
    rows = await scoped(Building, actor).filter(community_id=c.id).order_by("name", "id")
    out["buildings"] = await buildings_out(rows)
    pbs = await ProjectBuilding.filter(project_id=c.project_id).order_by("name") if c.project_id else []
    out["project_buildings"] = [{"id": p.id, "name": p.name, "floors": p.floors, "planned_units": p.planned_units,
                                 "construction_state": p.construction_state,
                                 "rea_building_code": p.rea_building_code} for p in pbs]
    return out


# ------------------------------------------------------------------ buildings

async def _project_building(tx: Any, community: Community, pb_id: int | None) -> int | None:
    if pb_id is None:
        return None
    pb = await ProjectBuilding.filter(id=pb_id).using_db(tx).first()
    if pb is None or community.project_id is None or pb.project_id != community.project_id:
        raise InvalidInput("关联的项目楼栋不属于该小区的项目", fields={"project_building_id": "不属于该小区的项目"})
    return pb.id


def building_cols(c: Community) -> dict:
    return {"community_id": c.id, "district_code": c.district_code, "builder_id": c.builder_id,
            "operator_id": c.operator_id, "project_id": c.project_id}


async def create_building(actor: Actor, community_id: int, data: BuildingIn) -> Building:
    async with uow() as tx:
        c = await get_scoped(Community, actor, community_id, for_update=True, using=tx)
        if await Building.filter(community_id=c.id, name=data.name).using_db(tx).exists():
            raise Conflict(f"小区内已有楼栋“{data.name}”", code="BUILDING_EXISTS", fields={"name": "名称重复"})
        names = list(dict.fromkeys(data.entrances))
        b = await Building.create(name=data.name, floors=data.floors, basement_floors=data.basement_floors,
                                  project_building_id=await _project_building(tx, c, data.project_building_id),
                                  rea_building_code=data.rea_building_code, using_db=tx, **building_cols(c))
        for i, n in enumerate(names):
            await Entrance.create(building_id=b.id, name=n, sort_order=i + 1, using_db=tx)
        await ensure_in_scope(b, actor, using=tx)
        await audit.record("housing.building.create", "building", b.id, using=tx, only_changes=False,
                           after=_snap(b, BUILDING_AUDIT) | {"entrances": names},
                           summary=f"新增楼栋 {c.name} {b.name}")
    return b


async def update_building(actor: Actor, building_id: int, data: BuildingUpdate) -> Building:
    given = data.model_dump(exclude_unset=True)
    async with uow() as tx:
        b = await get_scoped(Building, actor, building_id, for_update=True, using=tx)
        c = await Community.get(id=b.community_id).using_db(tx)
        before = _snap(b, BUILDING_AUDIT)
        if given.get("name") and given["name"] != b.name:
            if await Building.filter(community_id=c.id, name=given["name"]).using_db(tx).exists():
                raise Conflict(f"小区内已有楼栋“{given['name']}”", code="BUILDING_EXISTS", fields={"name": "名称重复"})
            b.name = given["name"]
        highest = await Unit.filter(building_id=b.id).using_db(tx).order_by("-floor").limit(1) \
            .values_list("floor", flat=True)
        top = highest[0] if highest else None
        if given.get("floors") is not None:
            if top and given["floors"] < top:
                raise InvalidInput(f"楼栋已有房屋在{top}层，层数不能少于{top}", fields={"floors": f"不能少于{top}"})
            b.floors = given["floors"]
        if given.get("basement_floors") is not None:
            low = await Unit.filter(building_id=b.id, floor__lt=0).using_db(tx).order_by("floor") \
                .values_list("floor", flat=True)
            if low and -low[0] > given["basement_floors"]:
                raise InvalidInput(f"楼栋已有房屋在地下{-low[0]}层", fields={"basement_floors": f"不能少于{-low[0]}"})
            b.basement_floors = given["basement_floors"]
        if given.get("unlink_project_building"):
            b.project_building_id = None
        if given.get("project_building_id") is not None:
            b.project_building_id = await _project_building(tx, c, given["project_building_id"])
        await b.save(using_db=tx)
        await ensure_in_scope(b, actor, using=tx)
        await audit.record("housing.building.update", "building", b.id, using=tx, before=before,
                           after=_snap(b, BUILDING_AUDIT), summary=f"修改楼栋 {c.name} {b.name}")
    return b


async def delete_building(actor: Actor, building_id: int) -> None:
    async with uow() as tx:
        b = await get_scoped(Building, actor, building_id, for_update=True, using=tx)
        n = await Unit.filter(building_id=b.id).using_db(tx).count()
        if n:
            raise Conflict(f"楼栋“{b.name}”下还有{n}套房屋，不能删除；请先移出或删除房屋", code="BUILDING_HAS_UNITS")
        await b.delete(using_db=tx)
        await audit.record("housing.building.delete", "building", b.id, using=tx, before=_snap(b, BUILDING_AUDIT),
                           summary=f"删除楼栋 {b.name}")


async def building_detail(actor: Actor, building_id: int) -> dict:
    b = await get_scoped(Building, actor, building_id)
    out = (await buildings_out([b]))[0]
    ents = await Entrance.filter(building_id=b.id).order_by("sort_order", "id")
    ecounts = await state_counts("entrance_id", [e.id for e in ents])
    out["entrances"] = [{"id": e.id, "name": e.name, "sort_order": e.sort_order, **_counts_out(ecounts.get(e.id, {}))}
                        for e in ents]
    per_floor: dict[int, dict[str, int]] = defaultdict(dict)
    for r in await Unit.filter(building_id=b.id).group_by("floor", "state").annotate(n=Count("id")) \
            .values("floor", "state", "n"):
        per_floor[r["floor"]][r["state"]] = r["n"]
    top = max([b.floors, *per_floor.keys()]) if per_floor else b.floors
    low = min([-b.basement_floors, *per_floor.keys()]) if per_floor else -b.basement_floors
    floors = [f for f in range(top, 0, -1)] + [f for f in range(-1, low - 1, -1)]
    out["floors"] = [{"floor": f, "total": sum(per_floor.get(f, {}).values()),
                      "counts": per_floor.get(f, {})} for f in floors]
    out["table_url"] = f"/api/v1/housing/buildings/{b.id}/table"
    return out


# ------------------------------------------------------------------ entrances

async def create_entrance(actor: Actor, building_id: int, data: EntranceIn) -> Entrance:
    async with uow() as tx:
        b = await get_scoped(Building, actor, building_id, for_update=True, using=tx)
        if await Entrance.filter(building_id=b.id, name=data.name).using_db(tx).exists():
            raise Conflict(f"楼栋内已有“{data.name}”", code="ENTRANCE_EXISTS", fields={"name": "名称重复"})
        e = await Entrance.create(building_id=b.id, name=data.name, sort_order=data.sort_order, using_db=tx)
        await audit.record("housing.entrance.create", "entrance", e.id, using=tx, only_changes=False,
                           after={"building_id": b.id, "name": e.name, "sort_order": e.sort_order},
                           summary=f"新增单元 {b.name}{e.name}")
    return e


async def _scoped_entrance(actor: Actor, entrance_id: int, tx: Any) -> Entrance:
    e = await scoped(Entrance, actor).filter(id=entrance_id).select_for_update().using_db(tx).first()
    if e is None:
        raise NotFound()
    return e


async def update_entrance(actor: Actor, entrance_id: int, data: EntranceUpdate) -> Entrance:
    async with uow() as tx:
        e = await _scoped_entrance(actor, entrance_id, tx)
        before = {"name": e.name, "sort_order": e.sort_order}
        if data.name and data.name != e.name:
            if await Entrance.filter(building_id=e.building_id, name=data.name).using_db(tx).exists():
                raise Conflict(f"楼栋内已有“{data.name}”", code="ENTRANCE_EXISTS", fields={"name": "名称重复"})
            e.name = data.name
        if data.sort_order is not None:
            e.sort_order = data.sort_order
        await e.save(using_db=tx)
        await audit.record("housing.entrance.update", "entrance", e.id, using=tx, before=before,
                           after={"name": e.name, "sort_order": e.sort_order}, summary=f"修改单元 {e.name}")
    return e


async def delete_entrance(actor: Actor, entrance_id: int) -> None:
    async with uow() as tx:
        e = await _scoped_entrance(actor, entrance_id, tx)
        n = await Unit.filter(entrance_id=e.id).using_db(tx).count()
        if n:
            raise Conflict(f"“{e.name}”下还有{n}套房屋，不能删除", code="ENTRANCE_HAS_UNITS")
        await e.delete(using_db=tx)
        await audit.record("housing.entrance.delete", "entrance", e.id, using=tx,
                           before={"building_id": e.building_id, "name": e.name}, summary=f"删除单元 {e.name}")


# ------------------------------------------------------------------ what a project shows of its stock

async def project_stock(p: Project) -> dict:
    """The stock part of a project's page: counts by state and its communities."""
    by_state = dict(await Unit.filter(project_id=p.id).annotate(n=Count("id")).group_by("state")
                    .values_list("state", "n"))
    communities = await Community.filter(project_id=p.id).order_by("id").limit(200)
    per_comm = dict(await Unit.filter(community_id__in=[c.id for c in communities]).annotate(n=Count("id"))
                    .group_by("community_id").values_list("community_id", "n")) if communities else {}
    return {"communities": await Community.filter(project_id=p.id).count(),
            "buildings": await Building.filter(project_id=p.id).count(),
            "units": sum(by_state.values()),
            "units_by_state": {k: by_state.get(k, 0) for k in UNIT_STATES},
            "community_list": [{"id": c.id, "name": c.name, "address": c.address, "units": per_comm.get(c.id, 0)}
                               for c in communities]}


async def refuse_exit_while_allocated(p: Project, tx: Any) -> None:
    allocated = await Unit.filter(project_id=p.id, state="allocated").using_db(tx).count()
    if allocated:
        raise InvalidInput(f"项目还有{allocated}套已配租的房屋，不能退出")


async def move_operator(p: Project, tx: Any) -> dict[str, int]:
    """The scope columns are copied down the hierarchy: the operator's service scope moves with them."""
    return {m.__name__: await m.filter(project_id=p.id).using_db(tx).update(operator_id=p.operator_id)
            for m in (Community, Building, Unit)}


async def available_units(ids: list[int]) -> dict[int, int]:
    return dict(await Unit.filter(project_id__in=ids, state="available").annotate(n=Count("id"))
                .group_by("project_id").values_list("project_id", "n"))


async def public_communities(p: Project) -> list[dict]:
    communities = await Community.filter(project_id=p.id).order_by("id").limit(200)
    avail = dict(await Unit.filter(community_id__in=[c.id for c in communities], state="available")
                 .annotate(n=Count("id")).group_by("community_id").values_list("community_id", "n")) \
        if communities else {}
    return [{"name": c.name, "address": c.address, "available_units": avail.get(c.id, 0)} for c in communities]
