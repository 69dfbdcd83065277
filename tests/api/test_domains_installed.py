"""A domain is installed by one line in app/domains/__init__.py (issue 11).

A shared mechanism with no feature ID of its own. The eligibility package is the proof: its route
is served, its task is known to the worker, and both go away when its line is taken out.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app import domains
from app.identity.permissions import MENUS, PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]


def _paths(app) -> set[str]:  # noqa: ANN001
    return {"/" + r.path for r in app.router.routes}


def test_installed_is_one_line_per_domain():
    text = (ROOT / "app" / "domains" / "__init__.py").read_text(encoding="utf-8")
    assert '    "app.domains.eligibility",\n' in text and '    "app.domains.housing",\n' in text
    assert [d.name for d in domains.DOMAINS] == ["housing", "campaigns", "eligibility"]
    # The package has the whole file set of the template.
    pkg = ROOT / "app" / "domains" / "eligibility"
    assert {p.name for p in pkg.glob("*.py")} >= {
        "__init__.py", "models.py", "schemas.py", "rules.py", "access.py", "service.py", "routes.py", "hooks.py",
        "jobs.py"}


def test_the_route_is_served_because_of_that_line(monkeypatch):
    import app.server as server
    with_it = server.create_app(name="arh_domains_with")
    assert "/api/v1/eligibility/health" in _paths(with_it)
    monkeypatch.setattr(server, "DOMAINS", tuple(d for d in domains.DOMAINS if d.name != "eligibility"))
    without = server.create_app(name="arh_domains_without")
    assert "/api/v1/eligibility/health" not in _paths(without)
    # Nothing else changed: housing is still served either way.
    assert "/api/v1/housing/projects" in _paths(without) & _paths(with_it)


def test_catalogue_and_menu_are_the_core_ones_plus_the_domains():
    assert [m.code for m in MENUS] == ["dashboard", "work", "housing", "config", "system", "exchange.monitor"]
    housing = next(d for d in domains.DOMAINS if d.name == "housing")
    assert all(PERMISSIONS[p.code] == p for p in housing.permissions)
    codes = list(PERMISSIONS)
    for d in domains.DOMAINS:  # each domain's codes follow the core's, in INSTALLED order
        at = codes.index(d.permissions[0].code) if d.permissions else None
        assert at is None or codes[at:at + len(d.permissions)] == [p.code for p in d.permissions]
    # A domain's entry under a platform menu joins that menu (专题工作 under 业务办理), it adds no top-level one.
    work = next(m for m in MENUS if m.code == "work")
    assert [c.code for c in work.children][-1] == "work.campaigns"


def test_the_worker_runs_every_installed_domains_tasks():
    worker = importlib.import_module("app.worker")
    for name in ("eligibility.health", "housing.qualification_alerts", "housing.unit_import",
                 "audit.maintain_partitions"):
        assert worker.broker.find_task(name) is not None, name


async def test_health_route_answers_staff_only(api, token):
    r = await api.get("/api/v1/eligibility/health", await token("gov_admin"))
    assert r.status_code == 200, r.text
    assert r.json() == {"domain": "eligibility", "status": "ok", "checks": {"database": "ok"}}
    r = await api.get("/api/v1/eligibility/health")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
