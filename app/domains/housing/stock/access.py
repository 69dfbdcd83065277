"""Data scope of the housing stock: the project rule (housing.projects.access) on each row's own
scope columns, copied down from its project; entrances, rooms and history through their parent."""
from __future__ import annotations

from app.domains.housing.projects.access import scope_like_projects
from app.domains.housing.stock.models import Building, Community, Entrance, Room, Unit, UnitHistory

for _m in (Community, Building, Unit):
    scope_like_projects(_m)
scope_like_projects(Entrance, "building__")
scope_like_projects(Room, "unit__")
scope_like_projects(UnitHistory, "unit__")
