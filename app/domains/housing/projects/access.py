"""Data scope of housing projects (reads and writes, app.identity.scope).

Gov: the city sees all, a district its district. A builder sees what it builds (builder_id),
an operator what it serves (operator_id). Persons see none of it through the staff API.
The stock (housing.stock.access) registers its rows with the same rule, through scope_like_projects.
"""
from __future__ import annotations

from tortoise.expressions import Q

from app.domains.housing.projects.models import Project, ProjectBuilding, ProjectFile, ProjectProgress, QualificationAlert
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


def scope_like_projects(model, prefix: str = "") -> None:  # noqa: ANN001
    """Register `model` with the project rule on its own scope columns, or on those reached by `prefix`."""
    scope.register(model, city=lambda a: None, district=_district(prefix), org=_org(prefix))


for _m in (Project, QualificationAlert):
    scope_like_projects(_m)
for _m in (ProjectBuilding, ProjectFile, ProjectProgress):
    scope_like_projects(_m, "project__")
