"""A district's own rule set decides its projects: the qualification alert job on real PG.

蓬江区 sets its own 项目资格期与到期预警 (warn 200 days ahead instead of the city's 90): its project
150 days from expiry is alerted, with the alert recording whose rule set and which version
applied; a 江海区 project in the same position is not (the city's rule). Disabling the district's
rule set hands 蓬江 back to the city's rule, and the next run closes the alert.
"""
from __future__ import annotations

import copy
import datetime as dt
import secrets

import pytest

from app.core.context import SystemActor
from app.core.errors import Conflict
from app.domains.housing.projects import alerts
from app.domains.housing.projects import seed as seed_projects
from app.domains.housing.projects.models import Project, QualificationAlert
from app.identity.models import Org
from app.rules import service as rules

TODAY = dt.date(2031, 3, 1)


@pytest.mark.feature("GOV-12-02", "SYS-01", "GOV-19-01")
async def test_a_district_rule_set_overrides_the_citys_for_that_districts_projects():
    builder = await Org.filter(kind="BUILDER").order_by("id").first()
    tag = secrets.token_hex(3)
    made = {}
    for district in ("440703", "440704"):
        made[district] = await Project.create(
            code=f"XMBH-DR-{district}-{tag}", name=f"分区规则测试{district}{tag}", district_code=district,
            address="江门", builder_id=builder.id, supply_mode="new_build", state="recognized",
            qualification_to=TODAY + dt.timedelta(days=150))
    city = await rules.latest(alerts.RULE_KEY)
    mine = copy.deepcopy(city.definition)
    for r in mine["rules"]:
        if r["code"] == "alert_days_before":
            r["expression"] = "200"
    # An earlier test (the rules page e2e) may have made 蓬江's own version already: then this is its next one.
    try:
        row = await rules.create(SystemActor(), alerts.RULE_KEY, mine, note="蓬江区提前200天预警", district_code="440703")
    except Conflict:
        row = await rules.save(SystemActor(), alerts.RULE_KEY, mine, note="蓬江区提前200天预警", district_code="440703")
        if not row.enabled:
            row = await rules.set_enabled(SystemActor(), alerts.RULE_KEY, True, district_code="440703")
    try:
        assert (await alerts.qualification_rule("new_build", "440703")).days_before == 200
        assert (await alerts.qualification_rule("new_build", "440704")).days_before == 90
        await alerts.run(today=TODAY)
        [alert] = await QualificationAlert.filter(project_id=made["440703"].id)
        assert (alert.kind, alert.days_left, alert.status) == ("expiring", 150, "open")
        assert (alert.rule_district_code, alert.rule_version) == ("440703", row.version)
        assert not await QualificationAlert.filter(project_id=made["440704"].id).exists()
    finally:
        await rules.set_enabled(SystemActor(), alerts.RULE_KEY, False, district_code="440703")
    # 蓬江's own rule set is off: the city's decides again, and the alert no longer applies
    assert (await alerts.qualification_rule("new_build", "440703")).district_code is None
    await alerts.run(today=TODAY)
    assert await QualificationAlert.filter(project_id=made["440703"].id).values_list("status", flat=True) == ["closed"]


@pytest.mark.feature("SYS-01", "GOV-12-02")
async def test_the_seed_turns_an_older_typed_supply_mode_into_a_pick_list_once():
    old = copy.deepcopy((await rules.latest(alerts.RULE_KEY)).definition)
    for i in old["inputs"]:
        if i["name"] == "supply_mode":
            i.pop("options", None)
            i["title"] = "供应方式代码（new_build 新建 …）"
    typed = await rules.save(SystemActor(), alerts.RULE_KEY, old, note="旧版：供应方式手填代码")
    await seed_projects.seed()
    now = await rules.latest(alerts.RULE_KEY)
    assert now.version == typed.version + 1 and now.note == "供应方式改为从中文名称中选择"
    [mode] = [i for i in now.definition["inputs"] if i["name"] == "supply_mode"]
    assert mode["title"] == "供应方式" and mode["options"][0] == {"value": "new_build", "label": "新建"}
    assert now.definition["rules"] == old["rules"]  # the bureau's numbers are kept
    await seed_projects.seed()  # once only
    assert (await rules.latest(alerts.RULE_KEY)).version == now.version
