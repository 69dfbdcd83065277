"""Excel batch import of 10,000 units into an intake case, through the real worker job.

The first run is all-or-nothing and finds the bad rows (nothing written) and the buildings it
would create; the clerk then commits the valid rows explicitly, confirming those buildings; a
corrected file adds the rest. Buildings are numbered per entrance (1单元101 and 2单元101 in every
building). Row numbers, columns and Chinese messages are asserted as the clerk sees them.
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
from app.domains.housing.stock import unit_import
from app.core.errors import AppError
from app.domains.housing.projects.models import Project
from app.domains.housing.stock.models import Building, Community, Entrance, Unit
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
                # Numbered per entrance: each building's 1单元 and 2单元 both have 101 … 125.
                out.append((f"{b}号楼", f"{1 + (i - 1) // 25}单元", f, f"{f}{(i - 1) % 25 + 1:02d}", None,
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
async def test_ten_thousand_rows_checked_first_then_committed_by_choice(job_worker):  # noqa: PLR0915
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
    e1 = await Entrance.create(building_id=taken.id, name="1单元", sort_order=1)
    await Unit.create(building_id=taken.id, entrance_id=e1.id, community_id=c.id, district_code="440703",
                      builder_id=org.id, project_id=p.id, floor=1, number="101", area=Decimal("45.6"),
                      state="available")
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
        queued = await unit_import.start(builder, case.id, f.id, "all", None)
        # The total is known when the job is queued, without the example row: never 0/0, never 10,001.
        assert (queued.total, queued.progress) == (10_000, 0)
        job = await wait(queued.id)
        checked_in = time.monotonic() - t0
        assert job.status == "done", job.message
        r = job.result
        assert (r["committed"], r["total_rows"], r["error_rows"], r["valid_rows"]) == (False, 10_000, 5, 9_995)
        assert r["example_skipped"] is True and r["can_commit_valid"] is True
        assert job.message == "校验未通过，未导入任何房屋" and job.progress == job.total == 10_000
        # 2号楼 … 8号楼 are not in the community yet: listed, not created.
        assert [(b["name"], b["unit_count"]) for b in r["new_buildings"]] == [
            (f"{n}号楼", 1_250) for n in range(2, 9)]
        assert r["needs_confirmation"] is True and await Building.filter(community_id=c.id).count() == 1
        by_row = {e["row"]: e for e in job.errors}
        assert by_row[13] == {"row": 13, "column": "建筑面积（㎡）", "message": "建筑面积应为数字"}
        assert by_row[23]["column"] == "楼层" and "不为0" in by_row[23]["message"]
        assert by_row[33] == {"row": 33, "column": "房号",
                              "message": "1号楼2单元105 与第32行重复（同一单元内房号不能重复）"}
        assert by_row[43]["column"] == "住宅/非住宅"
        # 1号楼1单元101 is in stock; 1号楼2单元101 (row 28) is another unit and no clash.
        assert by_row[3]["column"] == "房号" and by_row[3]["message"].startswith("1号楼1单元101 已入库（可配租）")
        assert 28 not in by_row
        assert await Unit.filter(intake_case_id=case.id).count() == 0  # all-or-nothing: nothing written
        report, _ = await unit_import.errors_xlsx(builder, job.id)
        ws = load_workbook(io.BytesIO(report)).active
        assert [c.value for c in ws[1]] == ["行号", "列", "错误说明"] and ws.max_row == 6
        # Another account cannot commit or read this import.
        other = await actor("hs_builder_admin")
        with pytest.raises(Exception, match="不存在"):
            await unit_import.commit_valid(other, job.id)

        # Only the valid rows, but the new buildings are not confirmed: refused, the run stays open.
        with pytest.raises(AppError) as refused:
            await unit_import.commit_valid(builder, job.id)
        assert refused.value.code == "IMPORT_CONFIRM_BUILDINGS" and "2号楼" in refused.value.message
        with pytest.raises(AppError) as refused:
            await unit_import.commit(builder, job.id, False, [f"{n}号楼" for n in range(2, 9)])
        assert refused.value.code == "IMPORT_HAS_ERRORS"
        t0 = time.monotonic()
        job2 = await wait((await unit_import.commit(builder, job.id, True, [f"{n}号楼" for n in range(2, 9)])).id)
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
        both = await Unit.filter(building_id=b8.id, number="2501").order_by("entrance_id") \
            .values("entrance__name", "area", "rent_standard_fen", "facilities", "layout")
        assert [u["entrance__name"] for u in both] == ["1单元", "2单元"]  # one 2501 per entrance
        assert (both[0]["area"], both[0]["rent_standard_fen"], both[0]["facilities"], both[0]["layout"]) == (
            Decimal("68.90"), 158000, ["空调", "热水器"], "两房一厅")
        assert await AuditLog.filter(action="housing.intake.attach", object_id=str(case.id)).count() == 1
        with pytest.raises(Exception, match="只有校验后尚未导入"):
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


def row(building: str, entrance: str | None, floor: int, number: str, layout: str | None = "两房一厅") -> tuple:
    return (building, entrance, floor, number, None, layout, "68.90", None, "住宅", "南北", "简装", None, "1580")


@pytest.mark.feature("GOV-06-03", "BLD-02-03")
async def test_a_typo_building_is_listed_for_confirmation_and_a_layout_must_be_configured(job_worker):
    from app.worker import broker
    builder = await actor("builder_admin")
    org = await Org.get(id=builder.org_id)
    c = await Community.create(name="笔误测试小区", address="江门", district_code="440703", builder_id=org.id)
    b1 = await Building.create(community_id=c.id, name="1栋", floors=6, district_code="440703", builder_id=org.id)
    case = await service.create_case(
        builder, case_type_key="unit_intake", channel="online", applicant=service.Applicant(kind="ORG", org_id=org.id),
        district_code="440703", org_id=None, subjects={"community_id": c.id}, form={}, materials=[], submit=False)
    try:
        # 户型 holds an 18-digit ID number: refused on its row, in Chinese, naming the allowed layouts.
        bad = [row("1栋", "1单元", 1, "101"), row("1栋", "1单元", 1, "102", "440703199001011234")]
        f = await files.save_upload(builder, Upload(workbook(bad), "户型.xlsx"))
        job = await wait((await unit_import.start(builder, case.id, f.id, "all", None)).id)
        assert job.result["committed"] is False and job.result["error_rows"] == 1
        [e] = job.errors
        assert (e["row"], e["column"]) == (4, "户型")
        assert e["message"].startswith("户型“440703199001011234”不在配置的户型中，可选：单间、一房一厅")
        assert await Unit.filter(intake_case_id=case.id).count() == 0

        # 1栋 exists; 99栋 is a typo for 9栋 and 2单元101 sits beside 1单元101 in 1栋.
        good = [row("1栋", "1单元", 1, "101"), row("1栋", "2单元", 1, "101"), row("99栋", None, 3, "301")]
        f = await files.save_upload(builder, Upload(workbook(good), "新楼栋.xlsx"))
        queued = await unit_import.start(builder, case.id, f.id, "all", None)
        assert queued.total == 3
        job = await wait(queued.id)
        r = job.result
        assert (r["committed"], r["error_rows"], r["needs_confirmation"], r["can_confirm"]) == (False, 0, True, True)
        assert r["new_buildings"] == [{"name": "99栋", "unit_count": 1, "first_row": 5, "valid_units": 1}]
        assert job.message == "有1栋新楼栋待确认，未导入任何房屋" and job.errors == []
        assert await Building.filter(community_id=c.id).count() == 1  # nothing created silently
        assert await Unit.filter(intake_case_id=case.id).count() == 0
        # Confirming without naming 99栋 is refused; naming it imports all three.
        with pytest.raises(AppError) as refused:
            await unit_import.commit(builder, job.id, False, ["9栋"])
        assert refused.value.code == "IMPORT_CONFIRM_BUILDINGS" and "99栋" in refused.value.message
        job2 = await wait((await unit_import.commit(builder, job.id, False, ["99栋"])).id)
        assert job2.status == "done" and job2.result["committed"] is True, (job2.message, job2.errors)
        assert job2.result["inserted"] == 3
        units = await Unit.filter(intake_case_id=case.id).order_by("id").values(
            "building__name", "entrance__name", "number")
        assert [(u["building__name"], u["entrance__name"], u["number"]) for u in units] == [
            ("1栋", "1单元", "101"), ("1栋", "2单元", "101"), ("99栋", None, "301")]
        assert await Building.filter(community_id=c.id, name="99栋").count() == 1
        audit = await AuditLog.filter(action="housing.intake.import", object_id=str(case.id)).order_by("-id").first()
        assert audit.after["new_buildings"] == ["99栋"] and "确认新建楼栋 99栋" in audit.summary
        assert (await AuditLog.filter(action="housing.intake.attach", object_id=str(case.id)).order_by("-id")
                .first()).after["new_buildings"] == ["99栋"]
        # The same unit twice in one entrance is a row error; in another entrance it is not.
        again = [row("1栋", "3单元", 2, "201"), row("1栋", "3单元", 2, "201"), row("1栋", "1单元", 2, "201")]
        f = await files.save_upload(builder, Upload(workbook(again), "重复.xlsx"))
        job3 = await wait((await unit_import.start(builder, case.id, f.id, "all", None)).id)
        assert [(e["row"], e["message"]) for e in job3.errors] == [
            (4, "1栋3单元201 与第3行重复（同一单元内房号不能重复）")]
        assert job3.result["new_buildings"] == [] and job3.result["committed"] is False
    finally:
        await broker.shutdown()
    assert b1.id
