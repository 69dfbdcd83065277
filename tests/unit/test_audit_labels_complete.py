"""Every audit action the code writes has a Chinese label, so the 审计日志 never shows a raw code.

The actions are read from the source (`audit.record("<action>", ...)` literals and the child-row
helper's actions), the labels from the registry every installed domain fills at start.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import app.api.core  # noqa: F401 - the core's own routes register nothing, but import the labels' users
from app.core import audit_labels
from app.core.domain import import_all
from app.domains import DOMAINS

ROOT = Path(__file__).resolve().parents[2]
import_all([m for d in DOMAINS for m in d.side_effect_modules()])  # every domain's labels, as at start
LITERAL = re.compile(r'audit\.record\(\s*"([a-z_.]+)"')
# An action picked before the call: `action, summary = "exchange.receive", ...` or `action = "..."`.
CHOSEN = re.compile(r'\baction(?:, \w+)* = "([a-z_]+\.[a-z_.]+)"')


# Any "<object type>.<verb>" string in a module that writes the audit log (an action handed to a helper).
PAIR = re.compile(r'"([a-z_]+)\.([a-z_]+)"')


def _written_actions() -> set[str]:
    found: set[str] = set()
    for d in ("app", "channels", "exchange"):
        for f in (ROOT / d).rglob("*.py"):
            text = f.read_text(encoding="utf-8")
            found.update(LITERAL.findall(text))
            if "audit.record(" in text:
                found.update(CHOSEN.findall(text))
                found.update(f"{a}.{b}" for a, b in PAIR.findall(text) if a in audit_labels.OBJECTS)
    return found


@pytest.mark.feature("GOV-13-05")
def test_every_written_audit_action_has_a_chinese_label():
    actions = _written_actions()
    assert len(actions) > 40  # the scan found the code's actions, not nothing
    missing = sorted(a for a in actions if a not in audit_labels.ACTIONS)
    assert missing == [], f"audit actions without a label in app/core/audit_labels.py or a domain's audit.py: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", audit_labels.ACTIONS[a]) for a in actions)
