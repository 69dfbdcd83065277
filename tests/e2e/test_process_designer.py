"""流程设计 and 表单设计 in a real browser, against the real backend.

The process story: a case of 项目退出 is accepted; the city admin opens the process in the
designer, inserts a 区住建复核 review after 区住建初审 with the 插入审核环节 helper, changes its
time limit in the properties panel, validates and deploys. A case accepted afterwards passes
through the new review; the case accepted before keeps the old steps.

The form story: the admin hides a field from the reviewers in the field permission matrix,
previews the form as the reviewer sees it and saves a new version; the server now serves the
reviewer a form without that field.

Other tests deploy org_info_change and edit complaint's form, so these use project_exit and
unit_intake. Screenshots land in var/screenshots/.
"""
from __future__ import annotations

import secrets

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from app.identity.models import Org
from tests.helpers import staff_token, submit_login

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_PASSWORD = "Demo@2026"
KEY = "project_exit"
FORM_KEY = "unit_intake"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def ui_login(page: Page, admin_url: str, username: str) -> None:
    await page.goto(admin_url + "login")
    await page.locator("[data-test=username]").fill(username)
    await page.locator("[data-test=password]").fill(DEMO_PASSWORD)
    await submit_login(page)  # and the SMS code, for an account that needs a second factor
    await page.wait_for_url(re.compile(r"/admin/dashboard$"))


class Client:
    def __init__(self, base: str, token: str):
        self.c = httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})

    @classmethod
    async def login(cls, base: str, username: str) -> Client:
        async with httpx.AsyncClient(base_url=base) as c:
            return cls(base, await staff_token(c, username))

    async def get(self, path: str, **params) -> dict:
        r = await self.c.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def post(self, path: str, body: dict, status: int = 200) -> dict:
        r = await self.c.post(path, json=body)
        assert r.status_code == status, r.text
        return r.json()


async def new_case(api: Client, org_id: int, project: str) -> dict:
    # An exit is about a recognised project of the applicant's own (checked at intake).
    from app.domains.housing.projects.models import Project
    p = await Project.create(code=f"E2E-{secrets.token_hex(4)}", name=project, district_code="440703",
                             address="江门市蓬江区", builder_id=org_id, supply_mode="new_build", state="recognized")
    case = await api.post("/api/v1/cases", {
        "case_type": KEY, "applicant": {"kind": "ORG", "org_id": org_id}, "subjects": {"project_id": p.id},
        "form": {"project_name": project, "exit_reason": "项目转为市场化租赁，申请退出保障性租赁住房管理"},
        "submit": True}, status=201)
    assert case["status"] == "in_review"
    return case


async def approve_current(api: Client, case_id: int, step_id: str) -> dict:
    """Approve the case's open item at `step_id`; return the case after."""
    case = await api.get(f"/api/v1/cases/{case_id}")
    item = next(i for i in case["work_items"] if i["step_id"] == step_id and i["status"] == "open")
    await api.post(f"/api/v1/work-items/{item['id']}/act", {"action": "approve", "opinion": "同意"})
    return await api.get(f"/api/v1/cases/{case_id}")


def steps(case: dict) -> list[str]:
    return [s["step_id"] for s in case["current_steps"]]


