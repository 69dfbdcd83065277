"""Cases over HTTP: intake, todo/done, every action, permissions, data scope, versions.

Each test makes its own cases through the real API and checks the response, the rows and
the audit log.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import secrets

import pytest
from PIL import Image

from app.core.models import AuditLog
from app.identity.models import Account, Org, Role
from app.identity.passwords import hash_password
from app.workflow.models import Case, CaseEvent, CaseMaterial, WorkItem
from channels.messages.models import Message
from tests.helpers import DEMO_PASSWORD, make_id_number

PJ, JH = "440703", "440704"
FORM = {"household_size": 3, "monthly_income": 4200.5, "current_housing": "租房居住", "reason": "家庭住房困难"}


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


async def upload(api, t: str, path: str = "/api/v1/files/") -> str:  # noqa: ANN001
    r = await api.post(path, t, files={"file": ("身份证.png", png(), "image/png")})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def intake(api, t: str, *, case_type: str = "eligibility_application", district: str = PJ,  # noqa: ANN001
                 form: dict | None = None, materials: int = 1, submit: bool = True, **extra) -> dict:
    mats = [{"file_id": await upload(api, t), "material_type": "身份证明"} for _ in range(materials)]
    payload = {"case_type": case_type, "district_code": district, "form": FORM if form is None else form,
               "applicant": {"kind": "PERSON", "name": "黄丽", "id_number": make_id_number(PJ),
                             "phone": "13912345678"}, "materials": mats, "submit": submit} | extra
    r = await api.post("/api/v1/cases", t, json=payload)
    assert r.status_code == 201, r.text
    return r.json()


async def patch(api, path: str, t: str, **kw):  # noqa: ANN001, ANN201
    return await api.client.patch(path, headers=api._h(t), **kw)


async def open_item(case_id: int, step: str) -> WorkItem:
    return await WorkItem.get(case_id=case_id, step_id=step, status="open")


async def staff_in(api, org_name: str, perms: list[str], position: str = "clerk") -> str:  # noqa: ANN001
    """A staff account in a named org with a role of its own; returns a session token."""
    org = await Org.get(name=org_name)
    tag = secrets.token_hex(3)
    role = await Role.create(org=org, name=f"测试{tag}", permissions=perms)
    acc = await Account.create(kind="STAFF", login_name=f"c{tag}", name=f"员工{tag}", org=org, position=position,
                               password_hash=await hash_password(DEMO_PASSWORD),
                               password_changed_at=dt.datetime.now(dt.timezone.utc))
    await acc.roles.add(role)
    return await api.login(f"c{tag}")


def todo_ids(body: dict) -> set[int]:
    return {i["case_id"] for i in body["items"]}


@pytest.mark.feature("SYS-02", "GOV-01-02")
async def test_onsite_intake_creates_a_numbered_case_routed_to_the_district(api, token):
    t = await token("gov_clerk")
    case = await intake(api, t, materials=2)
    assert re.fullmatch(r"BZSQ-\d{8}-\d{4}", case["number"])
    assert case["status"] == "in_review" and case["channel"] == "onsite"
    assert case["applicant_id_number"].startswith("4407") and "*" in case["applicant_id_number"]
    assert case["current_steps"] == [{"step_id": "first_review", "name": "区住建初审"}]
    assert len(case["materials"]) == 2 and case["materials"][0]["material_type"] == "身份证明"
    assert [e["action"] for e in case["events"]] == ["create", "submit"]
    row = await Case.get(id=case["id"])
    assert row.submitted_at is not None and row.form["household_size"] == 3 and row.applicant_id_number
    item = await open_item(case["id"], "first_review")
    assert (item.role, item.scope, item.district_code, item.assignee_id) == ("gov_clerk", "DISTRICT", PJ, None)
    assert item.due_date is not None and item.due_date > dt.date.today()
    assert await AuditLog.filter(object_type="case", object_id=str(case["id"]), action="case.submit").exists()
    # The material is readable through the case, by a reviewer who did not upload it.
    pj = await token("pj_clerk")
    m = case["materials"][0]
    r = await api.get(m["url"], pj)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    # The district's clerks are told about the new todo.
    pj_id = (await Account.get(login_name="pj_clerk")).id
    assert await Message.filter(account_id=pj_id, ref_type="work_item", ref_id=str(item.id)).exists()


@pytest.mark.feature("SYS-02")
async def test_bad_intake_is_refused_in_chinese_and_writes_nothing(api, token):
    t = await token("gov_clerk")
    before = await Case.all().count()
    fid = await upload(api, t)
    base = {"case_type": "eligibility_application", "district_code": PJ, "form": FORM,
            "applicant": {"kind": "PERSON", "name": "黄丽", "id_number": make_id_number(PJ)},
            "materials": [{"file_id": fid, "material_type": "身份证明"}]}
    bad_id = make_id_number(PJ)[:-1] + ("0" if make_id_number(PJ)[-1] != "0" else "1")
    cases = [
        (base | {"applicant": base["applicant"] | {"id_number": "440703199001011230"}}, "applicant.id_number"),
        (base | {"case_type": "no_such_type"}, "case_type"),
        (base | {"form": {k: v for k, v in FORM.items() if k != "reason"}}, "reason"),
        (base | {"form": FORM | {"household_size": "三"}}, "household_size"),
        (base | {"form": FORM | {"current_housing": "别墅"}}, "current_housing"),
        (base | {"form": FORM | {"salary": 1}}, "salary"),
        (base | {"district_code": "110101"}, "district_code"),
        (base | {"materials": [{"file_id": "00000000-0000-4000-8000-000000000000", "material_type": "x"}]},
         "materials.0.file_id"),
        (base | {"applicant": {"kind": "ORG", "org_id": 1}}, "applicant.kind"),
    ]
    assert bad_id
    for payload, field in cases:
        r = await api.post("/api/v1/cases", t, json=payload)
        assert r.status_code == 422, (field, r.text)
        err = r.json()["error"]
        assert re.search(r"[\u4e00-\u9fff]", err["message"]), err
        assert field in err["fields"] or any(field in k for k in err["fields"]), (field, err)
    assert await Case.all().count() == before


@pytest.mark.feature("GOV-01-02", "GOV-13-06")
async def test_todo_shows_claimable_items_only_within_scope(api, token):
    t = await token("gov_clerk")
    case = await intake(api, t)
    pj = await token("pj_clerk")
    r = await api.get("/api/v1/todo?assigned=unclaimed&page_size=200&sort=-id", pj)
    assert r.status_code == 200 and case["id"] in todo_ids(r.json())
    jh = await staff_in(api, "江门市江海区住房和城乡建设局", ["case.work.handle", "case.case.read"])
    r = await api.get("/api/v1/todo?page_size=200", jh)
    assert case["id"] not in todo_ids(r.json())
    assert (await api.get(f"/api/v1/cases/{case['id']}", jh)).status_code == 404
    item = await open_item(case["id"], "first_review")
    r = await api.post(f"/api/v1/work-items/{item.id}/act", jh, json={"action": "approve"})
    assert r.status_code == 404 and (await WorkItem.get(id=item.id)).status == "open"
    # An operator holds case.work.* too, but a gov step is not theirs.
    op = await token("operator_admin")
    assert case["id"] not in todo_ids((await api.get("/api/v1/todo?page_size=200", op)).json())
    assert (await api.post(f"/api/v1/work-items/{item.id}/claim", op)).status_code == 404
    # Without any case.work.* permission the todo list is refused.
    nobody = await staff_in(api, "江门市蓬江区住房和城乡建设局", ["identity.org.read"])
    assert (await api.get("/api/v1/todo", nobody)).status_code == 403
    # A supervisor sees every open item in scope; a clerk may not ask for that.
    sup = await token("pj_supervisor")
    r = await api.get("/api/v1/todo?all=1&page_size=200&sort=-id", sup)
    assert case["id"] in todo_ids(r.json())
    assert (await api.get("/api/v1/todo?all=1", pj)).status_code == 403


@pytest.mark.feature("SYS-02", "GOV-01-02", "GOV-01-03")
async def test_return_to_applicant_resubmit_and_approve_to_completion(api, token):
    clerk, pj, admin = await token("gov_clerk"), await token("pj_clerk"), await token("gov_admin")
    case = await intake(api, clerk)
    cid = case["id"]
    item = await open_item(cid, "first_review")
    r = await api.post(f"/api/v1/work-items/{item.id}/claim", pj)
    assert r.status_code == 200 and r.json()["assignee_name"] == "周敏"
    # Someone else cannot act on a claimed item.
    r = await api.post(f"/api/v1/work-items/{item.id}/act", admin, json={"action": "approve"})
    assert r.status_code == 409 and "周敏" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/work-items/{item.id}/act", pj, json={"action": "return_applicant"})
    assert r.status_code == 422 and "opinion" in r.json()["error"]["fields"]
    r = await api.post(f"/api/v1/work-items/{item.id}/act", pj,
                       json={"action": "return_applicant", "opinion": "请补充收入证明"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "returned"
    corr = await open_item(cid, "correction")
    assert corr.assignee_id == (await Account.get(login_name="gov_clerk")).id
    # The submitter edits and resubmits; the case resumes at the step that returned it.
    detail = (await api.get(f"/api/v1/cases/{cid}", clerk)).json()
    assert detail["can_edit"] and detail["my_work_items"][0]["actions"] == ["submit"]
    r = await patch(api, f"/api/v1/cases/{cid}", clerk, json={"form": {"monthly_income": 3900},
                                                               "row_version": detail["row_version"]})
    assert r.status_code == 200, r.text
    r = await patch(api, f"/api/v1/cases/{cid}", clerk, json={"form": {"monthly_income": 3800},
                                                               "row_version": detail["row_version"]})
    assert r.status_code == 409
    fid = await upload(api, clerk)
    r = await api.post(f"/api/v1/cases/{cid}/materials", clerk, json={"file_id": fid, "material_type": "收入证明"})
    assert r.status_code == 201
    r = await api.post(f"/api/v1/work-items/{corr.id}/act", clerk, json={"action": "submit", "opinion": "已补正"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_review"
    again = await open_item(cid, "first_review")
    assert again.assignee_id == (await Account.get(login_name="pj_clerk")).id  # back to who returned it
    for who, step in ((pj, "first_review"), (admin, "second_review"), (clerk, "publicity")):
        it = await open_item(cid, step)
        r = await api.post(f"/api/v1/work-items/{it.id}/act", who, json={"action": "approve", "opinion": "同意"})
        assert r.status_code == 200, (step, r.text)
    body = r.json()
    assert body["status"] == "complete" and body["finished_at"] and body["current_steps"] == []
    row = await Case.get(id=cid)
    assert row.form["monthly_income"] == 3900
    # The certificate bound to the case type is issued and sealed with the final approval.
    assert [d["title"] for d in body["documents"]] == ["保障性租赁住房资格确认书"]
    pdf = await api.get(body["documents"][0]["pdf_url"], clerk)
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-" and b"/ByteRange" in pdf.content
    # A reader of the case without document permissions still gets its certificate; others do not.
    reader = await staff_in(api, "江门市蓬江区住房和城乡建设局", ["case.case.read"])
    assert (await api.get(body["documents"][0]["pdf_url"], reader)).status_code == 200
    outsider = await staff_in(api, "江门市江海区住房和城乡建设局", ["case.case.read"])
    assert (await api.get(body["documents"][0]["pdf_url"], outsider)).status_code == 404
    assert await CaseMaterial.filter(case_id=cid).count() == 2
    actions = [e.action for e in await CaseEvent.filter(case_id=cid).order_by("id")]
    assert actions == ["create", "submit", "claim", "return_applicant", "edit", "material_add", "submit",
                       "approve", "approve", "approve", "complete"]
    # Done lists: each person sees what they did, with the opinion.
    r = await api.get(f"/api/v1/done?case_number={case['number']}", pj)
    assert [(i["step_name"], i["action"]) for i in r.json()["items"]] == [("区住建初审", "approve"),
                                                                          ("区住建初审", "return_applicant")]
    r = await api.get(f"/api/v1/done?case_number={case['number']}&action=approve", clerk)
    assert [i["step_id"] for i in r.json()["items"]] == ["publicity"]
    # Nothing is left to act on.
    r = await api.post(f"/api/v1/work-items/{it.id}/act", clerk, json={"action": "approve"})
    assert r.status_code == 409


@pytest.mark.feature("SYS-02")
async def test_return_previous_reject_and_withdraw(api, token):
    clerk, pj, admin = await token("gov_clerk"), await token("pj_clerk"), await token("gov_admin")
    case = await intake(api, clerk)
    cid = case["id"]
    it = await open_item(cid, "first_review")
    await api.post(f"/api/v1/work-items/{it.id}/act", pj, json={"action": "approve"})
    it2 = await open_item(cid, "second_review")
    r = await api.post(f"/api/v1/work-items/{it2.id}/act", admin, json={"action": "return_previous",
                                                                         "opinion": "请核实收入"})
    assert r.status_code == 200 and r.json()["current_steps"][0]["step_id"] == "first_review"
    back = await open_item(cid, "first_review")
    assert back.assignee_name == "周敏"
    r = await api.post(f"/api/v1/work-items/{back.id}/act", pj, json={"action": "reject"})
    assert r.status_code == 422 and "驳回" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/work-items/{back.id}/act", pj, json={"action": "reject", "opinion": "收入超标"})
    assert r.status_code == 200
    assert r.json()["status"] == "rejected" and r.json()["outcome_reason"] == "收入超标"
    assert not await WorkItem.filter(case_id=cid, status="open").exists()
    # An action the step does not offer is refused.
    c2 = await intake(api, clerk)
    it = await open_item(c2["id"], "first_review")
    r = await api.post(f"/api/v1/work-items/{it.id}/act", pj, json={"action": "submit"})
    assert r.status_code == 422 and (await WorkItem.get(id=it.id)).status == "open"
    # Withdraw: only the submitter, only before the first review has begun.
    r = await api.post(f"/api/v1/cases/{c2['id']}/withdraw", pj, json={"reason": "x"})
    assert r.status_code == 403
    c3 = await intake(api, clerk)
    r = await api.post(f"/api/v1/cases/{c3['id']}/withdraw", clerk, json={"reason": "申请人放弃"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert not await WorkItem.filter(case_id=c3["id"], status="open").exists()
    await api.post(f"/api/v1/work-items/{it.id}/claim", pj)
    r = await api.post(f"/api/v1/cases/{c2['id']}/withdraw", clerk, json={})
    assert r.status_code == 409 and (await Case.get(id=c2["id"])).status == "in_review"


@pytest.mark.feature("GOV-01-02")
async def test_transfer_and_comment(api, token):
    clerk, sup = await token("gov_clerk"), await token("pj_supervisor")
    case = await intake(api, clerk)
    it = await open_item(case["id"], "first_review")
    r = await api.get(f"/api/v1/work-items/{it.id}/candidates", sup)
    names = {c["name"] for c in r.json()["items"]}
    assert r.status_code == 200 and {"周敏", "王建华"} <= names and "梁慧敏" not in names
    pj_id = (await Account.get(login_name="pj_clerk")).id
    op_id = (await Account.get(login_name="operator_admin")).id
    r = await api.post(f"/api/v1/work-items/{it.id}/transfer", sup, json={"to_account_id": op_id})
    assert r.status_code == 422 and (await WorkItem.get(id=it.id)).assignee_id is None
    r = await api.post(f"/api/v1/work-items/{it.id}/transfer", clerk, json={"to_account_id": pj_id})
    assert r.status_code == 403
    r = await api.post(f"/api/v1/work-items/{it.id}/transfer", sup, json={"to_account_id": pj_id,
                                                                           "opinion": "请周敏办理"})
    assert r.status_code == 200 and r.json()["assignee_id"] == pj_id
    assert await Message.filter(account_id=pj_id, ref_id=str(it.id), title__startswith="转办").exists()
    # The window issues a sealed receipt for the case; an unknown template is a clear error.
    r = await api.post(f"/api/v1/cases/{case['id']}/documents", clerk, json={"template_key": "case_receipt"})
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "受理回执" and r.json()["number"]
    r = await api.post(f"/api/v1/cases/{case['id']}/documents", clerk, json={"template_key": "nope"})
    assert r.status_code == 404 and re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"])
    r = await api.post(f"/api/v1/cases/{case['id']}/comments", sup, json={"opinion": "注意核查社保"})
    assert r.status_code == 201
    ev = await CaseEvent.filter(case_id=case["id"]).order_by("-id").first()
    assert (ev.action, ev.opinion, ev.actor_name) == ("comment", "注意核查社保", "谭志强")
    assert (await api.post(f"/api/v1/cases/{case['id']}/comments", sup, json={"opinion": ""})).status_code == 422


@pytest.mark.feature("GOV-01-02")
async def test_racing_reviewers_get_exactly_one_success(api, token):
    """Many reviewers approve the same unclaimed item at once: one wins, the rest get 409."""
    clerk = await token("gov_clerk")
    case = await intake(api, clerk)
    it = await open_item(case["id"], "first_review")
    tokens = [await token("pj_clerk"), await token("pj_supervisor"), await token("gov_admin")]
    tokens += [await staff_in(api, "江门市蓬江区住房和城乡建设局", ["case.work.handle", "case.case.read"])
               for _ in range(5)]
    rs = await asyncio.gather(*[api.post(f"/api/v1/work-items/{it.id}/act", t, json={"action": "approve"})
                                for t in tokens])
    codes = sorted(r.status_code for r in rs)
    assert codes.count(200) == 1 and codes.count(409) == len(tokens) - 1, [r.text for r in rs]
    assert all(r.json()["error"]["code"] == "WORK_ITEM_TAKEN" for r in rs if r.status_code == 409)
    assert await CaseEvent.filter(case_id=case["id"], action="approve").count() == 1
    assert await WorkItem.filter(case_id=case["id"], step_id="second_review").count() == 1
    # Claims race the same way.
    c2 = await intake(api, clerk)
    it2 = await open_item(c2["id"], "first_review")
    rs = await asyncio.gather(*[api.post(f"/api/v1/work-items/{it2.id}/claim", t) for t in tokens])
    assert sorted(r.status_code for r in rs).count(200) == 1
    assert await CaseEvent.filter(case_id=c2["id"], action="claim").count() == 1


@pytest.mark.feature("GOV-02-05")
async def test_case_search_filters_export_and_draft_deletion(api, token):
    clerk = await token("gov_clerk")
    a = await intake(api, clerk)
    draft = await intake(api, clerk, submit=False, form={"household_size": 2})
    assert draft["status"] == "draft" and draft["submitted_at"] is None
    r = await api.get(f"/api/v1/cases?number={a['number']}", clerk)
    assert [c["id"] for c in r.json()["items"]] == [a["id"]]
    r = await api.get("/api/v1/cases?status=draft&case_type=eligibility_application&applicant_name__contains=黄"
                      "&page_size=200", clerk)
    ids = {c["id"] for c in r.json()["items"]}
    assert draft["id"] in ids and a["id"] not in ids
    r = await api.get(f"/api/v1/cases?current_step_names__contains=初审&district_code={PJ}&page_size=200", clerk)
    assert a["id"] in {c["id"] for c in r.json()["items"]}
    r = await api.get(f"/api/v1/cases?number__contains={a['number'][-9:]}&format=xlsx", clerk)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # District staff see only their district.
    jh = await staff_in(api, "江门市江海区住房和城乡建设局", ["case.case.read"])
    r = await api.get(f"/api/v1/cases?number={a['number']}", jh)
    assert r.json()["total"] == 0
    # Drafts can be deleted; a case in review cannot.
    r = await api.delete(f"/api/v1/cases/{a['id']}", clerk)
    assert r.status_code == 409 and await Case.filter(id=a["id"]).exists()
    r = await api.delete(f"/api/v1/cases/{draft['id']}", clerk)
    assert r.status_code == 200 and not await Case.filter(id=draft["id"]).exists()
    assert await AuditLog.filter(action="case.delete", object_id=str(draft["id"])).exists()


@pytest.mark.feature("GOV-02-05")
async def test_edit_only_fields_the_step_allows(api, token):
    clerk, pj = await token("gov_clerk"), await token("pj_clerk")
    case = await intake(api, clerk)
    it = await open_item(case["id"], "first_review")
    await api.post(f"/api/v1/work-items/{it.id}/claim", pj)
    # At first review the applicant's fields are read-only by default.
    r = await patch(api, f"/api/v1/cases/{case['id']}", pj, json={"form": {"household_size": 5}})
    assert r.status_code == 422 and "household_size" in r.json()["error"]["fields"]
    # The submitter no longer holds a step, so cannot edit either.
    r = await patch(api, f"/api/v1/cases/{case['id']}", clerk, json={"form": {"household_size": 5}})
    assert r.status_code == 403
    assert (await Case.get(id=case["id"])).form["household_size"] == 3
    detail = (await api.get(f"/api/v1/cases/{case['id']}", pj)).json()
    rules = {r["field"]: r for r in detail["form_schema"]["rules"]}
    assert rules["household_size"]["props"]["disabled"] is True and not detail["can_edit"]


@pytest.mark.feature("SYS-01")
async def test_deployed_process_versions_apply_to_new_cases_only(api, token):
    from app.workflow.engine import default_process
    admin, clerk = await token("gov_admin"), await token("gov_clerk")
    key = "org_info_change"
    org = await Org.get(name="江门市安居建设有限公司")
    body = {"case_type": key, "applicant": {"kind": "ORG", "org_id": org.id},
            "form": {"reason": "联系人变更", "contact_name": "张新"}}
    old = (await api.post("/api/v1/cases", clerk, json=body)).json()
    assert old["current_steps"][0]["step_id"] == "first_review"
    xml = default_process(key).xml
    bad = xml.replace('<bpmn:exclusiveGateway id="gw_first_review"',
                      '<bpmn:scriptTask id="evil"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
                      '<bpmn:exclusiveGateway id="gw_first_review"')
    r = await api.post(f"/api/v1/processes/{key}/deploy", admin, json={"xml": bad})
    assert r.status_code == 422 and re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"])
    r = await api.post(f"/api/v1/processes/{key}/validate", admin, json={"xml": bad})
    assert r.status_code == 200 and r.json()["ok"] is False and r.json()["problems"]
    assert (await api.post(f"/api/v1/processes/{key}/deploy", clerk, json={"xml": xml})).status_code == 403
    r = await api.post(f"/api/v1/processes/{key}/deploy", admin, json={"xml": xml})
    assert r.status_code == 422 and r.json()["error"]["code"] == "PROCESS_UNCHANGED"
    # Rename the first review: a visible change that makes a new version.
    edited = xml.replace('name="市住建初审"', 'name="市住建初审（新版）"')
    r = await api.post(f"/api/v1/processes/{key}/deploy", admin, json={"xml": edited, "note": "改环节名称"})
    assert r.status_code == 201, r.text
    v = r.json()["version"]
    versions = (await api.get(f"/api/v1/processes/{key}/versions", admin)).json()["items"]
    assert versions[0]["version"] == v and versions[0]["active"] and not versions[1]["active"]
    new = (await api.post("/api/v1/cases", clerk, json=body)).json()
    assert new["current_steps"][0]["name"] == "市住建初审（新版）"
    assert (await api.get(f"/api/v1/cases/{old['id']}", clerk)).json()["current_steps"][0]["name"] == "市住建初审"
    assert await AuditLog.filter(action="process.deploy", object_id=f"{key}:v{v}").exists()


@pytest.mark.feature("SYS-01")
async def test_form_versions_and_field_permissions(api, token):
    admin, clerk, pj = await token("gov_admin"), await token("gov_clerk"), await token("pj_clerk")
    key = "complaint"
    cur = (await api.get(f"/api/v1/forms/{key}", admin)).json()
    assert {s["step_id"] for s in cur["steps"]} >= {"submission", "first_review"}
    dup = cur["rules"] + [cur["rules"][0]]
    r = await api.post(f"/api/v1/forms/{key}", admin, json={"rules": dup})
    assert r.status_code == 422
    r = await api.post(f"/api/v1/forms/{key}", admin, json={"rules": cur["rules"],
                                                            "field_perms": {"nowhere": {"content": "edit"}}})
    assert r.status_code == 422
    rules = cur["rules"] + [{"type": "input", "field": "verify_note", "title": "核查情况",
                             "props": {"type": "textarea", "maxlength": 500}}]
    perms = {"submission": {"verify_note": "hidden"}, "first_review": {"verify_note": "edit"}}
    assert (await api.post(f"/api/v1/forms/{key}", clerk, json={"rules": rules})).status_code == 403
    r = await api.post(f"/api/v1/forms/{key}", admin, json={"rules": rules, "field_perms": perms, "note": "加核查"})
    assert r.status_code == 201
    types = (await api.get("/api/v1/case-types", clerk)).json()["items"]
    intake_rules = next(t for t in types if t["key"] == key)["form"]["rules"]
    assert "verify_note" not in {x["field"] for x in intake_rules}  # hidden at submission
    case = await intake(api, clerk, case_type=key, form={"category": "物业服务", "content": "电梯经常停运"})
    r = await api.post("/api/v1/cases", clerk, json={
        "case_type": key, "district_code": PJ, "form": {"category": "物业服务", "content": "x", "verify_note": "y"},
        "applicant": {"kind": "PERSON", "name": "黄丽", "id_number": make_id_number(PJ)}})
    assert r.status_code == 422  # the applicant may not fill the reviewer's field
    it = await open_item(case["id"], "first_review")
    await api.post(f"/api/v1/work-items/{it.id}/claim", pj)
    r = await patch(api, f"/api/v1/cases/{case['id']}", pj, json={"form": {"verify_note": "已现场核实"}})
    assert r.status_code == 200 and r.json()["form"]["verify_note"] == "已现场核实"
    r = await patch(api, f"/api/v1/cases/{case['id']}", pj, json={"form": {"content": "改掉"}})
    assert r.status_code == 422


@pytest.mark.feature("GOV-01-02", "GOV-02-05")
async def test_overdue_items_are_flagged_and_listed(api, token):
    clerk, pj = await token("gov_clerk"), await token("pj_clerk")
    case = await intake(api, clerk)
    it = await open_item(case["id"], "first_review")
    past = dt.date.today() - dt.timedelta(days=3)
    await WorkItem.filter(id=it.id).update(due_date=past)
    await Case.filter(id=case["id"]).update(due_at=dt.datetime.combine(past, dt.time(15)).astimezone(dt.timezone.utc))
    r = await api.get("/api/v1/todo?overdue=1&page_size=200", pj)
    row = next(i for i in r.json()["items"] if i["id"] == it.id)
    assert row["overdue"] is True and row["due_date"] == past.isoformat()
    r = await api.get("/api/v1/cases?overdue=1&page_size=200", pj)
    assert case["id"] in {c["id"] for c in r.json()["items"] if c["overdue"]}
    r = await api.get(f"/api/v1/todo?case_number={case['number']}&format=xlsx", pj)
    assert r.status_code == 200 and r.content[:2] == b"PK"


@pytest.mark.feature("SYS-02")
async def test_person_applies_online_and_resubmits_after_return(api, token):
    from app.core.pii import blind_index
    person = await api.person_login("440704198506150025")
    fid = await upload(api, person, "/api/me/files")
    r = await api.post("/api/me/cases", person, json={
        "case_type": "eligibility_application", "district_code": JH, "form": {"household_size": 2},
        "materials": [{"file_id": fid, "material_type": "身份证明"}]})
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft" and draft["channel"] == "online" and draft["can_edit"]
    r = await api.post(f"/api/me/cases/{draft['id']}/submit", person, json={})
    assert r.status_code == 422 and "monthly_income" in r.json()["error"]["fields"]  # incomplete form
    r = await patch(api, f"/api/me/cases/{draft['id']}", person,
                    json={"form": {"monthly_income": 3000, "current_housing": "借住", "reason": "无房"}})
    assert r.status_code == 200
    r = await api.post(f"/api/me/cases/{draft['id']}/submit", person, json={})
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    row = await Case.get(id=draft["id"])
    assert row.applicant_id_number_idx == blind_index("440704198506150025") and row.submitted_at
    # Another person sees nothing of it.
    other = await api.person_login("440703199001011239")
    assert (await api.get(f"/api/me/cases/{draft['id']}", other)).status_code == 404
    assert draft["id"] not in {c["id"] for c in (await api.get("/api/me/cases", other)).json()["items"]}
    # A person cannot reach the staff API.
    assert (await api.get(f"/api/v1/cases/{draft['id']}", person)).status_code == 403
    jh = await staff_in(api, "江门市江海区住房和城乡建设局", ["case.work.handle", "case.case.read"])
    it = await open_item(draft["id"], "first_review")
    r = await api.post(f"/api/v1/work-items/{it.id}/act", jh, json={"action": "return_applicant",
                                                                     "opinion": "请上传户口簿"})
    assert r.status_code == 200
    mine = (await api.get(f"/api/me/cases/{draft['id']}", person)).json()
    assert mine["status"] == "returned" and mine["events"][-1]["opinion"] == "请上传户口簿"
    fid = await upload(api, person, "/api/me/files")
    r = await api.post(f"/api/me/cases/{draft['id']}/materials", person, json={"file_id": fid,
                                                                               "material_type": "户口簿"})
    assert r.status_code == 201
    r = await api.post(f"/api/me/cases/{draft['id']}/submit", person, json={"reason": "已补充"})
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    assert (await open_item(draft["id"], "first_review")).assignee_name.startswith("员工")


@pytest.mark.feature("SYS-02")
async def test_completion_hook_applies_org_info_change(api, token):
    admin, builder = await token("gov_admin"), await token("builder_admin")
    org = await Org.get(name="江门市安居建设有限公司")
    r = await api.post("/api/v1/cases", builder, json={
        "case_type": "org_info_change", "applicant": {"kind": "ORG", "org_id": org.id},
        "form": {"contact_name": "张建新", "address": "江门市蓬江区建设路1号", "reason": "联系人变更"}})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    # Someone else's org cannot be the applicant.
    other = await Org.get(name="鹤山市城建开发有限公司")
    r = await api.post("/api/v1/cases", builder, json={
        "case_type": "org_info_change", "applicant": {"kind": "ORG", "org_id": other.id}, "form": {"reason": "x"}})
    assert r.status_code in (403, 404, 422) and r.status_code != 500
    # 市住建审批 must be someone else than the 市住建初审's handler (须由不同人员办理).
    for step, who in (("first_review", await token("gov_clerk")), ("approval", admin)):
        it = await WorkItem.get(case_id=cid, status="open")
        assert it.step_id == step
        r = await api.post(f"/api/v1/work-items/{it.id}/act", who, json={"action": "approve"})
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "complete"
    org = await Org.get(id=org.id)
    assert org.contact_name == "张建新" and org.address == "江门市蓬江区建设路1号"
    assert await AuditLog.filter(action="org.update", object_id=str(org.id)).exists()


@pytest.mark.feature("GOV-01-01", "OPS-01-01")
async def test_dashboard_counts_todo_and_done_in_scope(api, token):
    pj = await token("pj_clerk")

    async def cards(t: str) -> dict:
        r = await api.get("/api/v1/dashboard/kpis", t)
        assert r.status_code == 200, r.text
        return {c["key"]: c for c in r.json()["cards"]}

    before = await cards(pj)
    case = await intake(api, await token("gov_clerk"))
    after = await cards(pj)
    assert after["todo"]["value"] == before["todo"]["value"] + 1 and after["todo"]["link"] == "/todo"
    it = await open_item(case["id"], "first_review")
    await api.post(f"/api/v1/work-items/{it.id}/act", pj, json={"action": "approve"})
    done = await cards(pj)
    assert done["todo"]["value"] == before["todo"]["value"] and done["done"]["value"] == before["done"]["value"] + 1
    # Data that arrives with a later issue shows "—" (null), never a made-up number.
    assert done["beneficiary_households"]["value"] is None
    # A clerk of a district with no cases has nothing to do.
    ep = await staff_in(api, "恩平市住房和城乡建设局", ["case.work.handle", "dashboard.kpi.read"])
    assert (await cards(ep))["todo"]["value"] == 0


@pytest.mark.feature("BLD-01-04", "BLD-01-06")
async def test_a_case_about_another_builders_project_is_refused_at_intake(api, token):
    from app.domains.housing.projects.models import Project
    hs = await Org.get(name="鹤山市城建开发有限公司")
    other = await Project.create(code=f"T-{secrets.token_hex(4)}", name="鹤山测试项目", district_code="440784",
                                 address="鹤山市", builder_id=hs.id, supply_mode="new_build", state="recognized")
    mine = await Org.get(name="江门市安居建设有限公司")
    before = await Case.all().count()
    r = await api.post("/api/v1/cases", await token("builder_admin"), json={
        "case_type": "project_exit", "applicant": {"kind": "ORG", "org_id": mine.id},
        "subjects": {"project_id": other.id}, "form": {}, "submit": False})
    assert r.status_code == 422 and "不属于申请单位" in r.json()["error"]["message"]
    assert await Case.all().count() == before


# ---- issue 10: who may claim, act and transfer; separation of duties; return and withdraw -----------

async def org_change(api, t: str) -> dict:  # noqa: ANN001
    """builder_admin's own 单位信息变更, reviewed by the city (市住建初审 → 市住建审批)."""
    org = await Org.get(name="江门市安居建设有限公司")
    r = await api.post("/api/v1/cases", t, json={
        "case_type": "org_info_change", "applicant": {"kind": "ORG", "org_id": org.id},
        "form": {"contact_name": "张建新", "reason": "联系人变更"}})
    assert r.status_code == 201, r.text
    return r.json()


