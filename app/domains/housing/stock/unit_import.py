"""Excel batch import of units into an intake case (GOV-06-03): template, row checks, the job.

The upload only queues a job (app.jobs progress, taskiq worker task `housing.unit_import`); the
job's total (data rows, the example row excluded) is counted when it is queued, so progress never
reads 0/0. The job checks every row first, in Python and then against the register, and reports
each problem with its Excel row, column and a Chinese message. By default nothing is written when
any row is bad (all-or-nothing); the clerk may then explicitly import only the valid rows of the
same file. A building the community does not have yet (a typo such as 99栋) is never created
silently: the check lists the new buildings and nothing is written until the clerk confirms them
(`commit`). Units are unique per entrance, so 1单元101 and 2单元101 of one building both import.
Writing is a handful of bulk statements in one transaction (intake.apply_plan).
"""
from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from tortoise.exceptions import IntegrityError

from app import jobs
from app.core import audit
from app.core import files as file_store
from app.core.context import current_actor
from app.core.db import uow
from app.core.errors import AppError, Conflict, InvalidInput, NotFound
from app.core.models import Job, StoredFile
from app.core.money import parse_decimal, yuan_to_fen
from app.domains.housing.stock import intake
from app.domains.housing.stock import units
from app.domains.housing.stock.intake import Draft
from app.domains.housing.stock.models import Building
from app.domains.housing.stock.schemas import (
    DECORATIONS, FACILITIES, LAYOUTS, MAX_AREA, MAX_RENT, ORIENTATIONS, layout_problem,
)
from app.identity.scope import Actor, get_scoped, scoped
from app.identity.guard import build_actor

log = logging.getLogger("arh.housing")
KIND = "housing.unit_import"
TASK_NAME = "housing.unit_import"  # the taskiq task in housing/jobs.py
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20_000
MAX_ERRORS = 20_000
SHEET = "房源"
# (header, required); the template writes required headers with a trailing *.
COLUMNS = [("楼栋", True), ("单元", False), ("楼层", True), ("房号", True), ("不动产单元号", False), ("户型", False),
           ("建筑面积（㎡）", True), ("套内面积（㎡）", False), ("住宅/非住宅", False), ("朝向", False), ("装修", False),
           ("配套设施", False), ("租金标准（元/月）", False)]
HEADERS = [h for h, _ in COLUMNS]
EXAMPLE = ("1栋", "1单元", 12, "1201", "440703001001GB00101F00011201", "两房一厅", 68.9, 55.2, "住宅", "南北", "精装",
           "空调、热水器", 1580)
_SPLIT = re.compile(r"[、,，;；\s]+")


# ------------------------------------------------------------------ template

def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([f"{h}*" if req else h for h, req in COLUMNS])
    ws.append(list(EXAMPLE))
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center")
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    ws["A2"].comment = Comment("示例行：原样保留时导入会跳过；请从第3行起填写，或改写本行。", "保租房平台")
    widths = [10, 8, 6, 8, 32, 12, 14, 14, 12, 8, 8, 24, 16]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"
    last = MAX_ROWS + 1
    for col, values, title in (("F", LAYOUTS, "户型"), ("I", ("住宅", "非住宅"), "住宅/非住宅"),
                               ("J", ORIENTATIONS, "朝向"), ("K", DECORATIONS, "装修")):
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle=title, error=f"请从下拉列表中选择{title}")
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    for col, title in (("C", "楼层"),):
        dv = DataValidation(type="whole", operator="between", formula1="-10", formula2="200", allow_blank=False,
                            showErrorMessage=True, errorTitle=title, error="楼层应为 -10 到 200 之间的整数，且不为0")
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    for col in ("G", "H", "M"):
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="数字", error="请填写数字")
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    help_ws = wb.create_sheet("填写说明")
    for line in [
        "房源批量导入说明",
        "1. 在“房源”工作表从第3行起每行填写一套房屋；带 * 的列必填。第2行为示例，原样保留时导入会跳过。",
        "2. 同一单元内房号不能重复。按单元编号的楼栋（1单元、2单元都有101）请填写“单元”列，如 2单元 101；"
        "没有单元的楼栋，同一楼栋内房号不能重复。",
        "3. 楼层为整数，地下层用负数；建筑面积、套内面积单位为平方米，最多两位小数；套内面积不能大于建筑面积。",
        "4. 不动产单元号为28位字母或数字，可不填；填写时不能与已登记的房屋重复。",
        f"5. 户型只能是：{'、'.join(LAYOUTS)}（可不填）。住宅/非住宅不填时按住宅处理；户型、朝向、装修请从下拉列表选择。",
        f"6. 配套设施用顿号分隔，如：{'、'.join(FACILITIES[:4])}。租金标准为每月元数，最多两位小数。",
        "7. 单元不存在时自动新建。小区中还没有的楼栋不会直接新建：校验结果会列出将新建的楼栋，"
        "确认无误（不是笔误）后才新建并导入；楼栋层数按导入的最高楼层自动补足。",
        f"8. 每个文件最多 {MAX_ROWS} 行。导入先校验全部行：默认全部无误才导入；有错误时可下载错误清单修改后重新导入，"
        "或选择“只导入无误的行”。",
    ]:
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 110
    help_ws["A1"].font = Font(bold=True, size=14)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ reading and checking rows

