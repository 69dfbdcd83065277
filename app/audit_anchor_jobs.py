"""Scheduled audit chain anchors: every hour, and at each day's close (Asia/Shanghai).

Registered by one import line in app/worker.py; 立即运行 and tests send the same task.
"""
from __future__ import annotations

from app import audit_anchor, jobs
from app.core.context import current_actor
from app.jobs import broker


async def _run(kind: str, job_id: str | None) -> dict:
    token = current_actor.set(audit_anchor.ACTOR)
    try:
        if job_id:
            await jobs.progress(job_id, 0, 1, "锚定审计日志哈希链")
        result = await audit_anchor.anchor(kind)
        if job_id:
            await jobs.progress(job_id, 1, 1)
            await jobs.finish(job_id, result)
        return result
    finally:
        current_actor.reset(token)


@broker.task(task_name="audit.anchor_hourly", schedule=[{"cron": "0 * * * *", "cron_offset": "Asia/Shanghai"}])
async def anchor_hourly(job_id: str | None = None) -> dict:
    """Sign and store the audit chain head, and send its copy to the timestamp service."""
    return await _run("hourly", job_id)


@broker.task(task_name="audit.anchor_daily", schedule=[{"cron": "59 23 * * *", "cron_offset": "Asia/Shanghai"}])
async def anchor_daily(job_id: str | None = None) -> dict:
    """The day's closing anchor."""
    return await _run("daily", job_id)
