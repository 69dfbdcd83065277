"""Eligibility's request and response models."""
from __future__ import annotations

from pydantic import BaseModel


class HealthRead(BaseModel):
    domain: str
    status: str                 # "ok" | "down"
    checks: dict[str, str]      # check name -> "ok" or "down: <reason>"
