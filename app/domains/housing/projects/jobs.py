"""Projects' taskiq tasks: the worker imports this module (through the housing DOMAIN); the API
queues them by name with app.jobs.send, so nothing in housing imports this module."""
from __future__ import annotations

from app.domains.housing.projects import alerts
from app.jobs import broker


@broker.task(task_name=alerts.TASK_NAME, schedule=[{"cron": "30 1 * * *", "cron_offset": "Asia/Shanghai"}])
async def qualification_alerts(job_id: str | None = None) -> dict:
    """Daily project qualification expiry alerts (GOV-12-02); also started by 立即运行."""
    return await alerts.run_job(job_id)
