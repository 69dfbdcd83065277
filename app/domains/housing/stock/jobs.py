"""The stock's taskiq tasks: the worker imports this module (through the housing DOMAIN); the API
queues them by name with app.jobs.send, so nothing in housing imports this module."""
from __future__ import annotations

from app.domains.housing.stock import unit_import
from app.jobs import broker


@broker.task(task_name=unit_import.TASK_NAME)
async def housing_unit_import(job_id: str) -> dict:
    """房源批量导入: check every row, then write all (or only the valid rows, when asked)."""
    return await unit_import.run(job_id)
