"""Housing's taskiq tasks: the worker imports this module (through the housing DOMAIN); the API
queues them by name with app.jobs.send, so nothing in housing imports this module."""
from __future__ import annotations

from app.domains.housing import alerts, unit_import
from app.jobs import broker


@broker.task(task_name=alerts.TASK_NAME, schedule=[{"cron": "30 1 * * *", "cron_offset": "Asia/Shanghai"}])
async def qualification_alerts(job_id: str | None = None) -> dict:
    """Daily project qualification expiry alerts (GOV-12-02); also started by 立即运行."""
    return await alerts.run_job(job_id)


@broker.task(task_name=unit_import.TASK_NAME)
async def housing_unit_import(job_id: str) -> dict:
    """房源批量导入: check every row, then write all (or only the valid rows, when asked)."""
    return await unit_import.run(job_id)
