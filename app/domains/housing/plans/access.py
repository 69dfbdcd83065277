"""Data scope of annual plans: they are the housing bureau's own. Districts see the city-wide plans
and their own; a target is seen by the district of its project."""
from __future__ import annotations

from tortoise.expressions import Q

from app.domains.housing.plans.models import AnnualPlan, PlanHousingTarget, PlanProjectTarget
from app.identity import scope

scope.register(AnnualPlan, city=lambda a: None,
               district=lambda a: Q(district_code=a.district_code) | Q(district_code__isnull=True))
for _m in (PlanProjectTarget, PlanHousingTarget):
    scope.register(_m, city=lambda a: None, district=lambda a: Q(project__district_code=a.district_code))
