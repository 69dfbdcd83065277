"""Data scope of the housing register (reads and writes, app.identity.scope).

Gov: the city sees all, a district its district. A builder sees what it builds (builder_id),
an operator what it serves (operator_id). Persons see none of it through the staff API.
"""
from __future__ import annotations

from tortoise.expressions import Q

from app.domains.housing.models import (
    AnnualPlan, Building, Community, Entrance, PlanHousingTarget, PlanProjectTarget, Project, ProjectBuilding,
    ProjectFile, ProjectProgress, QualificationAlert, Room, Unit, UnitHistory,
)
from app.identity import scope
from app.identity.scope import Actor


def _org(prefix: str = ""):  # noqa: ANN202
    def rule(a: Actor) -> Q:
        if a.org_kind == "BUILDER":
            return Q(**{f"{prefix}builder_id": a.org_id})
        if a.org_kind == "OPERATOR":
            return Q(**{f"{prefix}operator_id": a.org_id})
        return Q(id=-1)
    return rule


def _district(prefix: str = ""):  # noqa: ANN202
    return lambda a: Q(**{f"{prefix}district_code": a.district_code})


def _register(model, prefix: str = "") -> None:  # noqa: ANN001
    scope.register(model, city=lambda a: None, district=_district(prefix), org=_org(prefix))


for _m in (Project, Community, Building, Unit, QualificationAlert):
    _register(_m)
for _m in (ProjectBuilding, ProjectFile, ProjectProgress):
    _register(_m, "project__")
_register(Entrance, "building__")
_register(Room, "unit__")
_register(UnitHistory, "unit__")

# Plans are the housing bureau's own: districts see the city-wide plans and their own.
scope.register(AnnualPlan, city=lambda a: None,
               district=lambda a: Q(district_code=a.district_code) | Q(district_code__isnull=True))
for _m in (PlanProjectTarget, PlanHousingTarget):
    scope.register(_m, city=lambda a: None, district=lambda a: Q(project__district_code=a.district_code))
