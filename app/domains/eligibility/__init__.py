"""Eligibility (资格审查): whether an applicant household qualifies for affordable rental housing.

Installed by its one line in app/domains/__init__.py. It is the template's worked example (see
app/domains/README.md): every file of the set is here, most still empty; the next issue fills them.
"""
from __future__ import annotations

from app.core.domain import Domain

DOMAIN = Domain(
    name="eligibility",
    # models=("app.domains.eligibility.models",) once it holds a model (tortoise warns about a module without one)
    blueprints=("app.domains.eligibility.routes:bp_eligibility",),
    access=("app.domains.eligibility.access",),
    hooks=("app.domains.eligibility.hooks",),
    jobs=("app.domains.eligibility.jobs",),
)