def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_rows(data: bytes) -> list[tuple[int, tuple]]:
    """(Excel row number, the 13 cells) of every non-empty data row; refuses a foreign layout."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is the uploader's problem
        raise InvalidInput("无法读取该 Excel 文件，请使用下载的模板（.xlsx）填写", code="IMPORT_FILE_UNREADABLE") from e
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        head = next(it, None)
        got = [_cell_text(x).rstrip("*").strip() for x in (head or ())][:len(HEADERS)]
        if got != HEADERS:
            bad = next((i for i, h in enumerate(HEADERS) if i >= len(got) or got[i] != h), 0)
            raise InvalidInput(f"表头与模板不一致：第{bad + 1}列应为“{HEADERS[bad]}”，请下载最新模板",
                               code="IMPORT_BAD_HEADER")
        rows = []
        for n, values in enumerate(it, start=2):
            cells = tuple(values[:len(HEADERS)]) + (None,) * (len(HEADERS) - len(values or ()))
            if all(_cell_text(v) == "" for v in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(f"单个文件最多导入{MAX_ROWS}行，请分批导入", code="IMPORT_TOO_MANY_ROWS")
            rows.append((n, cells))
        return rows
    finally:
        wb.close()


def is_example(cells: tuple) -> bool:
    return [_cell_text(v) for v in cells] == [_cell_text(v) for v in EXAMPLE]


def count_rows(data: bytes) -> int:
    """The data rows a file holds, the untouched example row excluded, from the sheet's recorded
    dimension and its second row only (no pass over the rows): the job's total from the start.
    0 when the file does not say (the job then counts while reading)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - the job reports an unreadable file with its message
        return 0
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        last = ws.max_row or 0
        if last < 2:
            return 0
        second = next(ws.iter_rows(min_row=2, max_row=2, values_only=True), ())
        cells = tuple(second[:len(HEADERS)]) + (None,) * (len(HEADERS) - len(second or ()))
        return min(last - 1 - (1 if is_example(cells) else 0), MAX_ROWS)
    finally:
        wb.close()


