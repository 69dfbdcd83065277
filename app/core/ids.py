"""Business numbers `<TYPE>-<yyyymmdd>-<seq>` from PostgreSQL sequences (never max()+1)."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError, OperationalError

from app.core.db import conn as default_conn

CN = ZoneInfo("Asia/Shanghai")
_TYPE = re.compile(r"^[A-Z]{2,8}$")
_known: set[str] = set()


async def next_number(type_code: str, using=None, today: dt.date | None = None) -> str:  # noqa: ANN001
    if not _TYPE.match(type_code):
        raise ValueError(f"bad business type {type_code!r}")
    day = today or dt.datetime.now(CN).date()
    seq = f"bizno_{type_code.lower()}_{day:%Y%m%d}"
    if seq not in _known:
        # Made outside the caller's transaction, so a racing creator cannot abort it.
        try:
            await default_conn().execute_script(f"CREATE SEQUENCE IF NOT EXISTS {seq}")
        except (OperationalError, IntegrityError):
            pass  # another process created it between the check and the create
        _known.add(seq)
    _, rows = await (using or default_conn()).execute_query(f"SELECT nextval('{seq}') AS n")
    return f"{type_code}-{day:%Y%m%d}-{rows[0]['n']:04d}"
