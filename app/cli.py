"""Operator commands: `python -m app.cli migrate | verify-audit | maintain-audit | openapi [--base /api/v1]`."""
from __future__ import annotations

import asyncio
import sys

from app import audit_anchor
from app import domains  # noqa: F401 - installs the domains: their models join the ORM config
from app.config import get_settings
from app.core import audit
from app.core.db import close_db, init_db, tortoise_config


async def _migrate() -> int:
    from tortoise.migrations.api import migrate
    await migrate(config=tortoise_config())
    await close_db()
    return 0


async def _verify_audit() -> int:
    await init_db()
    try:
        r = await audit.verify()
        a = await audit_anchor.check()
    finally:
        await close_db()
    if r["ok"]:
        print(f"审计日志哈希链完整：共校验 {r['checked']} 条")
    else:
        print(f"审计日志哈希链异常：第 {r['first_bad_id']} 条，{r['reason']}（此前 {r['checked']} 条完好）")
    if not a["ok"]:
        print(f"审计日志锚点校验失败：{a['reason']}")
    elif a["last_anchor"]:
        last = a["last_anchor"]
        stamp = f"，时间戳回执 {last['receipt']['serial_no']}" if last["receipt"] else "，尚无时间戳回执"
        print(f"审计日志锚点校验通过：共 {a['anchors']} 个锚点，最近锚点 #{last['id']}（{last['created_at']}，"
              f"锚定至第 {last['head_id']} 条{stamp}）")
    else:
        print("审计日志尚无锚点：无法发现最新记录被删除")
    return 0 if r["ok"] and a["ok"] else 1


async def _anchor_audit() -> int:
    await init_db()
    try:
        a = await audit_anchor.anchor("manual")
    finally:
        await close_db()
    print(f"已锚定审计日志：锚点 #{a['anchor_id']}，第 {a['head_id']} 条，共 {a['row_count']} 条")
    return 0


async def _maintain() -> int:
    await init_db()
    try:
        print("ensured:", await audit.ensure_partitions())
        print("dropped:", await audit.drop_expired_partitions(get_settings().audit_retention_months))
    finally:
        await close_db()
    return 0


def _openapi(base: str | None = None) -> int:
    """Print the OpenAPI document (`--base /api/v1`: the admin client's view of it); no server needed."""
    # Builds the whole app, so only this command loads it (migrate must run without the routes).
    from app.api.spec import build_spec, dumps, rebase  # why: see above
    from app.server import create_app  # why: see above
    spec = build_spec(create_app(name="arh_openapi"))
    sys.stdout.write(dumps(rebase(spec, base) if base else spec))
    return 0


COMMANDS = {"migrate": _migrate, "verify-audit": _verify_audit, "anchor-audit": _anchor_audit,
            "maintain-audit": _maintain}

if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "openapi":
        args = sys.argv[2:]
        sys.exit(_openapi(args[1] if args[:1] == ["--base"] and len(args) == 2 else None))
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        print("usage: python -m app.cli " + " | ".join(COMMANDS))
        sys.exit(2)
    sys.exit(asyncio.run(COMMANDS[sys.argv[1]]()))
