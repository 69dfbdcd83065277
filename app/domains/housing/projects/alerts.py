"""Project qualification expiry alerts (资格到期预警, GOV-12-02 / BLD-03-01 / OPS-10-02).

`classify()` is the rule, pure: given a project, today and the rule's numbers it says
expiring / expired / overdue or nothing. `run()` is the daily job: it applies the rule to
every recognised project and keeps one `qualification_alert` row per project, kind and
expiry date, so running it twice changes nothing but `days_left`.

The numbers come from the rule set `housing.project_qualification` (admins edit it under
规则配置); without that rule set the defaults below apply.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tortoise.expressions import Q, Subquery

from app import jobs
from app.core import audit
from app.core.context import SystemActor
from app.core.db import uow
from app.core.errors import AppError, NotFound
from app.domains.housing.projects.models import SUPPLY_MODES, Project, QualificationAlert
from app.rules.service import RuleSetDisabled
from app.core.regions import DISTRICT_NAMES
from app.rules import service as rules
from app.workflow import calendar

log = logging.getLogger(__name__)

RULE_KEY = "housing.project_qualification"
JOB_KIND = "housing.qualification_alerts"
TASK_NAME = "housing.qualification_alerts"  # the taskiq task in housing/jobs.py
BATCH = 200
_LOCK = 7_100_105  # advisory lock: two runs (the schedule and a 立即运行) take turns per batch


@dataclass(frozen=True)
class QualificationRule:
    years: int = 5            # qualification period after recognition
    days_before: int = 90     # start warning this many days before the last valid day
    grace_days: int = 30      # expired for longer than this and still recognised = overdue
    version: int | None = None  # rule set version, None = built-in defaults
    district_code: str | None = None  # whose rule set: None = the city's, else that district's own


DEFAULT_RULE = QualificationRule()


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    state: str
    qualification_to: dt.date | None
    supply_mode: str = "other"


@dataclass(frozen=True)
class Classification:
    project_id: int
    kind: str  # expiring | expired | overdue
    days_left: int
    qualification_to: dt.date


def classify(p: ProjectFacts, today: dt.date, rule: QualificationRule) -> Classification | None:
    """days_left = last valid day − today (0 on the last day).

    expiring: 0 ≤ days_left ≤ days_before; expired: −grace_days ≤ days_left < 0;
    overdue: days_left < −grace_days (expired beyond the grace period, neither exited nor renewed).
    Only recognised projects with a qualification end are considered.
    """
    if p.state != "recognized" or p.qualification_to is None:
        return None
    days_left = (p.qualification_to - today).days
    if days_left > rule.days_before:
        return None
    if days_left >= 0:
        kind = "expiring"
    elif -days_left <= rule.grace_days:
        kind = "expired"
    else:
        kind = "overdue"
    return Classification(p.id, kind, days_left, p.qualification_to)


def classify_all(projects: Iterable[ProjectFacts], today: dt.date,
                 rule_for: Callable[[str], QualificationRule]) -> dict[int, Classification | None]:
    return {p.id: classify(p, today, rule_for(p.supply_mode)) for p in projects}


def qualification_status(to: dt.date | None, today: dt.date, rule: QualificationRule) -> str:
    """valid | expiring | expired | none, as the project page shows it."""
    if to is None:
        return "none"
    left = (to - today).days
    if left < 0:
        return "expired"
    return "expiring" if left <= rule.days_before else "valid"


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February into a common year
        return d.replace(year=d.year + years, day=28)


def qualification_period(start: dt.date, rule: QualificationRule) -> tuple[dt.date, dt.date]:
    """From the day of recognition to the day before the same date N years later."""
    return start, add_years(start, rule.years) - dt.timedelta(days=1)


# ------------------------------------------------------------------ the rule set

_LIMITS = {"qualification_years": (1, 70), "alert_days_before": (0, 3650), "overdue_grace_days": (0, 3650)}


async def qualification_rule(supply_mode: str, district_code: str | None = None) -> QualificationRule:
    """The active rule for a supply mode in a district (the district's own rule set while it is
    enabled, else the city's). Raises RuleSetDisabled when admins switched it off."""
    try:
        row, decision = await rules.decide(RULE_KEY, {"supply_mode": supply_mode}, district_code=district_code)
    except NotFound as e:
        if e.code == "RULESET_NOT_FOUND":
            return DEFAULT_RULE
        raise
    values = decision.values or {}
    out = {}
    for code, (lo, hi) in _LIMITS.items():
        v = values.get(code)
        if v is None:
            raise AppError(f"规则集“{row.name}”缺少规则“{code}”，请在规则配置中补充", code="RULE_INCOMPLETE",
                           status=409)
        v = int(v)
        if not lo <= v <= hi:
            raise AppError(f"规则集“{row.name}”的“{code}”结果为 {v}，应在 {lo} 到 {hi} 之间", code="RULE_OUT_OF_RANGE",
                           status=409)
        out[code] = v
    return QualificationRule(out["qualification_years"], out["alert_days_before"], out["overdue_grace_days"],
                             row.version, row.district_code)


# Stored as data for the seed and for admins to edit (kind standard: each rule is a named number).
RULE_DEFINITION = {
    "title": "项目资格期与到期预警",
    "kind": "standard",
    "inputs": [{"name": "supply_mode", "type": "string", "title": "供应方式", "sample": "new_build",
                "options": [{"value": k, "label": v} for k, v in SUPPLY_MODES.items()]}],
    "rules": [
        {"code": "qualification_years", "title": "资格期（年）：自认定之日起", "expression": "5", "result_type": "int"},
        {"code": "alert_days_before", "title": "到期前多少天开始预警", "expression": "90", "result_type": "int"},
        {"code": "overdue_grace_days", "title": "过期后多少天仍未退出或续期为逾期", "expression": "30",
         "result_type": "int"},
    ],
}


# ------------------------------------------------------------------ the job

async def _rules_by_mode() -> dict[tuple[str, str], QualificationRule]:
    """Each district's rule for each supply mode (a district's own rule set overrides the city's)."""
    return {(d, m): await qualification_rule(m, d) for d in DISTRICT_NAMES for m in SUPPLY_MODES}


async def _apply_batch(ids: list[int], today: dt.date, rules: dict[tuple[str, str], QualificationRule],  # noqa: ANN001
                       actor) -> dict:
    counts = {"created": 0, "updated": 0, "closed": 0}
    kinds: dict[str, int] = {}
    changed: list[dict] = []
    async with uow() as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK])
        projects = await Project.filter(id__in=ids).using_db(tx)
        existing: dict[int, list[QualificationAlert]] = {}
        for a in await QualificationAlert.filter(project_id__in=ids).using_db(tx):
            existing.setdefault(a.project_id, []).append(a)
        for p in projects:
            rule = rules.get((p.district_code, p.supply_mode)) or rules.get((p.district_code, "other")) \
                or DEFAULT_RULE
            c = classify(ProjectFacts(p.id, p.state, p.qualification_to, p.supply_mode), today, rule)
            mine = existing.get(p.id, [])
            match = None
            if c is not None:
                kinds[c.kind] = kinds.get(c.kind, 0) + 1
                match = next((a for a in mine if a.kind == c.kind and a.qualification_to == c.qualification_to), None)
                scope_cols = {"district_code": p.district_code, "builder_id": p.builder_id,
                              "operator_id": p.operator_id}
                if match is None:
                    a = await QualificationAlert.create(
                        project_id=p.id, kind=c.kind, qualification_to=c.qualification_to, days_left=c.days_left,
                        rule_version=rule.version, rule_district_code=rule.district_code, status="open",
                        created_on=today, using_db=tx, **scope_cols)
                    counts["created"] += 1
                    changed.append({"alert_id": a.id, "project_id": p.id, "kind": c.kind, "action": "create"})
                else:
                    new = {"days_left": c.days_left, "status": "open", "rule_version": rule.version,
                           "rule_district_code": rule.district_code, **scope_cols}
                    if any(getattr(match, k) != v for k, v in new.items()):
                        for k, v in new.items():
                            setattr(match, k, v)
                        await match.save(using_db=tx, update_fields=list(new))
                        counts["updated"] += 1
            for a in mine:
                if a is not match and a.status == "open":
                    a.status = "closed"
                    await a.save(using_db=tx, update_fields=["status"])
                    counts["closed"] += 1
                    changed.append({"alert_id": a.id, "project_id": p.id, "kind": a.kind, "action": "close"})
        if counts["created"] or counts["closed"]:
            await audit.record("qualification_alert.run", "qualification_alert", None, using=tx, actor=actor,
                               only_changes=False, after={"today": today, **counts, "changes": changed[:500]},
                               summary=f"资格到期预警：新增{counts['created']}条，关闭{counts['closed']}条")
    return {**counts, "by_kind": kinds}


