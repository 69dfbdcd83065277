"""Plans' taskiq tasks: none; plan against actual is computed when asked (service.plan_progress)."""
from __future__ import annotations
