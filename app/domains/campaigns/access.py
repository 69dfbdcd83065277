"""Data scope of campaigns (app.identity.scope): the city sees all; a district sees its own
district's campaigns and the city-wide ones. Builders, operators and persons see none."""
from __future__ import annotations

from tortoise.expressions import Q

from app.domains.campaigns.models import Campaign
from app.identity import scope

scope.register(Campaign, city=lambda a: None,
               district=lambda a: Q(district_code=a.district_code) | Q(district_code__isnull=True))
