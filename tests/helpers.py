"""Small helpers shared by tests; no side effects, safe to import from any test module."""
from __future__ import annotations

import secrets

DEMO_PASSWORD = "Demo@2026"


def fresh_phone() -> str:
    return f"139{secrets.randbelow(10**8):08d}"


def fresh_ip() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def make_id_number(region: str = "440703", born: str = "19900101", seq: int | None = None) -> str:
    from app.core.idcard import check_digit
    seq = seq if seq is not None else secrets.randbelow(999)
    first17 = f"{region}{born}{seq:03d}"
    return first17 + check_digit(first17)