async def run(*, today: dt.date | None = None, job_id: str | None = None, actor=None) -> dict:  # noqa: ANN001
    """Apply the rule to every recognised project (and every project with an open alert, to close it)."""
    today = today or calendar.today()
    actor = actor or SystemActor(name="资格到期预警任务")
    try:
        rules = await _rules_by_mode()
    except RuleSetDisabled as e:
        return {"today": today.isoformat(), "skipped": True, "message": e.message, "projects": 0, "created": 0,
                "updated": 0, "closed": 0, "by_kind": {}}
    open_ids = Subquery(QualificationAlert.filter(status="open").values("project_id"))
    ids = await Project.filter(Q(state="recognized", qualification_to__isnull=False) | Q(id__in=open_ids)) \
        .order_by("id").values_list("id", flat=True)
    total = {"created": 0, "updated": 0, "closed": 0}
    kinds: dict[str, int] = {}
    if job_id:
        await jobs.progress(job_id, 0, len(ids), "正在检查项目资格期")
    for i in range(0, len(ids), BATCH):
        r = await _apply_batch(list(ids[i:i + BATCH]), today, rules, actor)
        for k in total:
            total[k] += r[k]
        for k, n in r["by_kind"].items():
            kinds[k] = kinds.get(k, 0) + n
        if job_id:
            await jobs.progress(job_id, min(i + BATCH, len(ids)), len(ids))
    versions = sorted({r.version for r in rules.values() if r.version is not None})
    return {"today": today.isoformat(), "projects": len(ids), **total, "by_kind": kinds,
            "rule_version": versions[-1] if versions else None}