async def item_snapshot(item_id: int) -> tuple:
    it = await WorkItem.get(id=item_id)
    return it.status, it.assignee_id, it.assignee_name, it.done_by_id


@pytest.mark.feature("GOV-01-02", "GOV-13-02", "BLD-04-02", "SYS-02")
async def test_the_applicant_org_can_neither_take_nor_hand_on_the_bureaus_review(api, token):
    builder = await token("builder_admin")
    case = await org_change(api, builder)
    cid = case["id"]
    item = await open_item(cid, "first_review")
    assert item.applicant_org_id == (await Org.get(name="江门市安居建设有限公司")).id
    # The builder holds case.work.* for its own org's steps, but not for the bureau's step of its own case.
    assert case["my_work_items"] == []
    state = case["work_items"][0]
    assert (state["step_id"], state["state"], state["state_name"]) == ("first_review", "unclaimed", "待签收")
    assert (state["can_claim"], state["can_act"], state["can_transfer"]) == (False, False, False)
    clerk_id = (await Account.get(login_name="gov_clerk")).id
    before, events = await item_snapshot(item.id), await CaseEvent.filter(case_id=cid).count()
    for method, path, body in (("POST", f"/api/v1/work-items/{item.id}/claim", None),
                               ("POST", f"/api/v1/work-items/{item.id}/act", {"action": "approve"}),
                               ("POST", f"/api/v1/work-items/{item.id}/transfer", {"to_account_id": clerk_id}),
                               ("GET", f"/api/v1/work-items/{item.id}/candidates", None)):
        r = await api.client.request(method, path, headers=api._h(builder), **({"json": body} if body else {}))
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"]["code"] == "FORBIDDEN" and re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"])
    assert await item_snapshot(item.id) == before and await CaseEvent.filter(case_id=cid).count() == events
    # Nor is it in the builder's todo; the bureau's clerk sees it and may take it.
    r = await api.get("/api/v1/todo?page_size=200&sort=-id", builder)
    assert cid not in todo_ids(r.json())
    gov = await token("gov_clerk")
    r = await api.get(f"/api/v1/todo?case_number={case['number']}", gov)
    row = r.json()["items"][0]
    assert (row["can_claim"], row["can_act"], row["can_transfer"]) == (True, True, False)
    # The builder still withdraws its case before the review has begun.
    detail = (await api.get(f"/api/v1/cases/{cid}", builder)).json()
    assert detail["can_withdraw"] is True


