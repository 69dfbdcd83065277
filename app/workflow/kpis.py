"""Dashboard cards of the cases engine (GOV-01-01, OPS-01-01), computed in the caller's scope."""
from __future__ import annotations

from app.core.lists import cached_count
from app.dashboard.kpis import kpi
from app.identity.scope import Actor, scoped
from app.workflow import calendar
from app.workflow.models import Case, WorkItem
from app.workflow.service import todo_queryset

WORK = ("case.work.handle", "case.work.approve", "case.work.supervise")


@kpi("todo", "待办事项", "件", link="/todo", order=10, permissions=WORK)
async def todo_count(actor: Actor) -> int:
    return await cached_count(todo_queryset(actor), "work_item")


@kpi("todo_overdue", "逾期待办", "件", link="/todo?overdue=1", order=11, permissions=WORK)
async def overdue_count(actor: Actor) -> int:
    return await cached_count(todo_queryset(actor).filter(due_date__lt=calendar.today()), "work_item")


@kpi("done", "已办事项", "件", link="/done", order=12, permissions=WORK)
async def done_count(actor: Actor) -> int:
    return await WorkItem.filter(status="done", done_by_id=actor.account_id).count()


@kpi("cases_in_review", "在办业务件", "件", link="/cases?status=in_review", order=13,
     permissions=("case.case.read",))
async def in_review_count(actor: Actor) -> int:
    return await scoped(Case, actor).filter(status__in=["in_review", "returned"]).count()
