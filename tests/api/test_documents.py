"""Document templates, issued documents and the public verify page over HTTP (SYS-01)."""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid

import pytest

from app.core.models import AuditLog
from app.documents.models import DocumentTemplate, IssuedDocument
from app.documents.seed import DEFAULTS
from tests.integration.documents import support

pytestmark = pytest.mark.feature("SYS-01")
CASE = DEFAULTS[0]["sample"]["case"]


@pytest.fixture(scope="module", autouse=True)
def seal_ca():
    return support.make_ca()


def _key() -> str:
    return f"api_{secrets.token_hex(4)}"


async def _issue(api, t: str, key: str = "eligibility_certificate", **extra):  # noqa: ANN001, ANN003
    r = await api.post("/api/v1/documents/issue", t, json={"template_key": key, "context": {"case": CASE},
                                                           **extra})
    assert r.status_code == 201, r.text
    return r.json()


async def _audit(action: str, object_id: str) -> list[AuditLog]:
    return await AuditLog.filter(action=action, object_id=object_id).order_by("id")


# ---- permissions -----------------------------------------------------------------------------------

async def test_template_permissions(api, token):
    clerk, admin, builder = await token("gov_clerk"), await token("gov_admin"), await token("builder_admin")
    body = {"key": _key(), "name": "越权模板", "html": "<p>x</p>"}
    for t in (clerk, builder):
        assert (await api.get("/api/v1/document-templates", t)).status_code == 403
        assert (await api.get("/api/v1/document-templates/case_receipt", t)).status_code == 403
        r = await api.post("/api/v1/document-templates", t, json=body)
        assert r.status_code == 403 and "文书模板维护" in r.json()["error"]["message"]
        r = await api.put("/api/v1/document-templates/case_receipt", t, json={"html": "<p>改</p>"})
        assert r.status_code == 403
        r = await api.post("/api/v1/document-templates/case_receipt/enable", t, json={"enabled": False})
        assert r.status_code == 403
    assert not await DocumentTemplate.filter(key=body["key"]).exists()
    assert await DocumentTemplate.filter(key="case_receipt").count() == 1
    assert (await api.get("/api/v1/document-templates")).status_code == 401

    r = await api.get("/api/v1/document-templates", admin, params={"sort": "key"})
    assert r.status_code == 200
    keys = {i["key"]: i for i in r.json()["items"]}
    assert {"eligibility_certificate", "case_receipt"} <= set(keys)
    assert keys["eligibility_certificate"]["name"] == "保障性租赁住房资格确认书"
    assert keys["eligibility_certificate"]["active_version"] == 1


# ---- template editing ------------------------------------------------------------------------------

