"""Default document templates. Idempotent: a template key that exists is left as admins edited it."""
from __future__ import annotations

from pathlib import Path

from app.core.context import SystemActor
from app.core.errors import Conflict
from app.documents import templates

HERE = Path(__file__).resolve().parent / "default_templates"

_CASE = {
    "number": "BZSQ-20261120-0003",
    "applicant_name": "陈明",
    "applicant_id_number": "440703199001011239",
    "case_type": "eligibility_application",
    "case_type_name": "保障性租赁住房资格申请",
    "channel": "online",
    "submitted_at": "2026-11-20T02:30:00+00:00",
    "district_code": "440703",
    "promise_days": 15,
    "form": {"household_size": 3},
}
_ORG = {"name": "江门市住房和城乡建设局", "credit_code": "11440700007017834X", "district_code": "440700"}

DEFAULTS = [
    {"key": "eligibility_certificate", "name": "保障性租赁住房资格确认书", "case_type": "eligibility_application",
     "sample": {"case": _CASE, "org": _ORG, "today": "2026-11-26",
                "qualification": {"valid_from": "2026-11-26", "valid_to": "2027-11-25"}}},
    {"key": "case_receipt", "name": "受理回执", "case_type": None,
     "sample": {"case": _CASE, "org": _ORG, "today": "2026-11-20"}},
]


def default_html(key: str) -> str:
    return (HERE / f"{key}.html").read_text(encoding="utf-8")


async def seed() -> None:
    actor = SystemActor()
    for d in DEFAULTS:
        if await templates.latest(d["key"]) is not None:
            continue
        try:
            await templates.create(key=d["key"], name=d["name"], html=default_html(d["key"]), sample=d["sample"],
                                   case_type=d["case_type"], actor=actor)
        except Conflict:
            continue  # another seed run made it a moment ago
