"""The installed domains, one line each. Installing a domain is adding its package here.

Importing this package loads every domain's `DOMAIN` declaration (plain data, no domain code),
adds its models to the ORM config and its permissions and menus to the catalogue. The server
(blueprints, scope rules, hooks, KPI cards) and the worker (jobs) are built from `DOMAINS`.
See app/domains/README.md.
"""
from __future__ import annotations

import importlib

from app.core.db import TORTOISE_ORM, add_model_modules
from app.core.domain import Domain
from app.identity import permissions

INSTALLED = [
    "app.domains.housing",
    "app.domains.campaigns",
    "app.domains.eligibility",
]

DOMAINS: tuple[Domain, ...] = tuple(importlib.import_module(m).DOMAIN for m in INSTALLED)

for _d in DOMAINS:
    add_model_modules(_d.models)
permissions.install(DOMAINS)

__all__ = ["DOMAINS", "INSTALLED", "TORTOISE_ORM"]  # TORTOISE_ORM: the tortoise CLI's entry, domains included
