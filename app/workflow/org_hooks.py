"""Completion hooks of identity's case types (单位信息变更).

They live in workflow, not identity: identity sits below workflow (workflow scopes its cases with
identity's rules), so a hook that needs the case and applies it to an org belongs to the layer
that knows both."""
from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.errors import InvalidInput
from app.identity.models import Org
from app.identity.scope import Actor
from app.workflow.models import Case
from app.workflow.service import on_complete

ORG_FIELDS = ("contact_name", "contact_phone", "address")


@on_complete("org_info_change")
async def apply_org_info_change(case: Case, tx: Any, actor: Actor) -> None:
    """单位信息变更办结: the approved values replace the org's own."""
    org = await Org.filter(id=case.applicant_org_id or 0).select_for_update().using_db(tx).first()
    if org is None:
        raise InvalidInput("申请单位已不存在，无法变更")
    changes = {k: case.form[k] for k in ORG_FIELDS if case.form.get(k)}
    if not changes:
        return
    before = {k: getattr(org, k) for k in changes}
    for k, v in changes.items():
        setattr(org, k, v)
    await org.save(using_db=tx, update_fields=[*changes, "updated_at"])
    await audit.record("org.update", "org", org.id, using=tx, before=before, after=changes,
                       summary=f"单位信息变更办结 {case.number}")
