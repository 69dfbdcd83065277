"""taskiq worker and scheduler on RabbitMQ.

worker:    taskiq worker app.worker:broker
scheduler: taskiq scheduler app.worker:scheduler
"""
from __future__ import annotations

import importlib
import logging

from taskiq import TaskiqEvents, TaskiqScheduler, TaskiqState
from taskiq.schedule_sources import LabelScheduleSource
from taskiq_aio_pika import AioPikaBroker
from taskiq_aio_pika.exchange import Exchange
from taskiq_aio_pika.queue import Queue, QueueType

from app import jobs
from app.config import get_settings
from app.core import audit
from app.core.db import MODEL_MODULES, close_db, init_db

# taskiq puts the project directory on sys.path only while it imports this module, so import the
# model modules now: Tortoise.init at worker startup could not find those outside `app`.
for _m in MODEL_MODULES:
    importlib.import_module(_m)

log = logging.getLogger("arh.worker")
_s = get_settings()
broker = AioPikaBroker(
    url=_s.amqp_url, qos=4,
    exchange=Exchange(name=_s.task_queue),
    task_queues=[Queue(name=_s.task_queue, type=QueueType(_s.task_queue_type),
                       auto_delete=_s.task_queue_type == "classic")],
)


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


@broker.task(task_name="housing.qualification_alerts",
             schedule=[{"cron": "30 1 * * *", "cron_offset": "Asia/Shanghai"}])
async def qualification_alerts(job_id: str | None = None) -> dict:
    """Daily project qualification expiry alerts (GOV-12-02); also started by 立即运行."""
    from app.domains.housing import alerts
    return await alerts.run_job(job_id)


@broker.task(task_name="housing.unit_import")
async def housing_unit_import(job_id: str) -> dict:
    """房源批量导入: check every row, then write all (or only the valid rows, when asked)."""
    from app.domains.housing import unit_import
    return await unit_import.run(job_id)


scheduler = TaskiqScheduler(broker, sources=[LabelScheduleSource(broker)])