@pytest.mark.feature("GOV-01-02", "SYS-02")
async def test_the_applicant_sees_the_steps_real_state_with_the_handler_masked(api, token):
    builder, gov = await token("builder_admin"), await token("gov_clerk")
    case = await org_change(api, builder)
    item = await open_item(case["id"], "first_review")
    r = await api.post(f"/api/v1/work-items/{item.id}/claim", gov)
    assert r.status_code == 200, r.text
    mine = (await api.get(f"/api/v1/cases/{case['id']}", builder)).json()
    assert mine["my_work_items"] == []
    state = mine["work_items"][0]
    assert (state["state"], state["state_name"], state["assignee_name"]) == ("claimed", "办理中", "刘*燕")
    assert state["assignee_id"] is None and state["assigned_to_me"] is False
    # The bureau's side sees the name in full, and the claimer sees it is theirs.
    theirs = (await api.get(f"/api/v1/cases/{case['id']}", gov)).json()
    assert theirs["work_items"][0]["assignee_name"] == "刘晓燕" and theirs["work_items"][0]["assigned_to_me"] is True
    assert theirs["my_work_items"][0]["can_act"] is True and theirs["my_work_items"][0]["can_claim"] is False
    # The builder can no longer withdraw once the review has begun.
    assert mine["can_withdraw"] is False


