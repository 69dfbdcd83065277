"""Eligibility's case hooks (app.workflow.service.on_create / on_complete), registered on import.

None yet: the eligibility case types (资格申请, 资格复核) arrive with the next issue; their
completion hooks apply the approved decision in the case's own transaction.
"""
from __future__ import annotations
