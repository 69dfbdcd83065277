"""Campaigns (专题工作): time-boxed drives that group the cases accepted inside their window.

Installed by its line in app/domains/__init__.py. A campaign links a case of one of its types,
submitted inside its window (and district), when the case is first submitted (hooks.py).
"""
from __future__ import annotations

from app.core.domain import GOV, Domain, Menu, Permission

DOMAIN = Domain(
    name="campaigns",
    models=("app.domains.campaigns.models",),
    blueprints=("app.domains.campaigns.routes:bp_campaigns",),
    access=("app.domains.campaigns.access",),
    hooks=("app.domains.campaigns.hooks",),
    permissions=(
        Permission("case.campaign.read", "专题工作查询", (GOV,)),
        Permission("case.campaign.write", "专题工作维护", (GOV,)),
    ),
    # Merged into the platform's 业务办理 menu (same code), after its own entries.
    menus=(
        Menu("work", "业务办理", children=(
            Menu("work.campaigns", "专题工作", "/campaigns", "Flag", ("case.campaign.read", "case.campaign.write")),
        )),
    ),
    audit=("app.domains.campaigns.audit",),
)
