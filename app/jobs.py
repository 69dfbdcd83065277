"""Background jobs: the taskiq broker, sending a task from the API, and the progress rows screens poll.

The broker lives here, below the domains, so a domain's `jobs.py` declares its tasks with
`@broker.task(...)` without importing app.worker; the worker imports every installed domain's
jobs modules (never the reverse). The API sends a task by its name (`send`), so a service never
imports the module that holds the task.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from taskiq.kicker import AsyncKicker
from taskiq_aio_pika import AioPikaBroker
from taskiq_aio_pika.exchange import Exchange
from taskiq_aio_pika.queue import Queue, QueueType

from app.config import get_settings
from app.core.models import Job

_s = get_settings()
broker = AioPikaBroker(
    url=_s.amqp_url, qos=4,
    exchange=Exchange(name=_s.task_queue),
    task_queues=[Queue(name=_s.task_queue, type=QueueType(_s.task_queue_type),
                       auto_delete=_s.task_queue_type == "classic")],
)
_producer_lock = asyncio.Lock()


async def send(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task named `task_name` on RabbitMQ. The API process opens its producer connection
    on first use (and again after it dropped); errors reach the caller, who says so on the job row."""
    async with _producer_lock:
        if broker.write_channel is None or broker.write_channel.is_closed:
            await broker.startup()
    await AsyncKicker(task_name=task_name, broker=broker, labels={}).kiq(*args, **kwargs)


async def close_producer() -> None:
    """The API's side of the broker, closed at server stop when it was opened."""
    if broker.write_channel is not None:
        await broker.shutdown()


async def create(kind: str, actor=None, params: dict | None = None, total: int = 0) -> Job:  # noqa: ANN001
    return await Job.create(id=uuid.uuid4(), kind=kind, params=params or {}, total=total,
                            created_by_id=getattr(actor, "account_id", None), org_id=getattr(actor, "org_id", None))


async def progress(job_id: uuid.UUID | str, done: int, total: int | None = None, message: str | None = None) -> None:
    values: dict = {"status": "running", "progress": done}
    if total is not None:
        values["total"] = total
    if message:
        values["message"] = message[:255]
    await Job.filter(id=job_id).update(**values)


async def finish(job_id: uuid.UUID | str, result: dict | None = None, errors: list | None = None,
                 failed: bool = False, message: str | None = None) -> None:
    await Job.filter(id=job_id).update(status="failed" if failed else "done", result=result, errors=errors or [],
                                       message=(message or ("失败" if failed else "完成"))[:255],
                                       finished_at=dt.datetime.now(dt.timezone.utc))
