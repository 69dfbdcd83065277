"""Project case completion in-process on the real database: the qualification rule set decides the
period, a disabled rule set stops the approval, exit closes alerts and unpublishes, and the demo seed
makes its projects through the same path once."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest

from app.core.context import SystemActor
from app.core.models import AuditLog
from app.documents.models import IssuedDocument
from app.domains.housing.plans import seed as seed_plans
from app.domains.housing.projects import alerts
from app.domains.housing.projects import hooks as _project_hooks  # noqa: F401 - registers the completion hooks
from app.domains.housing.projects import seed as seed_projects
from app.domains.housing.stock import hooks as _stock_hooks  # noqa: F401 - an exit checks the stock
from app.domains.housing.projects import service as projects
from app.domains.housing.projects import schemas as S
from app.domains.housing.plans.models import AnnualPlan, PlanProjectTarget
from app.domains.housing.projects.models import Project, ProjectProgress, QualificationAlert
from app.identity.guard import build_actor
from app.identity.models import Account
from app.identity.scope import Actor
from app.rules import service as rules
from app.workflow import access as _case_access  # noqa: F401 - case data scope
from app.workflow import service
from app.workflow.models import Case, WorkItem
from app.core import coords
from tests.integration.documents import support

pytestmark = pytest.mark.feature("GOV-05-03", "GOV-12-02", "BLD-01-03")


@pytest.fixture(scope="module", autouse=True)
def seal_ca():
    return support.make_ca()


async def actor(login: str) -> Actor:
    return Actor(**await build_actor((await Account.get(login_name=login)).id))


async def declare(mode: str = "新建", **form) -> Case:
    builder = await actor("builder_admin")
    lng, lat = coords.wgs84_to_bd09(113.0748, 22.5812)
    return await service.create_case(
        builder, case_type_key="project_declaration", channel="online",
        applicant=service.Applicant(kind="ORG", org_id=builder.org_id), district_code="440703", org_id=None,
        subjects=None, materials=[], submit=True,
        form={"project_name": f"规则项目{secrets.token_hex(3)}", "address": "江门市蓬江区", "supply_mode": mode,
              "building_area": 1000, "planned_units": 10, "investment": 100, "lng": round(lng, 6),
              "lat": round(lat, 6), "buildings": "1栋:5:10"} | form)


async def approve(case: Case, steps=(("first_review", "gov_clerk"), ("second_review", "pj_supervisor"),
                                      ("approval", "gov_admin"))) -> Case:
    # Approve the named steps in order; a step an earlier test may have added to the deployed
    # process (the designer e2e inserts a review) is approved on the way by the second city approver,
    # who handles no named step (separation of duties).
    for step, login in steps:
        for _ in range(5):
            item = await WorkItem.filter(case_id=case.id, status="open").order_by("id").first()
            if item is None or item.step_id == step:
                break
            case = await service.act(await actor("gov_director"), item.id, "approve", "同意")
        item = await WorkItem.get(case_id=case.id, step_id=step, status="open")
        case = await service.act(await actor(login), item.id, "approve", "同意")
    return case


async def test_the_rule_set_decides_the_qualification_period():
    row = await rules.latest(alerts.RULE_KEY)
    definition = {k: v for k, v in row.definition.items() if k not in ("name", "version")}
    changed = {**definition, "rules": [
        {**r, "expression": "supply_mode == 'idle' ? 8 : 5"} if r["code"] == "qualification_years" else r
        for r in definition["rules"]]}
    saved = await rules.save(SystemActor(), alerts.RULE_KEY, changed, note="闲置房源盘活8年")
    try:
        case = await approve(await declare("闲置房源盘活"))
        p = await Project.get(declaration_case_id=case.id)
        today = projects.cn_today()
        assert (p.supply_mode, p.qualification_from) == ("idle", today)
        assert p.qualification_to == alerts.add_years(today, 8) - dt.timedelta(days=1)
        entry = await AuditLog.get(action="project.recognize", object_id=str(p.id))
        assert entry.after["rule_version"] == saved.version
        other = await Project.get(declaration_case_id=(await approve(await declare("新建"))).id)
        assert other.qualification_to == alerts.add_years(today, 5) - dt.timedelta(days=1)
    finally:
        await rules.save(SystemActor(), alerts.RULE_KEY, definition, note="恢复默认")


async def test_a_disabled_rule_set_stops_the_approval_and_writes_nothing():
    case = await declare()
    case = await approve(case, steps=(("first_review", "gov_clerk"), ("second_review", "pj_supervisor")))
    item = await WorkItem.get(case_id=case.id, step_id="approval", status="open")
    n_projects, n_docs = await Project.all().count(), await IssuedDocument.all().count()
    await rules.set_enabled(SystemActor(), alerts.RULE_KEY, False)
    try:
        with pytest.raises(service.HookFailed) as e:
            await service.act(await actor("gov_admin"), item.id, "approve", "同意")
        assert "已停用" in e.value.message and e.value.message.startswith("办结处理失败")
        # The daily job skips rather than guessing.
        result = await alerts.run()
        assert result["skipped"] and "已停用" in result["message"]
    finally:
        await rules.set_enabled(SystemActor(), alerts.RULE_KEY, True)
    assert (await Case.get(id=case.id)).status == "in_review"
    assert (await WorkItem.get(id=item.id)).status == "open"
    assert await Project.all().count() == n_projects and await IssuedDocument.all().count() == n_docs
    case = await service.act(await actor("gov_admin"), item.id, "approve", "同意")
    assert case.status == "complete" and await Project.filter(declaration_case_id=case.id).exists()


async def test_exit_closes_alerts_and_takes_the_project_off_the_public_site():
    p = await Project.get(declaration_case_id=(await approve(await declare())).id)
    admin = await actor("gov_admin")
    await projects.set_published(admin, p.id, True)
    today = projects.cn_today()
    p.qualification_to = today + dt.timedelta(days=3)
    await p.save(update_fields=["qualification_to"])
    await alerts.run(today=today)
    assert await QualificationAlert.filter(project_id=p.id, status="open", kind="expiring").exists()
    builder = await actor("builder_admin")
    case = await projects.start_case(builder, p.id, S.ProjectCaseIn(case_type="project_exit",
                                                                    form={"exit_reason": "资格到期不再续期"}))
    assert case.channel == "online" and case.subjects == {"project_id": p.id}
    case = await approve(case, steps=(("first_review", "gov_clerk"), ("approval", "gov_admin")))
    assert case.status == "complete"
    p = await Project.get(id=p.id)
    assert (p.state, p.published, p.published_at) == ("exited", False, None)
    assert not await QualificationAlert.filter(project_id=p.id, status="open").exists()
    assert (await IssuedDocument.get(id=p.recognition_document_id)).status == "revoked"
    revoke = await AuditLog.get(action="document.revoke", object_id=str(p.recognition_document_id))
    assert revoke.actor_name == "王建华"  # the approver, recorded on behalf of the process
    # Nothing more happens to an exited project on the next run.
    assert (await alerts.run(today=today))["by_kind"].get("expiring", 0) >= 0
    assert not await QualificationAlert.filter(project_id=p.id, status="open").exists()


@pytest.mark.feature("GOV-05-01", "BLD-01-01")
async def test_demo_seed_makes_its_projects_once():
    await seed_projects.seed_demo()
    await seed_plans.seed_demo()
    names = [row[2] for row in seed_projects.DECLARED] + [row[2] for row in seed_projects.HISTORIC]
    made = {p.name: p for p in await Project.filter(name__in=names)}
    assert set(made) == set(names)
    binjiang = made["滨江保障公寓"]
    assert binjiang.published and binjiang.operator_id and binjiang.recognition_document_id
    assert 113.0 < float(binjiang.lng_bd09) < 113.2 and 22.5 < float(binjiang.lat_bd09) < 22.7
    assert {p.district_code for p in made.values()} >= {"440703", "440704", "440705", "440784", "440781"}
    assert made["江海人才公寓"].progress_percent == 45
    # Its progress report carries the floor area too, against a target with an area to complete.
    jianghai = made["江海人才公寓"].id
    row = await ProjectProgress.get(project_id=jianghai)
    assert (row.units_started, str(row.area_started), str(row.area_completed)) == (240, "15800.00", "0.00")
    target = await PlanProjectTarget.get(project_id=jianghai)
    assert (str(target.area_start), str(target.area_complete)) == ("15800.00", "7900.00")
    kinds = {a.kind for a in await QualificationAlert.filter(project_id__in=[made["新会悦府"].id,
                                                                             made["侨乡花园"].id], status="open")}
    assert kinds == {"expiring", "expired"}
    assert await AnnualPlan.filter(name__endswith="保障性租赁住房建设计划").exists()
    before = await Project.all().count()
    await seed_projects.seed_demo()
    assert await Project.all().count() == before
