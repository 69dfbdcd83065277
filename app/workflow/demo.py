"""Demo cases for `make run`: a todo list with something in it, in each state a clerk meets.

Made through the real service, as the demo accounts, so every row, event and audit entry
is what the platform itself would write. Runs once: skipped when any case exists.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from app.core import files
from app.core.idcard import check_digit
from app.identity import access as _identity_access  # noqa: F401 - data-scope rules for files
from app.identity.guard import build_actor
from app.identity.models import Account, Org
from app.identity.scope import Actor
from app.workflow import access as _case_access  # noqa: F401 - data-scope rules for cases
from app.workflow import service
from app.workflow.models import Case, WorkItem


@dataclass
class _Upload:
    body: bytes
    name: str


def _scan(title: str) -> bytes:
    img = Image.new("RGB", (640, 400), (246, 246, 240))
    d = ImageDraw.Draw(img)
    d.rectangle((20, 20, 620, 380), outline=(120, 120, 120), width=3)
    d.text((40, 40), title.encode("ascii", "ignore").decode() or "scan", fill=(40, 40, 40))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _id(first17: str) -> str:
    return first17 + check_digit(first17)


async def _actor(login: str) -> Actor:
    acc = await Account.get(login_name=login)
    return Actor(**await build_actor(acc.id))


async def _material(actor: Actor, name: str, kind: str) -> dict:
    f = await files.save_upload(actor, _Upload(_scan(name), f"{name}.png"))
    return {"file_id": str(f.id), "material_type": kind}


async def _step(case: Case, step_id: str) -> WorkItem:
    return await WorkItem.get(case_id=case.id, step_id=step_id, status="open")


async def seed_demo() -> None:
    if await Case.exists():
        return
    clerk, pj, admin = await _actor("gov_clerk"), await _actor("pj_clerk"), await _actor("gov_admin")
    builder, operator = await _actor("builder_admin"), await _actor("operator_admin")

    async def eligibility(name: str, idn: str, district: str, income: float, size: int) -> Case:
        return await service.create_case(
            clerk, case_type_key="eligibility_application", channel="onsite",
            applicant=service.Applicant(kind="PERSON", name=name, id_number=idn, phone="13800000001"),
            district_code=district, org_id=None, subjects=None,
            form={"household_size": size, "monthly_income": income, "current_housing": "租房居住",
                  "work_unit": "江门市某制造有限公司", "reason": "新就业青年，本市无自有住房"},
            materials=[await _material(clerk, "ID card", "身份证明"),
                       await _material(clerk, "Income proof", "收入证明")], submit=True)

    # Waiting at the district's first review (pj_clerk's todo).
    await eligibility("陈明", "440703199001011239", "440703", 4200, 2)
    await eligibility("梁晓华", _id("44070319950312001"), "440703", 3600, 1)
    # Returned to the applicant for correction (gov_clerk's todo).
    c = await eligibility("李芳", "440704198506150025", "440703", 5100, 3)
    await service.act(pj, (await _step(c, "first_review")).id, "return_applicant", "请补充近6个月社保缴纳证明")
    # Approved all the way: complete, with its sealed certificate.
    c = await eligibility("吴志勇", _id("44070519920808003"), "440703", 3900, 3)
    await service.act(pj, (await _step(c, "first_review")).id, "approve", "材料齐全，符合条件")
    await service.act(admin, (await _step(c, "second_review")).id, "approve", "同意")
    await service.act(clerk, (await _step(c, "publicity")).id, "approve", "公示期满无异议")
    # A builder's org change waiting at the city, and a tenant's repair waiting for dispatch.
    org = await Org.get(id=builder.org_id)
    await service.create_case(
        builder, case_type_key="org_info_change", channel="online",
        applicant=service.Applicant(kind="ORG", org_id=org.id), district_code=None, org_id=None, subjects=None,
        form={"contact_name": "张建国", "contact_phone": "13800000011", "address": "江门市蓬江区建设三路88号",
              "reason": "单位办公地址变更"}, materials=[], submit=True)
    await service.create_case(
        operator, case_type_key="repair", channel="onsite",
        applicant=service.Applicant(kind="PERSON", name="陈明", id_number="440703199001011239",
                                    phone="13800000001"),
        district_code="440703", org_id=operator.org_id, subjects=None,
        form={"location": "江门市蓬江区保障房A栋1203", "category": "水电", "description": "卫生间水龙头漏水",
              "preferred_time": "工作日晚上"}, materials=[], submit=True)
