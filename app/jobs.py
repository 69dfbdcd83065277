"""Background-job progress, kept in our own table so screens can poll it."""
from __future__ import annotations

import datetime as dt
import uuid

from app.core.models import Job


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