async def test_create_save_versions_enable_all_audited(api, token):
    admin = await token("gov_admin")
    key = _key()
    r = await api.post("/api/v1/document-templates", admin, json={
        "key": key, "name": "配租通知书", "case_type": "allocation", "html": "<h1>{{ case.number }} 第一版</h1>",
        "sample": {"case": {"number": "PZ-1"}}})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["active_version"] == 1 and r.json()["html"].startswith("<h1>")
    assert (await api.post("/api/v1/document-templates", admin, json={
        "key": key, "name": "重复", "html": "<p>x</p>"})).status_code == 409

    r = await api.put(f"/api/v1/document-templates/{key}", admin, json={
        "html": "<h1>{{ case.number }} 第二版</h1>", "sample": {"case": {"number": "PZ-2"}}, "note": "调整标题"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["version"], d["active_version"], d["name"], d["case_type"]) == (2, 2, "配租通知书", "allocation")

    r = await api.get(f"/api/v1/document-templates/{key}/versions", admin)
    assert [v["version"] for v in r.json()["items"]] == [2, 1]
    assert r.json()["items"][1]["html"] == "<h1>{{ case.number }} 第一版</h1>"

    r = await api.post(f"/api/v1/document-templates/{key}/enable", admin, json={"enabled": False, "version": 2})
    assert r.status_code == 200 and r.json()["active_version"] == 1
    r = await api.post(f"/api/v1/document-templates/{key}/enable", admin, json={"enabled": False})
    assert r.json()["active_version"] is None
    r = await api.get("/api/v1/document-templates", admin, params={"key": key})
    assert r.json()["items"][0]["active_version"] is None and r.json()["total"] == 1
    r = await api.post("/api/v1/documents/issue", admin, json={"template_key": key, "context": {}})
    assert r.status_code == 409 and r.json()["error"]["code"] == "TEMPLATE_DISABLED"
    r = await api.post(f"/api/v1/document-templates/{key}/enable", admin, json={"enabled": True})
    assert r.json()["active_version"] == 2

    rows = await DocumentTemplate.filter(key=key).order_by("version")
    assert [(t.version, t.enabled) for t in rows] == [(1, False), (2, True)]
    r = await api.get("/api/v1/audit/logs", admin, params={"object_type": "document_template",
                                                             "object_id": f"{key}@2"})
    assert [i["action"] for i in r.json()["items"]] == ["document.template.save"]
    assert "调整标题" in r.json()["items"][0]["summary"] and r.json()["items"][0]["actor_name"] == "王建华"
    actions = [a.action for a in await AuditLog.filter(object_type="document_template", object_id=key)]
    assert actions == ["document.template.disable", "document.template.disable", "document.template.enable"]


@pytest.mark.parametrize("html, code, words", [
    ("<p>\n{{ case.number }</p>", "TEMPLATE_SYNTAX", "模板第 2 行"),
    ("<p>{% for x in y %}</p>", "TEMPLATE_SYNTAX", "缺少结束标签"),
    ("<p>\n\n{{ ''.__class__.__mro__ }}</p>", "TEMPLATE_FORBIDDEN", "模板第 3 行：不允许访问内部属性“__class__”"),
    ("{{ case | attr('__init__') }}", "TEMPLATE_FORBIDDEN", "安全限制"),
    ("<p>{{ 1 / 0 }}</p>", "TEMPLATE_RUNTIME", "ZeroDivisionError"),
])
async def test_bad_templates_are_refused_with_the_line_and_nothing_is_saved(api, token, html, code, words):
    admin = await token("gov_admin")
    key = _key()
    r = await api.post("/api/v1/document-templates", admin, json={"key": key, "name": "坏模板", "html": html})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == code and words in err["message"], err
    assert err["fields"]["html"] == err["message"]
    assert not await DocumentTemplate.filter(key=key).exists()
    r = await api.put("/api/v1/document-templates/case_receipt", admin, json={"html": html})
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert await DocumentTemplate.filter(key="case_receipt").count() == 1
    r = await api.post("/api/v1/document-templates/preview", admin, json={"html": html, "context": {}})
    assert r.status_code == 422 and r.json()["error"]["code"] == code


async def test_bad_input_gets_chinese_errors_not_500(api, token):
    admin = await token("gov_admin")
    cases = [
        ("post", "/api/v1/document-templates", {"key": "Bad Key", "name": "x", "html": "<p>x</p>"}),
        ("post", "/api/v1/document-templates", {"key": "preview", "name": "x", "html": "<p>x</p>"}),
        ("post", "/api/v1/document-templates", {"key": "ok_key", "name": "", "html": "<p>x</p>"}),
        ("post", "/api/v1/document-templates", {"key": "ok_key", "name": "x", "html": "<p>x</p>", "sample": []}),
        ("put", "/api/v1/document-templates/case_receipt", {"html": ""}),
        ("put", "/api/v1/document-templates/case_receipt", {"html": "x" * 200_001}),
        ("post", "/api/v1/document-templates/case_receipt/enable", {"enabled": "maybe"}),
        ("post", "/api/v1/document-templates/case_receipt/enable", {"enabled": True, "version": 0}),
        ("post", "/api/v1/document-templates/preview", {"html": "<p>x</p>", "context": "x"}),
        ("post", "/api/v1/documents/issue", {"template_key": "case_receipt", "context": []}),
        ("post", "/api/v1/documents/issue", {"template_key": "case_receipt", "case_id": 2**63}),
        ("post", "/api/v1/documents/issue", {"template_key": "case_receipt", "context": {"x": "y" * 70_000}}),
    ]
    for method, path, body in cases:
        r = await getattr(api, method)(path, admin, json=body)
        assert r.status_code == 422, (path, body, r.status_code, r.text)
        assert re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"]), r.text
    r = await api.post("/api/v1/documents/issue", admin, content=b"{not json")
    assert r.status_code == 422 and "JSON" in r.json()["error"]["message"]
    for path in ("/api/v1/document-templates/nosuchkey", "/api/v1/document-templates/Bad-Key/versions"):
        r = await api.get(path, admin)
        assert r.status_code == 404 and r.json()["error"]["message"] == "文书模板不存在"
    r = await api.post("/api/v1/documents/issue", admin, json={"template_key": "nosuchkey"})
    assert r.status_code == 404 and "不存在" in r.json()["error"]["message"]
    r = await api.get("/api/v1/documents", admin, params={"issued_at__gte": "昨天"})
    assert r.status_code == 422 and "出具时间" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/documents/{uuid.uuid4()}/revoke", admin, json={"reason": "不存在的文书"})
    assert r.status_code == 404


async def test_preview_returns_an_unsigned_pdf(api, token):
    admin = await token("gov_admin")
    d = (await api.get("/api/v1/document-templates/eligibility_certificate", admin)).json()
    r = await api.post("/api/v1/document-templates/preview", admin, json={"html": d["html"], "context": d["sample"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content[:5] == b"%PDF-" and "does not contain any signatures" in support.pdfsig(r.content)
    assert "资格确认书" in support.pdftext(r.content)


# ---- issue, verify, revoke ---------------------------------------------------------------------------

async def test_issue_verify_and_revoke_end_to_end(api, token):
    clerk, admin = await token("gov_clerk"), await token("gov_admin")
    doc = await _issue(api, clerk)
    assert doc["status"] == "valid" and doc["issuer"] == "江门市住房和城乡建设局"
    assert doc["verify_url"].endswith(f"/verify/{doc['id']}") and doc["verify_url"].startswith(api.base)

    r = await api.get(f"/api/v1/documents/{doc['id']}/pdf", clerk)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    assert hashlib.sha256(pdf).hexdigest() == doc["sha256"]
    report = support.pdfsig(pdf)
    assert support.signature_valid(report), report
    assert doc["verify_url"] in support.pdftext(pdf)

    r = await api.get("/api/v1/documents", clerk, params={"number": doc["number"]})
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [doc["id"]]
    r = await api.get("/api/v1/documents", clerk, params={
        "template_key": "eligibility_certificate", "status": "valid", "issuer__contains": "住房和城乡建设局",
        "issued_at__gte": doc["issued_at"][:10], "sort": "-issued_at"})
    assert doc["id"] in [i["id"] for i in r.json()["items"]]
    r = await api.get("/api/v1/documents", clerk, params={"number": doc["number"], "format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"

    r = await api.get(f"/verify/{doc['id']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for s in ("有效", doc["number"], "保障性租赁住房资格确认书", "江门市住房和城乡建设局", doc["sha256"],
              'name="viewport"'):
        assert s in page, s
    assert "已作废" not in page
    r = await api.get(f"/api/public/documents/{doc['id']}")
    pub = r.json()
    assert r.status_code == 200 and pub["status"] == "valid" and pub["sha256"] == doc["sha256"]
    assert "case_id" not in pub and "issuer_org_id" not in pub

    r = await api.post(f"/api/v1/documents/{doc['id']}/revoke", clerk, json={"reason": "资格复核不通过"})
    assert r.status_code == 403
    r = await api.post(f"/api/v1/documents/{doc['id']}/revoke", admin, json={"reason": "<b>资格复核不通过</b>"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    r = await api.post(f"/api/v1/documents/{doc['id']}/revoke", admin, json={"reason": "再次作废"})
    assert r.status_code == 409 and r.json()["error"]["message"] == "该文书已作废"

    page = (await api.get(f"/verify/{doc['id']}")).text
    assert "已作废" in page and "&lt;b&gt;资格复核不通过&lt;/b&gt;" in page and "<b>资格复核" not in page
    assert doc["sha256"] in page
    pub = (await api.get(f"/api/public/documents/{doc['id']}")).json()
    assert pub["status"] == "revoked" and pub["status_name"] == "已作废" and pub["revoked_reason"]
    row = await IssuedDocument.get(id=doc["id"])
    assert row.status == "revoked" and row.revoked_reason == "<b>资格复核不通过</b>"
    assert len(await _audit("document.issue", doc["id"])) == 1
    logs = await _audit("document.revoke", doc["id"])
    assert len(logs) == 1 and logs[0].actor_name == "王建华"


async def test_unknown_documents_get_a_chinese_404(api):
    for doc_id in (str(uuid.uuid4()), "not-a-uuid", "%E4%B8%AD"):
        r = await api.get(f"/verify/{doc_id}")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "未找到该文书" in r.text
        r = await api.get(f"/api/public/documents/{doc_id}")
        assert r.status_code == 404 and r.json()["error"]["message"] == "未找到该文书"


async def test_issued_documents_follow_the_data_scope(api, token):
    builder, hs_builder = await token("builder_admin"), await token("hs_builder_admin")
    operator, pj_clerk, gov = await token("operator_admin"), await token("pj_clerk"), await token("gov_clerk")
    doc = await _issue(api, builder, "case_receipt")  # 江门市安居建设有限公司, district 440703
    assert doc["issuer"] == "江门市安居建设有限公司"
    assert "江门市安居建设有限公司" in support.pdfsig(
        (await api.get(f"/api/v1/documents/{doc['id']}/pdf", builder)).content)

    for t, sees in ((builder, True), (gov, True), (pj_clerk, True), (operator, False), (hs_builder, False)):
        r = await api.get(f"/api/v1/documents/{doc['id']}/pdf", t)
        assert r.status_code == (200 if sees else 404), r.text
        r = await api.get("/api/v1/documents", t, params={"number": doc["number"]})
        assert r.json()["total"] == (1 if sees else 0)

    # Revoking is a gov power, and only within the gov user's district.
    r = await api.post(f"/api/v1/documents/{doc['id']}/revoke", builder, json={"reason": "企业自行作废"})
    assert r.status_code == 403
    hs_doc = await _issue(api, hs_builder, "case_receipt")  # district 440784
    pj_supervisor = await api.login("pj_supervisor")
    r = await api.post(f"/api/v1/documents/{hs_doc['id']}/revoke", pj_supervisor, json={"reason": "越权作废"})
    assert r.status_code == 404
    assert (await IssuedDocument.get(id=hs_doc["id"])).status == "valid"
    r = await api.post(f"/api/v1/documents/{doc['id']}/revoke", pj_supervisor, json={"reason": "区级作废"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"


async def test_issue_names_only_cases_in_scope(api, token):
    from app.identity.guard import build_actor
    from app.identity.models import Account
    from app.identity.scope import Actor
    from app.workflow import service as cases
    from tests.helpers import make_id_number
    clerk = Actor(**await build_actor((await Account.get(login_name="gov_clerk")).id))
    case = await cases.create_case(
        clerk, case_type_key="eligibility_application", channel="onsite",
        applicant=cases.Applicant(kind="PERSON", name="梁静", id_number=make_id_number("440703")),
        district_code="440703", org_id=None, subjects=None, materials=[], submit=True,
        form={"household_size": 2, "monthly_income": 3000, "current_housing": "借住", "reason": "无房"})
    hs = await token("hs_builder_admin")
    r = await api.post("/api/v1/documents/issue", hs, json={"template_key": "case_receipt", "case_id": case.id,
                                                           "context": {"case": CASE}})
    assert r.status_code == 404 and "业务件" in r.json()["error"]["message"]
    doc = await _issue(api, await token("pj_clerk"), "case_receipt", case_id=case.id)
    assert doc["case_id"] == case.id and doc["issuer"] == "江门市蓬江区住房和城乡建设局"
    r = await api.post("/api/v1/documents/issue", await token("gov_clerk"),
                       json={"template_key": "case_receipt", "case_id": 2**62, "context": {}})
    assert r.status_code == 404
    assert not await IssuedDocument.filter(case_id=2**62).exists()
