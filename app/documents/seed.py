"""Default document templates. Idempotent: a template key that exists is left as admins edited it."""
from __future__ import annotations

from pathlib import Path

from app.core.context import SystemActor
from app.core.errors import Conflict
from app.core.idcard import check_digit
from app.documents import templates

HERE = Path(__file__).resolve().parent / "default_templates"

# The sample person is obviously fictitious: a well-formed ID number (born 2000-01-01, sequence 000,
# its check digit computed) that no account holds, and a phone number of zeros. Sample data is
# stored in plain JSON, so it must never be a real or demo person's.
SAMPLE_ID_NUMBER = "44070320000101000" + check_digit("44070320000101000")
SAMPLE_PHONE = "13000000000"

_CASE = {
    "number": "BZSQ-20261120-0003",
    "applicant_name": "示例申请人",
    "applicant_id_number": SAMPLE_ID_NUMBER,
    "applicant_phone": SAMPLE_PHONE,
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
    # Left unbound: the housing hook issues it itself, to link it to the project it recognises.
    {"key": "project_recognition_certificate", "name": "保障性租赁住房项目认定书", "case_type": None,
     "sample": {"case": {**_CASE, "number": "XMSB-20261120-0001", "applicant_name": "江门市安居建设有限公司",
                         "case_type": "project_declaration", "case_type_name": "项目申报", "form": {}},
                "org": _ORG, "today": "2026-11-26", "builder": {"name": "江门市安居建设有限公司",
                                                                "credit_code": "91440703MA4UJ8KX2R"},
                "project": {"code": "XMBH-20261126-0001", "name": "滨江保障公寓", "district_name": "蓬江区",
                            "address": "江门市蓬江区白沙大道西88号", "supply_mode_name": "新建", "unit_count": 396,
                            "building_area": "26000.00", "total_investment_fen": 15000000000,
                            "buildings": [{"name": "1栋", "floors": 33, "planned_units": 264},
                                          {"name": "2栋", "floors": 17, "planned_units": 132}]},
                "qualification": {"valid_from": "2026-11-26", "valid_to": "2031-11-25"}}},
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
