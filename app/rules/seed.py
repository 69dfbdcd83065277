"""Load the example rule sets (app/rules/examples.py) once; keys that exist are left as admins made them."""
from __future__ import annotations

from app.core.context import SystemActor
from app.rules import service
from app.rules.examples import ALL
from app.rules.models import RuleSetVersion

NOTE = "默认规则：收入线、社保月数、分值等为示例值，须由主管部门按政策设定"


async def seed() -> None:
    for rs in ALL:
        if not await RuleSetVersion.filter(key=rs.name).exists():
            await service.create(SystemActor(), rs.name, rs.to_dict(), note=NOTE)
