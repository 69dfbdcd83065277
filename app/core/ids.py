"""Business numbers `<TYPE>-<yyyymmdd>-<seq>` from PostgreSQL sequences (never max()+1)."""
from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import TransactionalDBClient
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
    db = using or default_conn()
    if seq not in _known:
        # Inside the caller's transaction this is a savepoint, so a racing creator cannot abort it.
        # A rollback would drop a sequence made there: remember only one made outside a transaction.
        try:
            async with db._in_transaction() as t:
                await t.execute_script(f"CREATE SEQUENCE IF NOT EXISTS {seq}")
        except (OperationalError, IntegrityError):
            pass  # another process created it between the check and the create
        if not isinstance(db, TransactionalDBClient):
            _known.add(seq)
    _, rows = await db.execute_query(f"SELECT nextval('{seq}') AS n")
    return f"{type_code}-{day:%Y%m%d}-{rows[0]['n']:04d}"


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits; sorts by creation time."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64 | (0b10 << 62) \
        | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)