def validate_row(row: int, cells: tuple) -> tuple[Draft | None, list[dict]]:
    """One row to a Draft, or every problem of the row (column and Chinese message)."""
    errors: list[dict] = []
    t = [_cell_text(v) for v in cells]

    def bad(col: int, message: str) -> None:
        errors.append({"row": row, "column": HEADERS[col], "message": message})

    for i, (h, req) in enumerate(COLUMNS):
        if req and not t[i]:
            bad(i, "必填")
    building, entrance, number = t[0], t[1] or None, t[3]
    if len(building) > 64:
        bad(0, "不能超过64个字")
    if entrance and len(entrance) > 32:
        bad(1, "不能超过32个字")
    if len(number) > 16:
        bad(3, "不能超过16个字")
    floor = None
    if t[2]:
        try:
            floor = int(Decimal(t[2]))
            if Decimal(t[2]) != floor or not -10 <= floor <= 200 or floor == 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            bad(2, "应为 -10 到 200 之间的整数，且不为0")
            floor = None
    register_id = t[4] or None
    if register_id and not re.fullmatch(r"[0-9A-Za-z]{28}", register_id):
        bad(4, "应为28位字母或数字")
    layout = t[5] or None
    if layout and (problem := layout_problem(layout)):
        bad(5, problem)
    area = inner = None
    if t[6]:
        try:
            area = parse_decimal(t[6], "建筑面积", positive=True, limit=MAX_AREA)
        except ValueError as e:
            bad(6, str(e))
    if t[7]:
        try:
            inner = parse_decimal(t[7], "套内面积", positive=True, limit=MAX_AREA)
            if area is not None and inner > area:
                bad(7, "套内面积不能大于建筑面积")
        except ValueError as e:
            bad(7, str(e))
    residential = True
    if t[8]:
        if t[8] not in ("住宅", "非住宅"):
            bad(8, "只能填写“住宅”或“非住宅”")
        residential = t[8] == "住宅"
    orientation = t[9] or None
    if orientation and orientation not in ORIENTATIONS:
        bad(9, f"只能是：{'、'.join(ORIENTATIONS)}")
    decoration = t[10] or None
    if decoration and decoration not in DECORATIONS:
        bad(10, f"只能是：{'、'.join(DECORATIONS)}")
    facilities = list(dict.fromkeys(x for x in _SPLIT.split(t[11]) if x)) if t[11] else []
    unknown = [x for x in facilities if x not in FACILITIES]
    if unknown:
        bad(11, f"“{unknown[0][:16]}”不在可选范围内，可选：{'、'.join(FACILITIES)}（用顿号分隔）")
    rent_fen = None
    if t[12]:
        try:
            rent_fen = yuan_to_fen(parse_decimal(t[12], "租金标准", positive=False, limit=MAX_RENT))
        except ValueError as e:
            bad(12, str(e))
    if errors:
        return None, errors
    return Draft(building_name=building, floor=floor, number=number, area=area, row=row, entrance_name=entrance,
                 register_id=register_id, layout=layout, inner_area=inner, residential=residential,
                 orientation=orientation, decoration=decoration, facilities=facilities, rent_fen=rent_fen), []


# ------------------------------------------------------------------ starting, committing, reporting

async def enqueue(job_id: str) -> None:
    """Queue the job on RabbitMQ; the API process opens its producer connection on first use."""
    try:
        await jobs.send(TASK_NAME, job_id)
    except Exception as e:  # noqa: BLE001 - say so on the job instead of leaving it queued forever
        log.exception("could not queue unit import %s", job_id)
        await jobs.finish(job_id, failed=True, message="任务队列暂不可用，请稍后重新导入")
        raise AppError("任务队列暂不可用，请稍后重新导入", code="QUEUE_UNAVAILABLE", status=503) from e


async def start(actor: Actor, case_id: int, file_id: uuid.UUID, mode: str, community_id: int | None) -> Job:
    f = await scoped(StoredFile, actor).filter(id=file_id).first()
    if f is None:
        raise InvalidInput("文件不存在或无权使用，请重新上传", fields={"file_id": "文件不存在"})
    if f.mime != XLSX:
        raise InvalidInput("请上传 Excel（.xlsx）文件，可先下载导入模板", fields={"file_id": "不是 xlsx 文件"})
    case, cid = await intake.get_editable_ctx(actor, case_id, community_id)
    total = await asyncio.to_thread(count_rows, await file_store.storage().get(f.sha256))
    job = await jobs.create(KIND, actor, {"case_id": case.id, "case_number": case.number, "file_id": str(f.id),
                                          "file_name": f.original_name, "mode": mode, "community_id": cid},
                            total=total)
    await audit.record("housing.intake.import", "case", case.id, only_changes=False,
                       after={"case": case.number, "job_id": str(job.id), "file": f.original_name, "mode": mode},
                       summary=f"{case.number} 批量导入房源：{f.original_name}"[:255])
    await enqueue(str(job.id))
    return job


async def _own_job(actor: Actor, import_id: uuid.UUID) -> Job:
    job = await scoped(Job, actor).filter(id=import_id, kind=KIND).first()
    if job is None:
        raise NotFound("导入任务不存在或无权查看")
    return job


