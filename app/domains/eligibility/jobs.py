"""Eligibility's taskiq tasks; the worker imports this module because the DOMAIN names it."""
from __future__ import annotations

from app.domains.eligibility import service
from app.jobs import broker


@broker.task(task_name="eligibility.health")
async def health() -> dict:
    """The same report as GET /api/v1/eligibility/health, from a worker: the worker sees the domain."""
    return await service.health()