@pytest.mark.feature("GOV-01-02", "SYS-01")
async def test_a_transfer_goes_only_to_someone_who_may_hold_the_step(api, token):
    clerk, sup, admin = await token("gov_clerk"), await token("pj_supervisor"), await token("gov_admin")
    case = await intake(api, clerk)
    it = await open_item(case["id"], "first_review")
    builder_id = (await Account.get(login_name="builder_admin")).id
    jh = await Account.filter(org__name="江门市江海区住房和城乡建设局", kind="STAFF").first()
    if jh is None:
        await staff_in(api, "江门市江海区住房和城乡建设局", ["case.work.handle", "case.case.read"])
        jh = await Account.filter(org__name="江门市江海区住房和城乡建设局", kind="STAFF").first()
    reader = await staff_in(api, "江门市蓬江区住房和城乡建设局", ["case.case.read"])
    reader_id = (await Account.filter(org__name="江门市蓬江区住房和城乡建设局").order_by("-id").first()).id
    names = {c["id"] for c in (await api.get(f"/api/v1/work-items/{it.id}/candidates", sup)).json()["items"]}
    assert builder_id not in names and jh.id not in names and reader_id not in names
    for target in (builder_id, jh.id, reader_id):
        r = await api.post(f"/api/v1/work-items/{it.id}/transfer", sup, json={"to_account_id": target})
        assert r.status_code == 422 and r.json()["error"]["fields"] == {"to_account_id": "不能办理该环节"}, r.text
    assert (await WorkItem.get(id=it.id)).assignee_id is None
    # A supervisor of another district cannot transfer the step, even to a valid candidate.
    jh_sup = await staff_in(api, "江门市江海区住房和城乡建设局", ["case.work.approve", "case.work.supervise",
                                                            "case.case.read"], position="supervisor")
    pj_id = (await Account.get(login_name="pj_clerk")).id
    r = await api.post(f"/api/v1/work-items/{it.id}/transfer", jh_sup, json={"to_account_id": pj_id})
    assert r.status_code == 404 and (await WorkItem.get(id=it.id)).assignee_id is None
    # The city admin may (CITY covers the district) and the target then holds it.
    r = await api.post(f"/api/v1/work-items/{it.id}/transfer", admin, json={"to_account_id": pj_id})
    assert r.status_code == 200 and (await WorkItem.get(id=it.id)).assignee_id == pj_id
    assert reader  # a reader without case.work.* is never a candidate