async def commit(actor: Actor, import_id: uuid.UUID, valid_only: bool, new_buildings: list[str]) -> Job:
    """After a checked run that imported nothing: import the same file after all, only its valid
    rows (`valid_only`) and/or creating the new buildings the check listed (each must be named)."""
    await _own_job(actor, import_id)
    async with uow() as tx:
        # The checked run is taken once: a second click (or a racing one) finds it consumed.
        old = await Job.filter(id=import_id).select_for_update().using_db(tx).get()
        r = old.result or {}
        if old.status != "done" or r.get("committed") is not False or r.get("followed_by"):
            raise Conflict("只有校验后尚未导入的任务可以继续导入", code="IMPORT_NOT_COMMITTABLE")
        if r.get("error_rows") and not valid_only:
            raise Conflict("文件有错误行：请改正后重新导入，或选择只导入无误的行", code="IMPORT_HAS_ERRORS")
        if valid_only and not r.get("valid_rows"):
            raise Conflict("该文件没有无误的行可导入", code="IMPORT_NOTHING_VALID")
        named = {b["name"] for b in r.get("new_buildings") or []}
        if valid_only:
            named = {b["name"] for b in r.get("new_buildings") or [] if b.get("valid_units", b["unit_count"])}
        missing = sorted(named - set(new_buildings))
        if missing:
            raise InvalidInput(f"请确认新建楼栋：{'、'.join(missing[:10])}（如为笔误，请改正文件后重新导入）",
                               code="IMPORT_CONFIRM_BUILDINGS", fields={"new_buildings": "未确认全部新建楼栋"})
        p = old.params
        case, cid = await intake.get_editable_ctx(actor, p["case_id"], p.get("community_id"))
        mode = "valid_only" if valid_only else p.get("mode", "all")
        confirmed = sorted(set(new_buildings))
        total = r.get("total_rows") or old.total or 0
        job = await jobs.create(KIND, actor, {**p, "mode": mode, "community_id": cid, "after": str(old.id),
                                              "confirm_new_buildings": confirmed}, total=total)
        old.result = {**r, "followed_by": str(job.id), "can_commit_valid": False, "can_confirm": False}
        await old.save(using_db=tx, update_fields=["result"])
        what = "只导入无误的行" if valid_only else "确认后导入"
        await audit.record("housing.intake.import", "case", case.id, using=tx, only_changes=False,
                           after={"case": case.number, "job_id": str(job.id), "mode": mode,
                                  "after": str(old.id), "new_buildings": confirmed},
                           summary=(f"{case.number} {what}：{p.get('file_name')}"
                                    + (f"，确认新建楼栋 {'、'.join(confirmed)}" if confirmed else ""))[:255])
    await enqueue(str(job.id))
    return job


async def commit_valid(actor: Actor, import_id: uuid.UUID) -> Job:
    """After an all-or-nothing run found bad rows: import the valid rows of the same file."""
    return await commit(actor, import_id, True, [])


