"""Completion hooks of the project cases (imported at startup by app.server).

Each runs in the transaction of the final approval; an InvalidInput rolls the approval back
and the reviewer reads the reason (app.workflow.service._run_hooks).
"""
from __future__ import annotations

from typing import Any

from app.domains.housing.projects import service as projects
from app.identity.scope import Actor
from app.workflow.models import Case
from app.workflow.service import on_complete, on_create


@on_complete("project_declaration")
async def project_declared(case: Case, tx: Any, actor: Actor) -> None:
    await projects.recognize(case, tx, actor)


@on_complete("project_exit")
async def project_exited(case: Case, tx: Any, actor: Actor) -> None:
    await projects.exit_project(case, tx, actor)


@on_complete("progress_report")
async def progress_reported(case: Case, tx: Any, actor: Actor) -> None:
    await projects.record_progress(case, tx, actor)


@on_create("project_exit")
@on_create("progress_report")
async def check_subject_project(case: Case, tx: Any, actor: Actor) -> None:
    """Refuse at intake, not only at approval, a case about someone else's or an unrecognised project."""
    await projects.case_project(case, tx)
