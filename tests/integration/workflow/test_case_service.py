"""The case service in-process on the real database: completion hooks and their rollback."""
from __future__ import annotations

import pytest

from app.core.errors import InvalidInput
from app.identity.guard import build_actor
from app.identity.models import Account, Org
from app.identity.scope import Actor
from app.workflow import service
from app.workflow.models import Case, CaseEvent, WorkItem
from tests.helpers import make_id_number

FORM = {"household_size": 2, "monthly_income": 3000, "current_housing": "借住", "reason": "无房"}


async def actor(login: str) -> Actor:
    acc = await Account.get(login_name=login)
    return Actor(**await build_actor(acc.id))


async def new_case(clerk: Actor, case_type: str = "eligibility_application", form: dict | None = None) -> Case:
    return await service.create_case(
        clerk, case_type_key=case_type, channel="onsite",
        applicant=service.Applicant(kind="PERSON", name="梁静", id_number=make_id_number("440703")),
        district_code="440703", org_id=None, subjects=None, form=form or FORM, materials=[], submit=True)


async def step(case_id: int, step_id: str) -> WorkItem:
    return await WorkItem.get(case_id=case_id, step_id=step_id, status="open")


@pytest.mark.feature("SYS-02")
async def test_return_to_applicant_round_trip_through_the_database():
    clerk, pj = await actor("gov_clerk"), await actor("pj_clerk")
    case = await new_case(clerk)
    await service.act(pj, (await step(case.id, "first_review")).id, "return_applicant", "补正")
    await service.edit(clerk, case.id, {"monthly_income": 2800}, None)
    await service.act(clerk, (await step(case.id, "correction")).id, "submit", None)
    assert (await Case.get(id=case.id)).status == "in_review"
    assert (await step(case.id, "first_review")).assignee_id == pj.account_id


@pytest.mark.feature("SYS-01")
async def test_a_failing_completion_hook_rolls_the_final_action_back():
    clerk, pj, admin = await actor("gov_clerk"), await actor("pj_clerk"), await actor("gov_admin")
    calls: list[str] = []

    async def refuse(case: Case, tx, who: Actor) -> None:  # noqa: ANN001
        calls.append(case.number)
        await Org.filter(id=who.org_id).using_db(tx).update(address="不应保存的地址")
        raise InvalidInput("配租房源已被占用")

    service.on_complete("complaint")(refuse)
    try:
        case = await new_case(clerk, "complaint", {"category": "物业服务", "content": "漏水"})
        await service.act(pj, (await step(case.id, "first_review")).id, "approve", None)
        final = await step(case.id, "approval")
        with pytest.raises(service.HookFailed) as e:
            await service.act(admin, final.id, "approve", "同意")
        assert "配租房源已被占用" in e.value.message and calls == [case.number]
        row = await Case.get(id=case.id)
        assert row.status == "in_review" and row.finished_at is None
        assert (await WorkItem.get(id=final.id)).status == "open"
        assert not await CaseEvent.filter(case_id=case.id, action="complete").exists()
        assert (await Org.get(id=admin.org_id)).address != "不应保存的地址"
    finally:
        service.unregister_hook("complaint", refuse)
    # With the hook gone the same action completes.
    await service.act(admin, final.id, "approve", "同意")
    assert (await Case.get(id=case.id)).status == "complete"
