"""Per-request context (who is acting, from where) for audit and scope."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

current_actor: ContextVar = ContextVar("current_actor", default=None)
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


@dataclass(frozen=True)
class SystemActor:
    """Jobs, seeds and CLI commands act as the system."""
    account_id: int | None = None
    name: str = "系统"
    org_id: int | None = None
    kind: str = "SYSTEM"
