"""Cards GOV-01-01 / OPS-01-01 list whose data lands with later domains. Until then each says "—"
honestly; the domain that owns the data removes its entry here and registers the real one.
The unit cards (units_total, units_allocated, units_unallocated) are app/domains/housing/stock/kpis.py."""
from __future__ import annotations

from app.dashboard.kpis import kpi


@kpi("beneficiary_households", "保障户数", "户", order=60, note="保障对象管理上线后显示")
async def beneficiary_households(actor) -> None:  # noqa: ANN001
    # Eligibility / beneficiaries domain (GOV-08-04 保障对象管理, OPS-06-04): households under guarantee.
    return None


@kpi("beneficiary_persons", "保障人数", "人", order=70, note="保障对象管理上线后显示")
async def beneficiary_persons(actor) -> None:  # noqa: ANN001
    # Eligibility / beneficiaries domain: applicants and co-applicants of those households.
    return None


@kpi("arrears_households", "欠租户数", "户", order=80, note="租金管理上线后显示")
async def arrears_households(actor) -> None:  # noqa: ANN001
    # Billing domain (GOV-10-04 租金情况查询, OPS-08-04): contracts with months in arrears.
    return None


@kpi("arrears_amount", "欠租金额", "元", order=90, note="租金管理上线后显示")
async def arrears_amount(actor) -> None:  # noqa: ANN001
    # Billing domain: sum of amounts in arrears, integer fen.
    return None


@kpi("leases_expiring", "即将到期合同", "份", order=100, note="合同管理上线后显示")
async def leases_expiring(actor) -> None:  # noqa: ANN001
    # Leasing domain with the expiry warning rules (GOV-12-01, OPS-10-01): contracts about to expire.
    return None
