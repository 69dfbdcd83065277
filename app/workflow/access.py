"""Who may see a case, and who may act on a work item.

A step names a role (gov_clerk …) and a scope (CITY/DISTRICT/ORG/SELF). A staff member is
a candidate for an unclaimed item when their org kind matches the role's family, they hold
the right permission, and the scope covers the case. The same rule is a SQL filter (todo
lists) and a Python predicate (acting), so the two cannot drift apart.
"""
from __future__ import annotations

from tortoise.expressions import Q, Subquery

from app.core.errors import NotFound
from app.documents import access as documents_access
from app.identity import scope
from app.identity.scope import CITY, DISTRICT, ORG, SELF, Actor
from app.workflow.models import Case, WorkItem

HANDLE, APPROVE, SUPERVISE = "case.work.handle", "case.work.approve", "case.work.supervise"
FAMILY = {"GOV": "gov", "OPERATOR": "operator", "BUILDER": "builder"}
ORG_KIND_OF = {v: k for k, v in FAMILY.items()}
APPLICANT = "applicant"


def roles_of(actor: Actor) -> list[str]:
    """The step roles this staff member may take."""
    fam = FAMILY.get(actor.org_kind or "")
    if actor.kind != "STAFF" or fam is None:
        return []
    out = []
    if actor.has(HANDLE) or actor.has(APPROVE):
        out.append(f"{fam}_clerk")
    if actor.has(APPROVE):
        out.append(f"{fam}_supervisor")
    return out


def candidate_q(actor: Actor) -> Q | None:
    """Open, unclaimed items this actor may claim; None = none at all.

    Besides role and scope: never a step of a case the actor's own org applied for, and never a
    step that must be handled by someone else than the handlers of the case's earlier steps
    (须由不同人员办理) when the actor is one of them."""
    roles = roles_of(actor)
    if not roles:
        return None
    base = Q(role__in=roles, assignee_id=None, applicant_org_id__not=actor.org_id)
    handled = WorkItem.filter(status="done", done_by_id=actor.account_id).exclude(role=APPLICANT) \
        .values("case_id")
    base &= Q(distinct_handler=False) | ~Q(case_id__in=Subquery(handled))
    if actor.scope == CITY:
        return base & Q(scope__in=[CITY, DISTRICT])
    if actor.scope == DISTRICT:
        return base & Q(scope=DISTRICT, district_code=actor.district_code)
    if actor.scope == ORG:
        return base & Q(scope=ORG, org_id=actor.org_id)
    return None


def is_candidate(actor: Actor, item: WorkItem) -> bool:
    """Role, scope and org: whether the actor may hold this (non-applicant) step at all."""
    if item.role == APPLICANT or item.role not in roles_of(actor):
        return False
    if item.applicant_org_id is not None and item.applicant_org_id == actor.org_id:
        return False  # the applicant's own staff never review its case
    if item.scope == CITY:
        return actor.scope == CITY
    if item.scope == DISTRICT:
        return actor.scope == CITY or (actor.scope == DISTRICT and item.district_code == actor.district_code)
    if item.scope == ORG:
        return actor.scope == ORG and item.org_id == actor.org_id
    return False


def duty_conflict(item: WorkItem, handled: dict[str, str]) -> str | None:
    """The earlier step (its name) whose handler may not handle this one, or None.

    `handled` maps the step ids the person completed in this case (review steps only) to their
    names. Handling the same step again (after a return) is no conflict."""
    if not item.distinct_handler:
        return None
    return next((name for sid, name in handled.items() if sid != item.step_id), None)


def duty_message(step_name: str) -> str:
    return f"您已办理本件的「{step_name}」环节，按职责分离要求，本环节须由其他人员办理"


def case_scope_q(actor: Actor) -> Q | None:
    """The cases in an actor's data scope; None = all."""
    if actor.scope == CITY:
        return None
    if actor.scope == DISTRICT:
        return Q(district_code=actor.district_code)
    if actor.scope == ORG:
        return Q(org_id=actor.org_id) | Q(applicant_org_id=actor.org_id)
    if actor.scope == SELF:
        return Q(applicant_account_id=actor.account_id) | Q(submitter_id=actor.account_id)
    return Q(id=-1)


def item_scope_q(actor: Actor) -> Q | None:
    """Work items of cases in the actor's data scope (a supervisor's 全部待办)."""
    if actor.scope == CITY:
        return None
    if actor.scope == DISTRICT:
        return Q(district_code=actor.district_code)
    if actor.scope == ORG:
        return Q(org_id=actor.org_id)
    return Q(assignee_id=actor.account_id)


scope.register(
    Case,
    city=lambda a: None,
    district=lambda a: case_scope_q(a),
    org=lambda a: case_scope_q(a),
    self_=lambda a: case_scope_q(a),
)
scope.register(
    WorkItem,
    city=lambda a: None,
    district=lambda a: item_scope_q(a),
    org=lambda a: item_scope_q(a),
    self_=lambda a: Q(assignee_id=a.account_id),
)


async def _case_visible(actor: Actor, case_id: int) -> None:
    if not await scope.scoped(Case, actor).filter(id=case_id).exists():
        raise NotFound("业务件不存在或无权查看")


# A document may name a case (documents sits below workflow, so it asks through its registry).
documents_access.register_subject("case", _case_visible)
