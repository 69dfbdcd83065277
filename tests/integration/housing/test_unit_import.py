"""Excel batch import of 10,000 units into an intake case, through the real worker job.

The first run is all-or-nothing and finds the bad rows (nothing written); the clerk then commits
the valid rows explicitly; a corrected file adds the rest. Row numbers, columns and Chinese
messages are asserted as the clerk sees them.
"""
from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from app.core import files
from app.core.models import AuditLog, Job
from app.domains.housing import unit_import
from app.domains.housing.models import Building, Community, Project, Unit
from app.identity.guard import build_actor
from app.identity.models import Account, Org
from app.identity.scope import Actor
from app.workflow import service
from app.workflow.models import Case

BUILDINGS, FLOORS, PER_FLOOR = 8, 25, 50  # 10,000 rows


@dataclass
class Upload:
    body: bytes
    name: str


async def actor(login: str) -> Actor:
    data = await build_actor((await Account.get(login_name=login)).id)
    return Actor(**{**data, "permissions": frozenset(data["permissions"])})


def workbook(rows: list[tuple]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "房源"
    ws.append([f"{h}*" if req else h for h, req in unit_import.COLUMNS])
    ws.append(list(unit_import.EXAMPLE))  # left in place: skipped
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows() -> list[tuple]:
    out = []
    for b in range(1, BUILDINGS + 1):
        for f in range(1, FLOORS + 1):
            for i in range(1, PER_FLOOR + 1):
                out.append((f"{b}号楼", f"{1 + (i - 1) // 25}单元", f, f"{f}{i:02d}", None,
                            ("一房一厅", "两房一厅")[i % 2], ("45.60", "68.90")[i % 2], None, "住宅", "南北", "简装",
                            "空调、热水器", ("980", "1580.00")[i % 2]))
    return out


async def wait(job_id) -> Job:  # noqa: ANN001
    for _ in range(1200):
        job = await Job.get(id=job_id)
        if job.status in ("done", "failed"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job.status} {job.progress}/{job.total}")


@pytest.mark.feature("GOV-06-03", "BLD-02-03")
async def test_ten_thousand_rows_checked_first_then_committed_by_choice(job_worker):
    from app.worker import broker
    builder = await actor("builder_admin")
    org = await Org.get(id=builder.org_id)
    p = await Project.create(code="XMBH-IMPORT-1", name="导入测试项目", district_code="440703", address="江门",
                             builder_id=org.id, supply_mode="new_build", state="recognized")
    c = await Community.create(name="导入测试小区", address="江门", district_code="440703", project_id=p.id,
                               builder_id=org.id)
    # A unit already in stock: a row naming it must be refused.
    taken = await Building.create(community_id=c.id, name="1号楼", floors=25, district_code="440703",
                                  builder_id=org.id, project_id=p.id)
    await Unit.create(building_id=taken.id, community_id=c.id, district_code="440703", builder_id=org.id,
                      project_id=p.id, floor=1, number="101", area=Decimal("45.6"), state="available")
    case = await service.create_case(
        builder, case_type_key="unit_intake", channel="online", applicant=service.Applicant(kind="ORG", org_id=org.id),
        district_code="440703", org_id=None, subjects={"project_id": p.id, "community_id": c.id}, form={},
        materials=[], submit=False)
    data = rows()
    # Bad rows (Excel row = index + 3: header, example, then data).
    data[10] = data[10][:6] + ("abc",) + data[10][7:]          # row 13: area
    data[20] = data[20][:2] + (0,) + data[20][3:]               # row 23: floor
    data[30] = data[29]                                          # row 33: duplicate of row 32
    data[40] = data[40][:8] + ("商住",) + data[40][9:]          # row 43: residential
    blob = workbook(data)
    assert len(blob) < 2 * 1024 * 1024  # within the test upload limit
    f = await files.save_upload(builder, Upload(blob, "房源导入.xlsx"))
    try:
        t0 = time.monotonic()
        job = await wait((await unit_import.start(builder, case.id, f.id, "all", None)).id)
        checked_in = time.monotonic() - t0
        assert job.status == "done", job.message
        r = job.result
        assert (r["committed"], r["total_rows"], r["error_rows"], r["valid_rows"]) == (False, 10_000, 5, 9_995)
        assert r["example_skipped"] is True and r["can_commit_valid"] is True
        assert job.message == "校验未通过，未导入任何房屋" and job.progress == job.total == 10_001
        by_row = {e["row"]: e for e in job.errors}
        assert by_row[13] == {"row": 13, "column": "建筑面积（㎡）", "message": "建筑面积应为数字"}
        assert by_row[23]["column"] == "楼层" and "不为0" in by_row[23]["message"]
        assert by_row[33] == {"row": 33, "column": "房号", "message": "与第32行重复（同一楼栋房号不能重复）"}
        assert by_row[43]["column"] == "住宅/非住宅"
        assert by_row[3]["column"] == "房号" and "已入库（可配租）" in by_row[3]["message"]  # 1号楼 101
        assert await Unit.filter(intake_case_id=case.id).count() == 0  # all-or-nothing: nothing written
        report, _ = await unit_import.errors_xlsx(builder, job.id)
        ws = load_workbook(io.BytesIO(report)).active
        assert [c.value for c in ws[1]] == ["行号", "列", "错误说明"] and ws.max_row == 6
        # Another account cannot commit or read this import.
        other = await actor("hs_builder_admin")
        with pytest.raises(Exception, match="不存在"):
            await unit_import.commit_valid(other, job.id)

        t0 = time.monotonic()
        job2 = await wait((await unit_import.commit_valid(builder, job.id)).id)
        committed_in = time.monotonic() - t0
        assert job2.status == "done", job2.message
        r2 = job2.result
        assert (r2["committed"], r2["inserted"], r2["reused"], r2["unit_count"]) == (True, 9_995, 0, 9_995)
        assert len(job2.errors) == 5 and job2.message == "导入完成"
        assert await Unit.filter(intake_case_id=case.id, state="not_in_stock").count() == 9_995
        assert await Building.filter(community_id=c.id).count() == BUILDINGS
        b8 = await Building.get(community_id=c.id, name="8号楼")
        assert b8.floors == FLOORS and b8.builder_id == org.id and b8.project_id == p.id
        assert (await Case.get(id=case.id)).form["unit_count"] == 9_995
        u = await Unit.get(building_id=b8.id, number="2501")
        assert (u.area, u.rent_standard_fen, u.facilities, u.layout) == (Decimal("68.90"), 158000, ["空调", "热水器"],
                                                                         "两房一厅")
        assert await AuditLog.filter(action="housing.intake.attach", object_id=str(case.id)).count() == 1
        with pytest.raises(Exception, match="只有校验未通过"):
            await unit_import.commit_valid(builder, job.id)
        # A corrected file (the four fixable rows, plus rows already attached) fills the gaps.
        fixed = [rows()[i] for i in (10, 20, 30, 40, 50)]
        f2 = await files.save_upload(builder, Upload(workbook(fixed), "更正.xlsx"))
        job3 = await wait((await unit_import.start(builder, case.id, f2.id, "all", None)).id)
        assert job3.status == "done" and job3.result["committed"] is True, (job3.message, job3.errors)
        assert (job3.result["inserted"], job3.result["reused"]) == (4, 1)
        assert await Unit.filter(intake_case_id=case.id).count() == 9_999
    finally:
        await broker.shutdown()
    print(f"\n10,000 rows: checked in {checked_in:.1f}s, valid rows written in {committed_in:.1f}s")
    assert committed_in < 120