@pytest.mark.feature("SYS-01")
async def test_admin_inserts_a_review_step_and_only_new_cases_take_it(page: Page, admin_url: str, api_url: str):
    api = await Client.login(api_url, "gov_admin")
    org = await Org.get(name="江门市安居建设有限公司")
    before_list = {r["key"]: r for r in (await api.get("/api/v1/processes"))["items"]}
    old_version = before_list[KEY]["version"]
    old_case = await new_case(api, org.id, "安居花园一期")
    assert steps(old_case) == ["first_review"]
    assert [s["step_id"] for s in old_case["process"]["steps"]] == ["submission", "first_review", "approval", "correction"]

    # The list, from the menu.
    await ui_login(page, admin_url, "gov_admin")
    await page.locator('aside [data-menu="config.processes"]').click()
    await page.wait_for_url(re.compile(r"/admin/processes$"))
    row = page.locator("[data-test=process-list] .el-table__body tr").filter(has=page.locator(f'[data-process="{KEY}"]'))
    await expect(row).to_contain_text("项目退出")
    await expect(row).to_contain_text(f"第 {old_version} 版")
    await shot(page, "process-01-list")

    # The designer, on the active version.
    await row.locator("[data-test=process-open]").click()
    await page.wait_for_url(re.compile(rf"/admin/processes/{KEY}$"))
    await expect(page.locator("[data-test=active-version]")).to_have_text(f"当前发布：第 {old_version} 版")
    canvas = page.locator("[data-test=bpmn-canvas]")
    await expect(canvas.locator('[data-element-id="first_review"]')).to_be_visible()
    # Nothing but what the engine runs in the palette.
    await expect(canvas.locator(".djs-palette .entry[data-action='create.user-task']")).to_be_visible()
    await expect(canvas.locator(".djs-palette .entry[data-action='create.subprocess-expanded']")).to_have_count(0)
    await expect(page.locator("[data-test=insert-step]")).to_be_disabled()
    # Nothing selected: the panel shows the process, never diagram-js's placeholder root.
    panel = page.locator("[data-test=bpmn-panel]")
    await expect(panel.locator("[data-test=panel-kind]")).to_have_text("流程")
    await expect(page.locator("[data-test=process-designer]")).not_to_contain_text("__implicitroot")
    # The shipped drawing is laid out (BPMN DI): every line is drawn with its own bends.
    line = canvas.locator('[data-element-id="flow_first_review_return_applicant"] .djs-visual > path').first
    d = await line.get_attribute("d")
    pairs = re.findall(r"(-?\d+(?:\.\d+)?)[ ,](-?\d+(?:\.\d+)?)", d or "")
    assert len(pairs) >= 4, d  # down, along the return lane, down into the correction step: not one straight line
    await shot(page, "process-02-designer-as-shipped")

    # 整理布局 on the shipped drawing moves nothing and is no unpublished change.
    shape = canvas.locator('[data-element-id="end_rejected"]')
    before = await shape.get_attribute("transform")
    await page.locator("[data-test=tidy]").click()
    await expect(page.locator(".el-message").filter(has_text="布局已是整理后的样子")).to_be_visible()
    await expect(shape).to_have_attribute("transform", before)
    await expect(page.locator("[data-test=dirty]")).to_have_count(0)
    await expect(page.locator("[data-test=undo]")).to_be_disabled()
    # (A drawing moved by hand is tidied back to these places: src/lib/bpmn.test.ts.)

    # Select 区住建初审: the panel shows its declaration.
    # Click inside the box, away from the return flows drawn across its middle.
    await canvas.locator('[data-element-id="first_review"]').click(position={"x": 12, "y": 12})
    await expect(panel.locator("[data-test=panel-kind]")).to_have_text("办理环节")
    await expect(panel.locator("[data-test=prop-name]")).to_have_value("区住建初审")
    await expect(panel.locator("[data-test=prop-role]")).to_contain_text("住建经办")
    await expect(panel.locator("[data-test=prop-scope] .is-active")).to_have_text("本区")
    await expect(panel.locator("[data-test=prop-distinct] input")).not_to_be_checked()
    await expect(panel.locator('[data-test=prop-actions] [data-action="return_previous"] input')).not_to_be_checked()
    await shot(page, "process-02-designer")

    # 插入审核环节 after it.
    await page.locator("[data-test=insert-step]").click()
    dlg = page.locator("[data-test=insert-step-dialog]")
    await expect(dlg).to_be_visible()
    await dlg.locator("[data-test=insert-name]").fill("区住建复核")
    await expect(dlg.locator("[data-test=insert-id]")).to_have_value("review")
    effects = dlg.locator("[data-test=insert-effects]")
    await expect(effects).to_contain_text("通过 → 市住建审批")
    await expect(effects).to_contain_text("退回申请人 → 申请人补正，补正后回到“区住建复核”")
    await expect(effects).to_contain_text("“市住建审批”的退回上一步改为退回到“区住建复核”")
    await expect(dlg.locator("[data-test=insert-distinct] input")).to_be_checked()
    await shot(page, "process-03-insert-dialog")
    await dlg.locator("[data-test=insert-confirm]").click()
    await expect(dlg).to_be_hidden()
    await expect(canvas.locator('[data-element-id="review"]')).to_be_visible()
    await expect(canvas.locator('[data-element-id="gw_review"]')).to_be_visible()
    await expect(page.locator("[data-test=dirty]")).to_be_visible()

    # The new step is selected; give it 3 working days in the panel.
    await expect(panel.locator("[data-test=prop-name]")).to_have_value("区住建复核")
    sla = panel.locator("[data-test=prop-sla] input")
    await sla.fill("3")
    await sla.press("Enter")
    await expect(panel.locator("[data-test=step-problems]")).to_have_count(0)
    await expect(panel.locator("[data-test=prop-distinct] input")).to_be_checked()  # 须由不同人员办理
    await shot(page, "process-04-inserted")

    # The new branches are ordinary flows with CEL conditions; the rejected end declares its outcome.
    await canvas.locator('[data-element-id="flow_review_reject_label"]').click()
    await expect(panel.locator("[data-test=panel-kind]")).to_have_text("顺序流")
    await expect(panel.locator("[data-test=prop-condition]")).to_have_value('action == "reject"')
    await expect(panel.locator('[data-pick="reject"]')).to_have_class(re.compile("el-button--primary"))
    await shot(page, "process-04b-flow")
    await canvas.locator('[data-element-id="end_rejected"]').click()
    await expect(panel.locator("[data-test=panel-kind]")).to_have_text("结束事件")
    await expect(panel.locator("[data-test=prop-outcome] .is-active")).to_have_text("驳回")

    # 校验: the server parses it and lists the steps.
    await page.locator("[data-test=validate]").click()
    result = page.locator("[data-test=validation]")
    await expect(result.locator("[data-test=validation-ok]")).to_be_visible()
    card = result.locator('[data-step="review"]')
    await expect(card).to_contain_text("区住建复核")
    await expect(card).to_contain_text("住建审批 · 本区 · 3 个工作日")
    await expect(card).to_contain_text("通过、驳回、退回上一步、退回申请人")
    await shot(page, "process-05-validated")

    # 发布 with a note.
    await page.locator("[data-test=deploy]").click()
    deploy = page.locator("[data-test=deploy-dialog]")
    await expect(deploy).to_contain_text("运行中的业务件保持原版本")
    await deploy.locator("[data-test=deploy-note]").fill("区住建初审后增加复核环节")
    await shot(page, "process-06-deploy")
    await deploy.locator("[data-test=deploy-confirm]").click()
    await expect(page.locator(".el-message--success").filter(has_text="运行中的业务件保持原版本")).to_be_visible()
    new_version = old_version + 1
    await expect(page.locator("[data-test=active-version]")).to_have_text(f"当前发布：第 {new_version} 版")
    await expect(page.locator("[data-test=dirty]")).to_have_count(0)

    # Version history, and the old version read-only.
    await page.locator("[data-test=versions]").click()
    drawer = page.locator("[data-test=versions-drawer]")
    first = drawer.locator(".el-table__body tr").first
    await expect(first).to_contain_text(f"第 {new_version} 版")
    await expect(first).to_contain_text("当前")
    await expect(first).to_contain_text("区住建初审后增加复核环节")
    await expect(first).to_contain_text("王建华")
    await shot(page, "process-07-versions")
    old_row = drawer.locator(".el-table__body tr").filter(has=page.locator(f'[data-version="{old_version}"]'))
    await old_row.locator("[data-test=version-view]").click()
    viewer = page.locator("[data-test=version-viewer]")
    await expect(viewer.locator('[data-element-id="first_review"]')).to_be_visible()
    await expect(viewer.locator('[data-element-id="review"]')).to_have_count(0)
    await shot(page, "process-08-old-version")
    await viewer.locator(".el-dialog__headerbtn").click()

    # The server holds the new version, with the note and who deployed it.
    versions = (await api.get(f"/api/v1/processes/{KEY}/versions"))["items"]
    assert versions[0]["version"] == new_version and versions[0]["active"] is True
    assert versions[0]["note"] == "区住建初审后增加复核环节" and versions[0]["deployed_by_name"] == "王建华"
    deployed = await api.get(f"/api/v1/processes/{KEY}/versions/{new_version}")
    review = next(s for s in deployed["steps"] if s["step_id"] == "review")
    assert review == {"step_id": "review", "name": "区住建复核", "role": "gov_supervisor", "scope": "DISTRICT",
                      "sla_days": 3, "actions": ["approve", "reject", "return_previous", "return_applicant"],
                      "distinct_handler": True}
    assert 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"' in deployed["xml"]

    # A new case goes through the review; the old one keeps its version and skips it.
    new_case_ = await new_case(api, org.id, "安居花园二期")
    assert new_case_["process"]["version"] == new_version
    assert "review" in [s["step_id"] for s in new_case_["process"]["steps"]]
    after = await approve_current(api, new_case_["id"], "first_review")
    assert steps(after) == ["review"]
    assert after["current_steps"][0]["name"] == "区住建复核"
    # Whoever did the first review may not take the new one (须由不同人员办理): the second city approver does.
    case_now = await api.get(f"/api/v1/cases/{new_case_['id']}")
    item = next(i for i in case_now["work_items"] if i["step_id"] == "review")
    r = await api.c.post(f"/api/v1/work-items/{item['id']}/act", json={"action": "approve"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "DUTY_SEPARATION", r.text
    director = await Client.login(api_url, "gov_director")
    after = await approve_current(director, new_case_["id"], "review")
    assert steps(after) == ["approval"]

    old_after = await approve_current(api, old_case["id"], "first_review")
    assert old_after["process"]["version"] == old_version
    assert steps(old_after) == ["approval"]
    assert "review" not in [s["step_id"] for s in old_after["process"]["steps"]]
    listed = {r["key"]: r for r in (await api.get("/api/v1/processes"))["items"]}
    assert listed[KEY]["version"] == new_version


@pytest.mark.feature("SYS-01")
async def test_admin_hides_a_field_from_reviewers_and_saves_a_form_version(page: Page, admin_url: str, api_url: str):
    api = await Client.login(api_url, "gov_admin")
    before = await api.get(f"/api/v1/forms/{FORM_KEY}")
    assert {f["field"] for f in before["rules"]} >= {"project_name", "note"}

    await ui_login(page, admin_url, "gov_admin")
    await page.locator('aside [data-menu="config.forms"]').click()
    await page.wait_for_url(re.compile(r"/admin/forms$"))
    row = page.locator("[data-test=form-list] .el-table__body tr").filter(has=page.locator(f'[data-form="{FORM_KEY}"]'))
    await expect(row).to_contain_text("房源入库")
    await shot(page, "form-01-list")
    await row.locator("[data-test=form-open]").click()
    await page.wait_for_url(re.compile(rf"/admin/forms/{FORM_KEY}$"))
    await expect(page.locator("[data-test=form-version]")).to_have_text(f"当前版本：第 {before['version']} 版")
    designer = page.locator("[data-test=form-designer]")
    await expect(designer.locator("._fc-designer")).to_be_visible()
    await expect(designer.locator("._fc-designer")).to_contain_text("项目名称")
    # No English "Class" setting shown, no "Powered by FormCreate" link.
    async def nothing_shown(loc) -> None:  # noqa: ANN001
        for i in range(await loc.count()):
            await expect(loc.nth(i)).to_be_hidden()
    await nothing_shown(designer.get_by_text("Class", exact=True))
    await nothing_shown(designer.locator("a[href*='form-create.com']"))
    await designer.locator("._fd-drag-mask").first.click()  # select the first field: its settings show
    await nothing_shown(designer.get_by_text("Class", exact=True))
    await shot(page, "form-02-designer")

    # The matrix: reviewers read by default; hide 说明 at 区住建初审.
    await page.locator("[data-test=tab-perms]").click()
    matrix = page.locator("[data-test=perm-matrix]")
    await expect(matrix.locator('[data-cell="submission.note"] .is-active')).to_have_text("可编辑")
    await expect(matrix.locator('[data-cell="first_review.note"] .is-active')).to_have_text("只读")
    await matrix.locator('[data-cell="first_review.note"] [data-perm="hidden"]').click()
    await expect(matrix.locator('[data-cell="first_review.note"] .is-active')).to_have_text("隐藏")
    await shot(page, "form-03-permissions")

    # Preview as 区住建初审: 说明 gone, the rest disabled.
    await page.locator("[data-test=form-preview-open]").click()
    preview = page.locator("[data-test=form-preview]")
    await preview.locator('[data-test=preview-step] [data-step="first_review"]').click()
    form = preview.locator("[data-test=preview-form]")
    await expect(form).to_contain_text("项目名称")
    await expect(form).not_to_contain_text("说明")
    await expect(form.locator("input").first).to_be_disabled()
    await expect(preview).to_contain_text("隐藏 1")
    await shot(page, "form-04-preview-review")
    await preview.locator('[data-test=preview-step] [data-step="submission"]').click()
    await expect(form).to_contain_text("说明")
    await expect(form.locator("input").first).to_be_enabled()
    await preview.locator(".el-dialog__headerbtn").click()

    # Save as a new version.
    await page.locator("[data-test=form-save]").click()
    dlg = page.locator("[data-test=form-save-dialog]")
    await dlg.locator("[data-test=form-note]").fill("审核环节不显示申报说明")
    await dlg.locator("[data-test=form-save-confirm]").click()
    await expect(page.locator(".el-message--success").filter(has_text=f"已保存为第 {before['version'] + 1} 版")).to_be_visible()
    await expect(page.locator("[data-test=form-version]")).to_have_text(f"当前版本：第 {before['version'] + 1} 版")

    after = await api.get(f"/api/v1/forms/{FORM_KEY}")
    assert after["version"] == before["version"] + 1
    assert after["field_perms"]["first_review"]["note"] == "hidden"
    assert after["field_perms"]["submission"]["note"] == "edit"
    assert after["field_perms"]["approval"]["project_name"] == "read"
    assert [f["field"] for f in after["rules"] if f.get("field")] == [f["field"] for f in before["rules"]]
    versions = (await api.get(f"/api/v1/forms/{FORM_KEY}/versions"))["items"]
    assert versions[0]["note"] == "审核环节不显示申报说明" and versions[0]["created_by_name"] == "王建华"
