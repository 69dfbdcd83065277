"""Eligibility's use cases: each runs in one transaction (app.core.db.uow), applies rules, then
writes and audits."""
from __future__ import annotations

from app.core.db import uow
from app.domains.eligibility import rules


async def health() -> dict:
    """The domain is installed and reaches its database."""
    checks: dict[str, str] = {}
    try:
        async with uow() as tx:
            await tx.execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as e:  # noqa: BLE001 - reported, not raised: this is a health report
        checks["database"] = f"down: {type(e).__name__}"
    return {"domain": "eligibility", "status": rules.overall_status(checks), "checks": checks}
