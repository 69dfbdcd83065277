"""Eligibility's pure rules: no I/O, no imports from the database or the network."""
from __future__ import annotations


def overall_status(checks: dict[str, str]) -> str:
    """"ok" when every check is "ok" (and there is at least one), else "down"."""
    return "ok" if checks and all(v == "ok" for v in checks.values()) else "down"