async def run_job(job_id: str | None = None) -> dict:
    """The taskiq task's body: run, and report on the job row the screen polls."""
    try:
        result = await run(job_id=job_id)
    except AppError as e:
        if job_id:
            await jobs.finish(job_id, failed=True, message=e.message)
        raise
    except Exception as e:
        log.exception("qualification alert job failed")
        if job_id:
            await jobs.finish(job_id, failed=True, message=f"运行失败：{type(e).__name__}")
        raise
    if job_id:
        msg = result.get("message") if result.get("skipped") else \
            f"完成：新增{result['created']}条，更新{result['updated']}条，关闭{result['closed']}条"
        await jobs.finish(job_id, result, message=msg)
    log.info("qualification alerts: %s", result)
    return result


# ------------------------------------------------------------------ 立即运行 from the API

class QueueUnavailable(AppError):
    status, code, message = 503, "QUEUE_UNAVAILABLE", "任务队列暂不可用，请稍后再试"


async def enqueue(actor) -> str:  # noqa: ANN001
    """A job row the screen can poll, and the same task the scheduler runs, sent to the workers."""
    job = await jobs.create(JOB_KIND, actor, params={"trigger": "manual"})
    try:
        await jobs.send(TASK_NAME, job_id=str(job.id))
    except Exception as e:  # noqa: BLE001 - RabbitMQ down: the job row says so, the caller gets a 503
        log.warning("could not enqueue the qualification alert job", exc_info=True)
        await jobs.finish(job.id, failed=True, message="任务队列不可用，未能启动")
        raise QueueUnavailable() from e
    await audit.record("qualification_alert.run_requested", "job", job.id, actor=actor, only_changes=False,
                       after={"kind": JOB_KIND}, summary="立即运行资格到期预警")
    return str(job.id)
