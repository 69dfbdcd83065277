"""Operator commands: `python -m app.cli migrate | verify-audit | maintain-audit`."""
from __future__ import annotations

import asyncio
import sys

from app.core.db import close_db, init_db, tortoise_config


async def _migrate() -> int:
    from tortoise.migrations.api import migrate
    await migrate(config=tortoise_config())
    await close_db()
    return 0


async def _verify_audit() -> int:
    from app.core import audit
    await init_db()
    try:
        r = await audit.verify()
    finally:
        await close_db()
    if r["ok"]:
        print(f"审计日志哈希链完整：共校验 {r['checked']} 条")
        return 0
    print(f"审计日志哈希链异常：第 {r['first_bad_id']} 条，{r['reason']}（此前 {r['checked']} 条完好）")
    return 1


async def _maintain() -> int:
    from app.config import get_settings
    from app.core import audit
    await init_db()
    try:
        print("ensured:", await audit.ensure_partitions())
        print("dropped:", await audit.drop_expired_partitions(get_settings().audit_retention_months))
    finally:
        await close_db()
    return 0


COMMANDS = {"migrate": _migrate, "verify-audit": _verify_audit, "maintain-audit": _maintain}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        print("usage: python -m app.cli " + " | ".join(COMMANDS))
        sys.exit(2)
    sys.exit(asyncio.run(COMMANDS[sys.argv[1]]()))