async def errors_xlsx(actor: Actor, import_id: uuid.UUID) -> tuple[bytes, str]:
    job = await _own_job(actor, import_id)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    ws.append(["行号", "列", "错误说明"])
    for e in job.errors or []:
        ws.append([e.get("row"), e.get("column"), e.get("message")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), f"房源导入错误清单-{job.params.get('case_number', '')}.xlsx"


# ------------------------------------------------------------------ the job (runs in the worker)

async def _actor(account_id: int | None) -> Actor | None:
    data = await build_actor(account_id) if account_id else None
    return Actor(**{**data, "permissions": frozenset(data["permissions"])}) if data else None


async def run(job_id: str) -> dict:
    job = await Job.filter(id=job_id).first()
    if job is None or job.status != "queued":
        return {}
    actor = await _actor(job.created_by_id)
    if actor is None:
        await jobs.finish(job_id, failed=True, message="发起导入的账号已停用")
        return {}
    current_actor.set(actor)
    p = job.params
    try:
        result, errors = await _run(job_id, actor, p)
    except AppError as e:
        await jobs.finish(job_id, failed=True, message=f"导入失败：{e.message}")
        return {}
    except IntegrityError:
        await jobs.finish(job_id, failed=True, message="导入失败：房号或不动产单元号已被其他申请占用，请重新导入")
        return {}
    except Exception:  # noqa: BLE001 - the clerk sees a failed job, the log the cause
        log.exception("unit import %s failed", job_id)
        await jobs.finish(job_id, failed=True, message="导入失败：系统错误，请联系系统管理员")
        return {}
    message = "导入完成" if result["committed"] else "校验未通过，未导入任何房屋" if errors else \
        f"有{len(result['new_buildings'])}栋新楼栋待确认，未导入任何房屋"
    await jobs.finish(job_id, result, errors[:MAX_ERRORS], message=message)
    return result


async def _run(job_id: str, actor: Actor, p: dict) -> tuple[dict, list[dict]]:
    f = await StoredFile.filter(id=p["file_id"]).first()
    if f is None:
        raise InvalidInput("导入文件已不存在，请重新上传")
    rows = await asyncio.to_thread(read_rows, await file_store.storage().get(f.sha256))
    example = 1 if rows and rows[0][0] == 2 and is_example(rows[0][1]) else 0
    total = len(rows) - example  # data rows: what the clerk wrote, without the template's example
    if rows and not total:
        raise InvalidInput("文件中只有示例行，没有要导入的房屋")
    if not total:
        raise InvalidInput("文件中没有要导入的房屋")
    # Progress: checking the rows is the first half, the register check and the write the rest.
    await jobs.progress(job_id, 0, total, f"正在校验，共{total}行")
    drafts, errors = [], []
    for i, (n, cells) in enumerate(rows[example:], start=1):
        d, errs = validate_row(n, cells)
        if d is not None:
            drafts.append(d)
        errors += errs
        if i % 2000 == 0:
            await jobs.progress(job_id, i // 2, total, f"已校验{i}/{total}行")
    await jobs.progress(job_id, total // 2, total, "正在核对已登记的房屋")
    async with uow() as tx:
        ctx = await intake.edit_ctx(actor, p["case_id"], tx)
        community = await intake.use_community(actor, ctx, p.get("community_id"), tx)
        plan = await intake.plan_units(tx, ctx, community, drafts)
        errors += [{k: e[k] for k in ("row", "column", "message")} for e in plan.errors]
        bad_rows = {e["row"] for e in errors}
        known = set(await Building.filter(community_id=community.id).using_db(tx).values_list("name", flat=True))
        new_buildings = plan.new_buildings(known)
        valid_new = {b["name"]: b["unit_count"] for b in plan.keep(bad_rows).new_buildings(known)}
        for b in new_buildings:
            b["valid_units"] = valid_new.get(b["name"], 0)
        stats = {"total_rows": total, "valid_rows": total - len(bad_rows),
                 "error_rows": len(bad_rows), "example_skipped": bool(example), "case_id": ctx.case.id,
                 "community_id": community.id, "new_buildings": new_buildings}
        confirmed = set(p.get("confirm_new_buildings") or [])
        unconfirmed = [b for b in new_buildings if b["valid_units"] and b["name"] not in confirmed]
        if (errors and p["mode"] != "valid_only") or unconfirmed:
            await jobs.progress(job_id, total, total, "校验完成")
            return ({**stats, "committed": False, "inserted": 0, "reused": 0,
                     "needs_confirmation": bool(unconfirmed), "can_confirm": bool(unconfirmed) and not
                     (errors and p["mode"] != "valid_only"),
                     "can_commit_valid": stats["valid_rows"] > 0 and bool(errors)}, sorted(errors, key=_order))
        keep = plan.keep(bad_rows)
        if not keep.size:
            raise InvalidInput("没有无误的行可导入")
        await jobs.progress(job_id, total * 3 // 4, total, "正在写入")
        added, reused, _ = await intake.apply_plan(tx, ctx, community, keep)
        n = await intake.refresh_case(tx, ctx)
        created = [b["name"] for b in new_buildings if b["valid_units"]]
        await audit.record("housing.intake.attach", "case", ctx.case.id, using=tx, only_changes=False,
                           after={"case": ctx.case.number, "how": "批量导入", "job_id": job_id,
                                  "community_id": community.id, "added": added, "reused": reused,
                                  "error_rows": len(bad_rows), "new_buildings": created},
                           summary=(f"{ctx.case.number} 批量导入：新增{added}套，重新纳入{reused}套，跳过{len(bad_rows)}行"
                                    + (f"，新建楼栋 {'、'.join(created)}" if created else ""))[:255])
    await units.changed()
    await jobs.progress(job_id, total, total, "导入完成")
    return ({**stats, "committed": True, "inserted": added, "reused": reused, "unit_count": n,
             "needs_confirmation": False, "can_confirm": False, "can_commit_valid": False},
            sorted(errors, key=_order))


def _order(e: dict) -> tuple:
    return (e.get("row") or 0, HEADERS.index(e["column"]) if e.get("column") in HEADERS else 99)


async def job_out(actor: Actor, job: Job) -> dict:
    await get_scoped(Job, actor, job.id)
    return {"job_id": str(job.id), "status": job.status, "status_url": f"/api/v1/jobs/{job.id}",
            "errors_url": f"/api/v1/housing/unit-imports/{job.id}/errors"}
