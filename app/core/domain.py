"""What an installed domain declares: the one `DOMAIN` object of each `app/domains/<name>/` package.

A declaration is plain data (module paths as strings, permission and menu records), so importing
it costs nothing and imports none of the domain's code. `app/domains/__init__.py` lists the
installed domains; the server, the ORM config, the worker, the permission catalogue and the menu
are built from that list (see app/domains/README.md). This module sits in the lowest layer so
every layer may import it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

# The org kinds a permission may be granted to (identity.permissions uses the same constants).
GOV, BLD, OPS = "GOV", "BUILDER", "OPERATOR"
ALL_ORGS = (GOV, BLD, OPS)


@dataclass(frozen=True)
class Permission:
    """A permission code `domain.object.action`, its title, and the org kinds that may hold it."""
    code: str
    title: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Menu:
    """A menu entry; a leaf is visible to holders of its first (view) permission."""
    code: str
    title: str
    path: str = ""
    icon: str = ""
    permissions: tuple[str, ...] = ()
    children: tuple["Menu", ...] = field(default=())


@dataclass(frozen=True)
class Domain:
    """One installable domain.

    Every module is named by its dotted path and imported only by whoever needs it: the server
    (blueprints, scope rules, hooks, KPI cards), the ORM (models), the worker (jobs).
    - models:      tortoise model modules, added to the ORM config
    - blueprints:  "module:attribute" paths of Sanic blueprints, in registration order
    - access:      modules that register data-scope rules (app.identity.scope) when imported
    - hooks:       modules that register case completion/creation hooks when imported
    - case_types:  the case type keys whose hooks this domain owns (documentation and checks)
    - jobs:        modules holding taskiq tasks (`@broker.task` from app.jobs); schedules are
                   the tasks' own `schedule=[...]` labels
    - permissions: codes added to the permission catalogue after the core ones
    - menus:       top-level menu entries, placed after the core work menu, in INSTALLED order
    - kpis:        modules that register dashboard cards (app.dashboard.kpis) when imported
    - audit:       modules that register the domain's audit log labels (app.core.audit_labels)
    """
    name: str
    models: tuple[str, ...] = ()
    blueprints: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()
    case_types: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    permissions: tuple[Permission, ...] = ()
    menus: tuple[Menu, ...] = ()
    kpis: tuple[str, ...] = ()
    audit: tuple[str, ...] = ()

    def load_blueprints(self) -> list[Any]:
        """Import the blueprint modules and return the blueprints, in declared order."""
        out = []
        for path in self.blueprints:
            module, _, attr = path.partition(":")
            if not attr:
                raise ValueError(f"blueprint {path!r} of domain {self.name} is not 'module:attribute'")
            out.append(getattr(importlib.import_module(module), attr))
        return out

    def side_effect_modules(self) -> tuple[str, ...]:
        """Modules imported at server start for what they register: scope rules, hooks, KPI cards."""
        return (*self.access, *self.hooks, *self.kpis, *self.audit)


def import_all(modules: tuple[str, ...] | list[str]) -> None:
    for m in modules:
        importlib.import_module(m)
