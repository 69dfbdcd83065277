"""The case loop in a real browser against the real backend.

A city clerk takes in a 保障申请 at the window for a walk-in applicant of 蓬江区, with a scanned
ID card (a real PNG). The city admin opens it from their todo and returns it to the applicant;
the clerk, who acts for the walk-in applicant, finds it back in their todo, corrects the form
and resubmits; the admin approves every review step from the todo until the case is 办结; the
clerk then sees both of their submissions in 已办 and the finished case in 业务查询.
Separation of duties holds on screen: the admin who did the first review is offered no button on
市住建复审 (it shows as 待签收 under 当前进度) and a second city approver takes it. A returned case
offers its submitter 撤回 beside 提交. A builder reading its own declaration sees the bureau's step as
it stands (待签收, then 办理中 and by whom) and no 签收, 办理 or 转办 button.
The window's 受理回执 and the certificate issued with the final approval are sealed PDFs on the case.
Screenshots of every page land in var/screenshots/.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Page, expect

from app.documents.models import IssuedDocument
from app.identity.models import Account
from app.workflow.models import Case, CaseEvent, CaseMaterial, WorkItem
from tests.helpers import make_id_number, staff_token, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(350)
    await page.screenshot(path=str(SCREENSHOTS / f"case-{name}.png"), full_page=True)


async def ui_login(page: Page, admin_url: str, username: str) -> None:
    await page.goto(admin_url + "login")
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(DEMO_PASSWORD)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))


async def ui_logout(page: Page) -> None:
    await page.locator("[data-test=logout]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await page.wait_for_url(re.compile(r"/admin/login"))


async def menu(page: Page, code: str, path: str) -> None:
    await page.locator(f'aside [data-menu="{code}"]').click()
    await page.wait_for_url(re.compile(rf"/admin/{path}$"))


async def search(page: Page, text: str) -> None:
    await page.locator("[data-test=single-value] input").fill(text)
    await page.locator("[data-test=search]").click()


def rows(page: Page, text: str):
    return page.locator(".el-table__body tr.el-table__row").filter(has_text=text)


def form_item(page: Page, title: str):
    return page.locator(".case-form .el-form-item").filter(has=page.locator("label", has_text=title))


async def pick(page: Page, trigger, option: str) -> None:
    await trigger.click()
    await page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


async def open_from_todo(page: Page, number: str, step: str) -> None:
    await menu(page, "work.todo", "todo")
    await search(page, number)
    row = rows(page, number)
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(step)
    await row.locator("[data-test=todo-handle]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    await expect(page.locator("[data-test=case-number]")).to_have_text(number)


async def act(page: Page, action: str, result: str) -> None:
    panel = page.locator("[data-test=action-panel]")
    await panel.locator(f"[data-test=act-{action}]").click()
    if action in ("return_applicant", "reject", "return_previous"):
        await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect(page.locator("[data-test=action-result]")).to_contain_text(result)


def id_card_png(path: Path) -> Path:
    """A small but real scan-like PNG: a card outline with lines of "text"."""
    img = Image.new("RGB", (856, 540), (246, 248, 252))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([12, 12, 844, 528], radius=28, outline=(30, 60, 120), width=6)
    d.rectangle([600, 90, 800, 330], fill=(210, 218, 232))
    for i, w in enumerate((420, 360, 480, 300, 520)):
        d.rectangle([60, 100 + i * 70, 60 + w, 124 + i * 70], fill=(70, 80, 100))
    img.save(path, "PNG")
    return path


async def api_get(api_url: str, token: str, path: str, **params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api_url) as c:
        return await c.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


async def api_token(api_url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=api_url) as c:
        return await staff_token(c, username)


@pytest.mark.feature("SYS-02", "GOV-01-02", "GOV-01-03", "GOV-02-05")
async def test_window_intake_return_resubmit_and_approve_to_complete(
        page: Page, admin_url: str, api_url: str, tmp_path: Path):
    applicant = "陈" + secrets.choice(["晓明", "志远", "嘉欣", "慧琳", "国强"])
    id_number = make_id_number("440703", "19880312")
    phone = f"139{secrets.randbelow(10**8):08d}"
    scan = id_card_png(tmp_path / "身份证正面.png")
    clerk = await Account.get(login_name="gov_clerk")
    admin = await Account.get(login_name="gov_admin")

    # 1. 窗口受理 by the city clerk, for 蓬江区, with a scanned ID card
    await ui_login(page, admin_url, "gov_clerk")
    await menu(page, "work.intake", "intake")
    await shot(page, "01-intake-types")
    await page.locator("[data-test=intake-type][data-type=eligibility_application]").click()
    await page.locator("[data-test=intake-name]").fill(applicant)
    await page.locator("[data-test=intake-id-number]").fill(id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
    await page.locator("[data-test=intake-phone]").fill(phone)
    await page.locator("[data-test=intake-next]").click()
    # A wrong check digit is caught before anything is sent.
    await expect(page.locator("[data-test=intake-applicant]")).to_contain_text("身份证号校验位不正确")
    await page.locator("[data-test=intake-id-number]").fill(id_number)
    await pick(page, page.locator("[data-test=intake-district]"), "蓬江区")
    await form_item(page, "家庭人口").locator("input").fill("3")
    await form_item(page, "家庭月收入").locator("input").fill("4200")
    await pick(page, form_item(page, "现住房情况").locator(".el-select"), "租房居住")
    await form_item(page, "申请理由").locator("textarea").fill("家庭无自有住房，租房居住，申请保障性租赁住房。")
    await shot(page, "02-intake-applicant")
    await page.locator("[data-test=intake-next]").click()
    await page.locator("[data-test=material-input]").set_input_files(str(scan))
    item = page.locator("[data-test=material-item]")
    await expect(item).to_contain_text("已上传")
    await expect(item.locator("[data-test=material-type]")).to_contain_text("身份证明")
    await expect(page.locator("[data-test=material-coverage]")).to_contain_text("身份证明（1）")
    await shot(page, "03-intake-materials")
    await page.locator("[data-test=intake-submit]").click()
    await page.wait_for_url(re.compile(r"/admin/cases/\d+$"))
    number = (await page.locator("[data-test=case-number]").inner_text()).strip()
    assert re.fullmatch(r"BZSQ-\d{8}-\d{4,}", number), number
    await expect(page.locator("[data-test=case-status]")).to_have_text("审核中")
    await expect(page.locator("[data-test=case-steps]")).to_have_text("区住建初审")
    await expect(page.locator("[data-test=applicant]")).to_contain_text(applicant)
    # The applicant's ID number and phone are shown masked.
    await expect(page.locator("[data-test=applicant]")).not_to_contain_text(id_number)
    await page.locator("[data-test=tab-materials]").click()
    await expect(page.locator("[data-test=material-card]")).to_have_count(1)
    await page.locator("[data-test=material-card]").click()
    await expect(page.locator("[data-test=preview-image]")).to_be_visible()
    assert await page.locator("[data-test=preview-image]").evaluate("img => img.naturalWidth") == 856
    await shot(page, "04-detail-material-preview")
    await page.keyboard.press("Escape")
    await shot(page, "05-detail-after-intake")
    # The window hands the applicant a sealed 受理回执.
    await page.locator("[data-test=tab-documents]").click()
    await page.locator("[data-test=issue-receipt]").click()
    await page.locator(".el-message-box__btns .el-button--primary").click()
    await expect(page.locator("[data-test=preview-pdf]")).to_be_visible(timeout=60_000)
    await shot(page, "05-receipt")
    await page.keyboard.press("Escape")
    await expect(page.locator("[data-test=documents]")).to_contain_text("受理回执")

    case = await Case.get(number=number)
    assert (case.status, case.channel, case.district_code, case.case_type) == \
        ("in_review", "onsite", "440703", "eligibility_application")
    assert case.applicant_name == applicant and case.submitter_id == clerk.id
    assert case.form["household_size"] == 3 and case.form["current_housing"] == "租房居住"
    mats = await CaseMaterial.filter(case_id=case.id)
    assert [(m.material_type, m.mime, m.name) for m in mats] == [("身份证明", "image/png", "身份证正面.png")]
    receipt = await IssuedDocument.get(case_id=case.id, template_key="case_receipt")
    assert receipt.status == "valid" and receipt.issued_by_id == clerk.id
    first = await WorkItem.get(case_id=case.id, status="open")
    assert (first.step_id, first.assignee_id) == ("first_review", None)
    await ui_logout(page)

    # 2. the admin opens it from todo and returns it to the applicant
    await ui_login(page, admin_url, "gov_admin")
    await menu(page, "work.todo", "todo")
    await search(page, number)
    await expect(rows(page, number)).to_contain_text("待签收")
    await shot(page, "06-admin-todo")
    await open_from_todo(page, number, "区住建初审")
    await expect(page.locator("[data-test=case-form]")).to_contain_text("租房居住")
    await page.locator("[data-test=action-panel] [data-test=act-return_applicant]").click()
    await expect(page.locator("[data-test=opinion-error]")).to_have_text("退回申请人须说明需补正的内容")
    await page.locator("[data-test=phrase]", has_text="材料不全，请补正").click()
    await page.locator("[data-test=opinion]").fill("材料不全，请补正：请补充工作单位。")
    await shot(page, "07-admin-return")
    await act(page, "return_applicant", "已退回申请人补正")
    await expect(page.locator("[data-test=case-status]")).to_have_text("退回补正")
    await shot(page, "08-admin-returned")

    await case.refresh_from_db()
    assert case.status == "returned"
    ev = await CaseEvent.filter(case_id=case.id, action="return_applicant").first()
    assert ev is not None and ev.actor_id == admin.id and ev.opinion == "材料不全，请补正：请补充工作单位。"
    fix = await WorkItem.get(case_id=case.id, status="open")
    assert fix.assignee_id == clerk.id, "the correction goes back to whoever submitted"
    await ui_logout(page)

    # 3. the clerk corrects and resubmits from their todo (撤回 is offered too, while it is returned)
    await ui_login(page, admin_url, "gov_clerk")
    await open_from_todo(page, number, "申请人补正")
    panel = page.locator("[data-test=action-panel]")
    await expect(panel.locator("[data-test=act-submit]")).to_be_visible()
    await expect(panel.locator("[data-test=act-withdraw]")).to_be_visible()
    await page.locator("[data-test=tab-events]").click()
    await expect(page.locator("[data-test=case-timeline]")).to_contain_text("请补充工作单位")
    await page.locator("[data-test=tab-info]").click()
    await form_item(page, "工作单位").locator("input").fill("江门市蓬江区某物流有限公司")
    await shot(page, "09-clerk-correction")
    await act(page, "submit", "当前环节：区住建初审")
    await expect(page.locator("[data-test=case-status]")).to_have_text("审核中")
    await shot(page, "10-clerk-resubmitted")

    await case.refresh_from_db()
    assert case.status == "in_review" and case.form["work_unit"] == "江门市蓬江区某物流有限公司"
    assert await CaseEvent.filter(case_id=case.id, action="submit", actor_id=clerk.id).count() == 2
    await ui_logout(page)

    # 4. the admin approves the first review; 市住建复审 must be someone else's (须由不同人员办理), so the
    #    admin sees it only as a step in progress and the second city approver takes it; the admin
    #    then approves the publicity.
    director = await Account.get(login_name="gov_director")
    await ui_login(page, admin_url, "gov_admin")
    await open_from_todo(page, number, "区住建初审")
    await page.locator("[data-test=phrase]", has_text="同意").first.click()
    await act(page, "approve", "已通过")
    await shot(page, "11-admin-approved-1")
    panel = page.locator("[data-test=action-panel]")
    await expect(panel.locator("[data-test=act-approve]")).to_have_count(0)
    await expect(panel.locator("[data-test=act-claim]")).to_have_count(0)
    # As a supervisor the admin may still hand the step to someone else (转办), nothing more.
    held = panel.locator("[data-test=my-work-item][data-step=second_review]")
    await expect(held).to_contain_text("待签收")
    await expect(held.locator("[data-test=transfer-only-hint]")).to_be_visible()
    await expect(held.locator("[data-test=act-transfer]")).to_be_visible()
    await shot(page, "11-admin-separation-of-duties")
    await menu(page, "work.todo", "todo")
    await search(page, number)
    await expect(rows(page, number)).to_have_count(0)
    await ui_logout(page)
    await ui_login(page, admin_url, "gov_director")
    await open_from_todo(page, number, "市住建复审")
    await page.locator("[data-test=phrase]", has_text="同意").first.click()
    await act(page, "approve", "已通过")
    await shot(page, "11-director-approved-2")
    await ui_logout(page)
    await ui_login(page, admin_url, "gov_admin")
    await open_from_todo(page, number, "资格审核结果公示")
    await page.locator("[data-test=phrase]", has_text="同意").first.click()
    await act(page, "approve", "已通过")
    await shot(page, "11-admin-approved-3")
    await expect(page.locator("[data-test=case-status]")).to_have_text("办结")
    await expect(page.locator("[data-test=action-result]")).to_have_text("已通过，业务已办结")
    await page.locator("[data-test=tab-events]").click()
    await shot(page, "12-complete-timeline")
    # The final approval issues the sealed 资格确认书 bound to this case type.
    await page.locator("[data-test=tab-documents]").click()
    await expect(page.locator("[data-test=documents] .el-table__body tr")).to_have_count(2)
    await shot(page, "12-complete-documents")

    await case.refresh_from_db()
    assert case.status == "complete" and case.finished_at is not None
    assert await WorkItem.filter(case_id=case.id, status="open").count() == 0
    approvals = await CaseEvent.filter(case_id=case.id, action="approve").order_by("id")
    assert [(e.step_id, e.actor_id) for e in approvals] == [
        ("first_review", admin.id), ("second_review", director.id), ("publicity", admin.id)]
    assert sorted(await IssuedDocument.filter(case_id=case.id).values_list("template_key", flat=True)) == \
        ["case_receipt", "eligibility_certificate"]
    # The finished case has left the admin's todo.
    admin_token = await api_token(api_url, "gov_admin")
    r = await api_get(api_url, admin_token, "/api/v1/todo", case_number=number)
    assert r.status_code == 200 and r.json()["total"] == 0
    await ui_logout(page)

    # 5. the clerk sees their two submissions in 已办, and the finished case in 业务查询
    await ui_login(page, admin_url, "gov_clerk")
    await menu(page, "work.done", "done")
    await search(page, number)
    done = rows(page, number)
    await expect(done).to_have_count(2)
    await expect(done.filter(has_text="申请人补正")).to_contain_text("提交")
    await shot(page, "13-clerk-done")
    await menu(page, "work.cases", "cases")
    await search(page, number)
    await expect(rows(page, number)).to_have_count(1)
    await expect(rows(page, number).locator("[data-test=case-row-status]")).to_have_text("办结")
    await shot(page, "14-clerk-cases")

    clerk_token = await api_token(api_url, "gov_clerk")
    r = await api_get(api_url, clerk_token, "/api/v1/done", case_number=number)
    assert r.status_code == 200
    assert sorted((i["step_id"], i["action"]) for i in r.json()["items"]) == \
        [("correction", "submit"), ("submission", "submit")]
    r = await api_get(api_url, clerk_token, "/api/v1/cases", number=number)
    assert r.status_code == 200 and [(c["number"], c["status"]) for c in r.json()["items"]] == [(number, "complete")]


@pytest.mark.feature("SYS-02", "GOV-01-02", "GOV-13-02", "BLD-04-02")
async def test_the_applicant_sees_the_bureaus_step_as_it_stands(page: Page, admin_url: str, api_url: str):
    """builder_admin's own 单位信息变更: no 签收/办理/转办 on the bureau's step, its real state instead."""
    from app.identity.models import Org
    org = await Org.get(name="江门市安居建设有限公司")
    builder_token = await api_token(api_url, "builder_admin")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {builder_token}"}) as c:
        r = await c.post("/api/v1/cases", json={
            "case_type": "org_info_change", "applicant": {"kind": "ORG", "org_id": org.id},
            "form": {"contact_name": "张建新", "address": "江门市蓬江区建设三路88号", "reason": "联系人变更"}})
        assert r.status_code == 201, r.text
        case_id, number = r.json()["id"], r.json()["number"]

    await ui_login(page, admin_url, "builder_admin")
    await page.goto(admin_url + f"cases/{case_id}")
    await expect(page.locator("[data-test=case-number]")).to_have_text(number)
    panel = page.locator("[data-test=action-panel]")
    state = panel.locator("[data-test=step-state][data-step=first_review]")
    await expect(state).to_contain_text("市住建初审")
    await expect(state).to_contain_text("待签收")
    for b in ("act-claim", "act-approve", "act-transfer", "my-work-item"):
        await expect(panel.locator(f"[data-test={b}]")).to_have_count(0)
    await expect(panel).not_to_contain_text("已由他人签收")
    await expect(panel.locator("[data-test=act-withdraw]")).to_be_visible()  # the review has not begun
    await shot(page, "15-applicant-unclaimed")

    # The bureau's clerk claims it: the builder now reads 办理中 and a masked name.
    clerk_token = await api_token(api_url, "gov_clerk")
    item = await WorkItem.get(case_id=case_id, status="open")
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {clerk_token}"}) as c:
        assert (await c.post(f"/api/v1/work-items/{item.id}/claim")).status_code == 200
    await page.reload()
    await expect(state).to_contain_text("办理中（刘*燕）")
    await expect(panel.locator("[data-test=act-withdraw]")).to_have_count(0)
    await expect(panel.locator("[data-test=act-transfer]")).to_have_count(0)
    await page.locator("[data-test=tab-events]").click()
    await expect(page.locator("[data-test=open-items]")).to_contain_text("办理中（刘*燕）")
    await shot(page, "16-applicant-claimed")
    item = await WorkItem.get(id=item.id)
    assert item.assignee_name == "刘晓燕" and item.status == "open"