@pytest.mark.feature("GOV-01-02", "SYS-01", "BLD-01-02")
async def test_separation_of_duties_stops_the_same_supervisor_approving_twice(api, token):
    """区住建复审 then 市住建认定 by one person: the second is refused and says why."""
    builder, clerk = await token("builder_admin"), await token("gov_clerk")
    admin, director = await token("gov_admin"), await token("gov_director")
    org = await Org.get(name="江门市安居建设有限公司")
    r = await api.post("/api/v1/cases", builder, json={
        "case_type": "project_declaration", "applicant": {"kind": "ORG", "org_id": org.id}, "district_code": PJ,
        "form": {"project_name": f"职责分离测试{secrets.token_hex(3)}", "address": "江门市蓬江区", "supply_mode": "新建",
                 "building_area": 1000, "planned_units": 10, "investment": 100, "lng": 113.08, "lat": 22.59,
                 "buildings": "1栋:5:10"}})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    for who, step in ((clerk, "first_review"), (admin, "second_review")):
        it = await open_item(cid, step)
        r = await api.post(f"/api/v1/work-items/{it.id}/act", who, json={"action": "approve", "opinion": "同意"})
        assert r.status_code == 200, r.text
    final = await open_item(cid, "approval")
    assert final.distinct_handler is True
    # Not in the admin's todo, not offered to the admin, and refused with the reason when tried.
    r = await api.get(f"/api/v1/todo?case_number={r.json()['number']}", admin)
    assert r.json()["items"] == []
    detail = (await api.get(f"/api/v1/cases/{cid}", admin)).json()
    assert [w["step_id"] for w in detail["my_work_items"] if w["can_act"]] == []
    before = await item_snapshot(final.id)
    for path in (f"/api/v1/work-items/{final.id}/claim", f"/api/v1/work-items/{final.id}/act"):
        r = await api.post(path, admin, json={"action": "approve"} if path.endswith("act") else None)
        assert r.status_code == 403, r.text
        err = r.json()["error"]
        assert err["code"] == "DUTY_SEPARATION"
        assert err["message"] == "您已办理本件的「区住建复审」环节，按职责分离要求，本环节须由其他人员办理"
    assert await item_snapshot(final.id) == before
    # Transfer lists leave the admin out, and a transfer to the admin is refused with the reason.
    admin_id = (await Account.get(login_name="gov_admin")).id
    cands = (await api.get(f"/api/v1/work-items/{final.id}/candidates", director)).json()["items"]
    assert admin_id not in {c["id"] for c in cands} and (await Account.get(login_name="gov_director")).id in \
        {c["id"] for c in cands}
    r = await api.post(f"/api/v1/work-items/{final.id}/transfer", director, json={"to_account_id": admin_id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "DUTY_SEPARATION"
    assert "区住建复审" in r.json()["error"]["message"] and (await WorkItem.get(id=final.id)).assignee_id is None
    # The new-todo message went to the other city approver, not to the admin.
    assert await Message.filter(account_id=(await Account.get(login_name="gov_director")).id,
                                ref_id=str(final.id)).exists()
    assert not await Message.filter(account_id=admin_id, ref_id=str(final.id)).exists()
    # Someone else approves; going back to the same step (after a return) stays with its handler.
    r = await api.post(f"/api/v1/work-items/{final.id}/act", director,
                       json={"action": "return_previous", "opinion": "请复核面积"})
    assert r.status_code == 200, r.text
    back = await open_item(cid, "second_review")
    assert back.assignee_id == admin_id
    r = await api.post(f"/api/v1/work-items/{back.id}/act", admin, json={"action": "approve", "opinion": "已复核"})
    assert r.status_code == 200, r.text
    final = await open_item(cid, "approval")
    assert final.assignee_id == (await Account.get(login_name="gov_director")).id
    r = await api.post(f"/api/v1/work-items/{final.id}/act", director, json={"action": "approve", "opinion": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "complete", r.text


@pytest.mark.feature("GOV-01-02", "SYS-01")
async def test_the_first_review_does_not_offer_return_to_previous(api, token):
    clerk, pj = await token("gov_clerk"), await token("pj_clerk")
    case = await intake(api, clerk)
    it = await open_item(case["id"], "first_review")
    assert "return_previous" not in it.actions and "return_applicant" in it.actions
    detail = (await api.get(f"/api/v1/cases/{case['id']}", pj)).json()
    assert "return_previous" not in detail["my_work_items"][0]["actions"]
    r = await api.post(f"/api/v1/work-items/{it.id}/act", pj, json={"action": "return_previous", "opinion": "x"})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "RETURN_PREVIOUS_NOT_ALLOWED" and "退回申请人" in err["message"]
    assert err["fields"] == {"action": "本环节不能退回上一步"}
    assert (await WorkItem.get(id=it.id)).status == "open" and (await Case.get(id=case["id"])).status == "in_review"
    # A case started on an older version whose first review still lists it is refused the same way.
    await WorkItem.filter(id=it.id).update(actions=["approve", "reject", "return_previous", "return_applicant"])
    r = await api.post(f"/api/v1/work-items/{it.id}/act", pj, json={"action": "return_previous", "opinion": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "RETURN_PREVIOUS_NOT_ALLOWED"


@pytest.mark.feature("SYS-02")
async def test_a_returned_case_can_be_withdrawn_as_well_as_resubmitted(api, token):
    person = await api.person_login("440704198506150025")
    fid = await upload(api, person, "/api/me/files")
    r = await api.post("/api/me/cases", person, json={
        "case_type": "eligibility_application", "district_code": JH, "submit": True,
        "form": {"household_size": 2, "monthly_income": 3000, "current_housing": "借住", "reason": "无房"},
        "materials": [{"file_id": fid, "material_type": "身份证明"}]})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    jh = await staff_in(api, "江门市江海区住房和城乡建设局", ["case.work.handle", "case.case.read"])
    it = await open_item(cid, "first_review")
    r = await api.post(f"/api/v1/work-items/{it.id}/act", jh, json={"action": "return_applicant", "opinion": "请补充"})
    assert r.status_code == 200, r.text
    mine = (await api.get(f"/api/me/cases/{cid}", person)).json()
    assert mine["status"] == "returned" and mine["can_withdraw"] is True
    assert [w["actions"] for w in mine["my_work_items"]] == [["submit"]]
    # Someone else cannot withdraw it; the applicant can.
    other = await api.person_login("440703199001011239")
    assert (await api.post(f"/api/me/cases/{cid}/withdraw", other, json={})).status_code == 404
    r = await api.post(f"/api/me/cases/{cid}/withdraw", person, json={"reason": "不再申请"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    assert not await WorkItem.filter(case_id=cid, status="open").exists()
    ev = await CaseEvent.filter(case_id=cid).order_by("-id").first()
    assert (ev.action, ev.opinion) == ("withdraw", "不再申请")
    assert await AuditLog.filter(action="case.withdraw", object_id=str(cid)).exists()


@pytest.mark.feature("SYS-01")
async def test_a_process_deployed_without_a_drawing_is_stored_laid_out(api, token):
    from app.workflow import layout
    from app.workflow.engine import default_process
    from lxml import etree
    admin = await token("gov_admin")
    key = "complaint"
    xml = default_process(key).xml
    root = etree.fromstring(xml.encode())
    for d in root.findall("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"):
        root.remove(d)
    bare = etree.tostring(root, encoding="unicode").replace('name="投诉核查"', 'name="投诉核查（无图）"')
    assert not layout.has_di(bare)
    r = await api.post(f"/api/v1/processes/{key}/deploy", admin, json={"xml": bare, "note": "无图形信息"})
    assert r.status_code == 201, r.text
    v = r.json()["version"]
    stored = (await api.get(f"/api/v1/processes/{key}/versions/{v}", admin)).json()
    assert layout.has_di(stored["xml"]) and "投诉核查（无图）" in stored["xml"]
    assert stored["steps"][1]["distinct_handler"] is False and stored["steps"][2]["distinct_handler"] is True
    # Put the shipped process back for the tests that follow.
    r = await api.post(f"/api/v1/processes/{key}/deploy", admin, json={"xml": xml, "note": "恢复"})
    assert r.status_code == 201, r.text
