"""taskiq worker and scheduler on RabbitMQ.

worker:    taskiq worker app.worker:broker
scheduler: taskiq scheduler app.worker:scheduler

The broker is app.jobs.broker. This module imports the tasks: the platform's own below, and every
installed domain's jobs modules (its DOMAIN.jobs), so a domain's tasks run once it is installed.
"""
from __future__ import annotations

import importlib
import logging

from taskiq import TaskiqEvents, TaskiqScheduler, TaskiqState
from taskiq.schedule_sources import LabelScheduleSource

from app import domains, jobs
from app.config import get_settings
from app.core import audit
from app.core.db import MODEL_MODULES, close_db, init_db
from app.jobs import broker

# taskiq puts the project directory on sys.path only while it imports this module, so import the
# model modules (the installed domains' included) and the domains' task modules now: Tortoise.init
# at worker startup could not find those outside `app`.
for _m in [*MODEL_MODULES, *(m for d in domains.DOMAINS for m in d.jobs)]:
    importlib.import_module(_m)

log = logging.getLogger("arh.worker")


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _startup(state: TaskiqState) -> None:
    await init_db(pool_max=5)


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _shutdown(state: TaskiqState) -> None:
    await close_db()


@broker.task(task_name="audit.maintain_partitions", schedule=[{"cron": "10 0 * * *"}])
async def maintain_audit_partitions(job_id: str | None = None) -> dict:
    """Keep next months' audit partitions ready and drop those past retention."""
    if job_id:
        await jobs.progress(job_id, 0, 2, "创建分区")
    made = await audit.ensure_partitions()
    if job_id:
        await jobs.progress(job_id, 1, 2, "清理过期分区")
    dropped = await audit.drop_expired_partitions(get_settings().audit_retention_months)
    result = {"ensured": made, "dropped": dropped}
    if job_id:
        await jobs.progress(job_id, 2, 2)
        await jobs.finish(job_id, result)
    log.info("audit partitions: %s", result)
    return result


scheduler = TaskiqScheduler(broker, sources=[LabelScheduleSource(broker)])

from app import audit_anchor_jobs  # noqa: E402,F401 - audit chain anchors, hourly and at day close
