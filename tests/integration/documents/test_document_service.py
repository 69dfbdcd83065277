"""Documents in-process on the real database: templates, sandbox, e-seal, numbering, revoke (SYS-01)."""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

import pytest

from app.core.db import uow
from app.core.errors import Conflict, InvalidInput
from app.core.files import storage
from app.core.models import AuditLog, StoredFile
from app.documents import ca, service
from app.documents import templates as T
from app.documents.models import DocumentTemplate, IssuedDocument, SigningCertificate
from app.documents.seed import DEFAULTS
from app.identity.guard import build_actor
from app.identity.models import Account, Org
from app.identity.scope import Actor
from tests.integration.documents import support

pytestmark = pytest.mark.feature("SYS-01")
CN = ZoneInfo("Asia/Shanghai")
SAMPLE = DEFAULTS[0]["sample"]


@pytest.fixture(scope="module", autouse=True)
def seal_ca():
    # No conftest.py here: a second module named conftest would shadow the root one for
    # tests that import from it.
    return support.make_ca()


async def actor(login: str) -> Actor:
    acc = await Account.get(login_name=login)
    return Actor(**await build_actor(acc.id))


async def _issue(who: Actor, key: str = "eligibility_certificate", context: dict | None = None,
                 org_id: int | None = None) -> IssuedDocument:
    return await service.issue(key, context or {"case": SAMPLE["case"], "qualification": SAMPLE["qualification"]},
                               issuer_org_id=org_id or who.org_id, case_id=None, actor=who)


async def _pdf(doc: IssuedDocument) -> bytes:
    f = await StoredFile.get(id=doc.file_id)
    return await storage().get(f.sha256)


def _fresh_key() -> str:
    import secrets
    return f"t_{secrets.token_hex(4)}"


# ---- seal ----------------------------------------------------------------------------------------

async def test_issued_certificate_is_sealed_numbered_stored_and_audited():
    admin = await actor("gov_admin")
    doc = await _issue(admin)
    today = dt.datetime.now(CN)
    assert re.fullmatch(rf"DZWS-{today:%Y%m%d}-\d{{4,}}", doc.number)
    row = await IssuedDocument.get(id=doc.id)
    assert row.status == "valid" and row.title == "保障性租赁住房资格确认书"
    assert row.issuer_org_id == admin.org_id and row.issuer_org_name == "江门市住房和城乡建设局"
    data = await _pdf(doc)
    assert hashlib.sha256(data).hexdigest() == row.sha256
    f = await StoredFile.get(id=row.file_id)
    assert f.mime == "application/pdf" and f.size == len(data) and f.org_id == admin.org_id

    report = support.pdfsig(data)
    assert support.signature_valid(report), report
    assert "Signer Certificate Common Name: 江门市住房和城乡建设局" in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES

    text = support.pdftext(data)
    for s in ("资格确认书", doc.number, "示例申请人", "4407**********0004", "BZSQ-20261120-0003", "2026年11月20日",
              "江门市住房和城乡建设局", f"/verify/{doc.id}"):
        assert s in text, s
    fonts = support.pdffonts(data)
    assert re.search(r"Noto-Serif-CJK-SC\S*\s+CID Type 0C \(OT\)\s+Identity-H\s+yes\s+yes", fonts), fonts

    cert = await SigningCertificate.get(id=row.certificate_id)
    assert cert.org_id == admin.org_id and "江门市住房和城乡建设局" in cert.subject
    assert b"PRIVATE KEY" not in bytes(cert.key_encrypted)
    assert ca.decrypt_key(cert.key_encrypted, cert.serial)[:2] == b"\x30\x82"  # PKCS#8 DER once decrypted
    seal_png = await storage().get(cert.seal_png_sha256)
    assert seal_png[:8] == b"\x89PNG\r\n\x1a\n"

    logged = await AuditLog.filter(action="document.issue", object_id=str(doc.id)).first()
    assert logged is not None and logged.actor_id == admin.account_id
    assert logged.after["number"] == doc.number and logged.after["sha256"] == row.sha256
    assert await AuditLog.filter(action="document.certificate.issue", object_id=str(cert.id)).exists()


async def test_changing_one_signed_byte_breaks_the_seal():
    doc = await _issue(await actor("gov_admin"), "case_receipt", {"case": SAMPLE["case"]})
    data = await _pdf(doc)
    assert support.signature_valid(support.pdfsig(data))
    tampered = support.flip_one_signed_byte(data)
    assert len(tampered) == len(data) and tampered != data
    report = support.pdfsig(tampered)
    assert "Signature Validation:" in report, report
    assert not support.signature_valid(report), report
    assert "Digest Mismatch" in report or "Invalid" in report, report


async def test_an_org_gets_one_certificate_even_when_its_first_documents_are_issued_at_once():
    builder = await actor("hs_builder_admin")
    await SigningCertificate.filter(org_id=builder.org_id).delete()
    docs = await asyncio.gather(*[_issue(builder, "case_receipt", {"case": SAMPLE["case"]}) for _ in range(3)])
    certs = await SigningCertificate.filter(org_id=builder.org_id)
    assert len(certs) == 1
    assert {d.certificate_id for d in docs} == {certs[0].id}
    assert len({d.number for d in docs}) == 3
    again = await _issue(builder, "case_receipt", {"case": SAMPLE["case"]})
    assert again.certificate_id == certs[0].id
    report = support.pdfsig(await _pdf(docs[0]))
    assert support.signature_valid(report) and "鹤山市城建开发有限公司" in report


async def test_a_failing_issue_inside_the_callers_transaction_leaves_nothing():
    admin = await actor("gov_admin")
    before = await IssuedDocument.all().count()
    key = _fresh_key()
    await T.create(key=key, name="运行出错的模板", html="<p>{{ case.number }}</p>", sample={}, case_type=None,
                   actor=admin)
    await T.save_version(key, name=None, html="<p>{{ 1 / case.zero }}</p>", sample={"case": {"zero": 1}},
                         case_type=T.KEEP, enabled=True, note=None, actor=admin)
    with pytest.raises(InvalidInput) as e:
        async with uow() as tx:
            await service.issue(key, {"case": {"zero": 0}}, issuer_org_id=admin.org_id, case_id=None,
                                actor=admin, using=tx)
    assert "模板第 1 行" in e.value.message and "ZeroDivisionError" in e.value.message
    assert await IssuedDocument.all().count() == before


# ---- templates -------------------------------------------------------------------------------------

async def test_default_templates_are_seeded_once():
    from app.documents import seed
    await seed.seed()
    for d in DEFAULTS:
        rows = await DocumentTemplate.filter(key=d["key"])
        assert len(rows) == 1 and rows[0].version == 1 and rows[0].enabled and rows[0].name == d["name"]


async def test_save_is_a_new_version_and_issue_uses_the_highest_enabled_one():
    admin = await actor("gov_admin")
    key = _fresh_key()
    v1 = await T.create(key=key, name="测试通知书", html="<h1>第一版 {{ case.number }}</h1>", sample={},
                        case_type="repair", actor=admin)
    v2 = await T.save_version(key, name=None, html="<h1>第二版 {{ case.number }}</h1>", sample={}, enabled=True,
                              note="改标题", actor=admin)
    assert (v1.version, v2.version) == (1, 2) and v2.case_type == "repair" and v2.name == "测试通知书"
    doc = await _issue(admin, key, {"case": {"number": "WX-1"}})
    assert "第二版 WX-1" in support.pdftext(await _pdf(doc)) and doc.template_id == v2.id

    await T.set_enabled(key, enabled=False, version=2, actor=admin)
    assert (await T.active(key)).version == 1
    doc = await _issue(admin, key, {"case": {"number": "WX-2"}})
    assert "第一版 WX-2" in support.pdftext(await _pdf(doc))

    await T.set_enabled(key, enabled=False, version=None, actor=admin)
    assert await T.active(key) is None
    with pytest.raises(service.TemplateDisabled):
        await _issue(admin, key, {})
    await T.set_enabled(key, enabled=True, version=None, actor=admin)
    assert (await T.active(key)).version == 2

    actions = [a.action for a in await AuditLog.filter(object_type="document_template",
                                                        object_id__startswith=key).order_by("id")]
    assert actions == ["document.template.create", "document.template.save", "document.template.disable",
                       "document.template.disable", "document.template.enable"]
    saved = await AuditLog.get(action="document.template.save", object_id=f"{key}@2")
    assert saved.summary.endswith("改标题") and saved.actor_id == admin.account_id


async def test_concurrent_saves_get_consecutive_versions():
    admin = await actor("gov_admin")
    key = _fresh_key()
    await T.create(key=key, name="并发", html="<p>0</p>", sample={}, case_type=None, actor=admin)
    saved = await asyncio.gather(*[T.save_version(key, name=None, html=f"<p>{i}</p>", sample={}, actor=admin)
                                   for i in range(5)])
    assert sorted(t.version for t in saved) == [2, 3, 4, 5, 6]


async def test_duplicate_key_and_bad_key_are_refused():
    admin = await actor("gov_admin")
    with pytest.raises(Conflict):
        await T.create(key="case_receipt", name="x", html="<p>x</p>", sample={}, case_type=None, actor=admin)
    for bad in ("Bad", "1abc", "preview", "a-b", "x"):
        with pytest.raises(InvalidInput):
            await T.create(key=bad, name="x", html="<p>x</p>", sample={}, case_type=None, actor=admin)


# ---- the sandbox -----------------------------------------------------------------------------------

@pytest.mark.parametrize("source, line, words", [
    ("<p>\n{% if case.x %}\n<b>未闭合</b>\n", 3, "缺少结束标签 {% endif %}"),
    ("<p>{{ case.number }</p>", 1, "语法错误"),
    ("<p>\n\n{% for x in y %}{% endif %}{% endfor %}", 3, "语法错误"),
    ("<p>\n{{ case.number | nosuchfilter }}</p>", 2, "没有名为“nosuchfilter”的过滤器"),
])
def test_syntax_errors_name_the_line_in_chinese(source, line, words):
    with pytest.raises(InvalidInput) as e:
        T.render(source, {})
    assert e.value.code == "TEMPLATE_SYNTAX"
    assert f"模板第 {line} 行" in e.value.message and words in e.value.message, e.value.message
    assert e.value.fields["html"] == e.value.message


@pytest.mark.parametrize("source, line", [
    ("<p>\n{{ ''.__class__.__mro__ }}</p>", 2),
    ("{{ case['__class__'] }}", 1),
    ("<p>\n\n{{ cycler.__init__.__globals__ }}", 3),
    ("{% include 'other.html' %}", 1),
])
def test_escapes_are_refused_before_they_run(source, line):
    with pytest.raises(InvalidInput) as e:
        T.compile_template(source)
    assert e.value.code == "TEMPLATE_FORBIDDEN" and f"模板第 {line} 行" in e.value.message, e.value.message
    assert "安全限制" in e.value.message or "不支持" in e.value.message


@pytest.mark.parametrize("source, line, words", [
    ("<p>\n{{ case | attr('__class__') }}</p>", 2, "安全限制"),
    ("{% set n = '__cla' ~ 'ss__' %}\n{{ (case | attr(n)).mro() }}", 2, "安全限制"),
    ("{{ case.members.append(3) }}", 1, "安全限制"),
    ("<p>{{ 'x' * 100000000 }}</p>", 1, "过长"),
    ("<p>{{ 2 ** 99999999 }}</p>", 1, "指数过大"),
    ("<p>{{ (10 ** 60) ** 60 }}</p>", 1, "指数过大"),
    ("<p>{{ '%0999999999d' % 1 }}</p>", 1, "宽度过大"),
    ("<p>{{ 'x'.center(999999999) }}</p>", 1, "过大"),
    ("<p>{{ 'x' | center(999999999) }}</p>", 1, "过大"),
])
def test_sandbox_violations_at_run_time_name_the_line(source, line, words):
    with pytest.raises(InvalidInput) as e:
        T.render(source, {"case": {"members": [1, 2]}})
    assert e.value.code == "TEMPLATE_FORBIDDEN", e.value.message
    assert f"模板第 {line} 行" in e.value.message and words in e.value.message, e.value.message


def test_a_runaway_loop_is_stopped():
    source = "<p>\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}</p>"
    with pytest.raises(InvalidInput) as e:
        T.render(source, {}, seconds=0.5)
    assert e.value.code == "TEMPLATE_TIMEOUT" and "模板第 2 行" in e.value.message and "超时" in e.value.message


def test_templates_render_escaped_with_the_document_filters():
    out = T.render("{{ name }}|{{ d | cn_date }}|{{ t | cn_datetime }}|{{ fen | yuan }}|{{ idn | mask_id }}|"
                   "{{ missing.deeper.field }}|{{ n | mask_name }}",
                   {"name": "<script>x</script>", "d": "2026-11-26", "t": "2026-11-26T02:30:00+00:00",
                    "fen": 158000, "idn": "440703199001011239", "n": "陈小明"})
    assert out == ("&lt;script&gt;x&lt;/script&gt;|2026年11月26日|2026年11月26日 10:30|1,580.00|"
                   "4407**********1239||陈*明")


async def test_templates_cannot_fetch_urls_or_local_files():
    hits: list[bytes] = []

    async def handle(reader, writer):  # noqa: ANN001
        hits.append(await reader.read(200))
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        html = (f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
                f'<img src="http://127.0.0.1:{port}/x.png"><img src="file:///etc/passwd">'
                f'<style>@import url("http://127.0.0.1:{port}/y.css");</style><p>正文</p>')
        data = await service.preview(html, {})
        await asyncio.sleep(0.2)
    finally:
        server.close()
    assert data[:5] == b"%PDF-" and hits == []
    assert "正文" in support.pdftext(data)


async def test_a_document_of_too_many_pages_is_refused():
    html = '{% for i in range(60) %}<div style="break-after: page">第{{ i }}页</div>{% endfor %}'
    with pytest.raises(InvalidInput) as e:
        await service.preview(html, {})
    assert e.value.code == "PDF_TOO_LONG" and "页数过多" in e.value.message


async def test_preview_is_an_unsigned_pdf_with_placeholders():
    d = DEFAULTS[0]
    from app.documents.seed import default_html
    data = await service.preview(default_html(d["key"]), d["sample"])
    assert data[:5] == b"%PDF-"
    assert "does not contain any signatures" in support.pdfsig(data)
    text = support.pdftext(data)
    assert "资格确认书" in text and "示例申请人" in text and f"/verify/{service.PREVIEW_ID}" in text


async def test_a_template_without_a_qr_code_gets_one():
    admin = await actor("gov_admin")
    key = _fresh_key()
    await T.create(key=key, name="无二维码", html="<html><body><p>正文 {{ case.number }}</p></body></html>",
                   sample={}, case_type=None, actor=admin)
    doc = await _issue(admin, key, {"case": {"number": "X-1"}})
    text = support.pdftext(await _pdf(doc))
    assert "扫码核验真伪" in text and doc.number in text


# ---- revoke ----------------------------------------------------------------------------------------

async def test_revoke_marks_the_document_and_is_audited_once():
    admin = await actor("gov_admin")
    doc = await _issue(admin, "case_receipt", {"case": SAMPLE["case"]})
    with pytest.raises(InvalidInput):
        await service.revoke(doc.id, " ", admin)
    out = await service.revoke(doc.id, "申请人隐瞒住房情况", admin)
    row = await IssuedDocument.get(id=doc.id)
    assert out.status == row.status == "revoked" and row.revoked_reason == "申请人隐瞒住房情况"
    assert row.revoked_at is not None
    with pytest.raises(Conflict):
        await service.revoke(doc.id, "再次作废", admin)
    logs = await AuditLog.filter(action="document.revoke", object_id=str(doc.id))
    assert len(logs) == 1 and logs[0].before == {"status": "valid", "revoked_reason": None}
    assert logs[0].after == {"status": "revoked", "revoked_reason": "申请人隐瞒住房情况"}


async def test_revoke_respects_the_data_scope():
    hs = await actor("hs_builder_admin")
    doc = await _issue(hs, "case_receipt", {"case": SAMPLE["case"]})
    pj_org = await Org.get(name="江门市蓬江区住房和城乡建设局")
    pj = Actor(account_id=0, kind="STAFF", name="区级", scope="DISTRICT", org_id=pj_org.id,
               district_code="440703", permissions=frozenset({"document.revoke"}))
    from app.core.errors import NotFound
    with pytest.raises(NotFound):
        await service.revoke(doc.id, "越权作废", pj)
    assert (await IssuedDocument.get(id=doc.id)).status == "valid"


async def test_completion_of_a_case_type_issues_its_templates():
    admin = await actor("gov_admin")
    case_type = f"ct_{_fresh_key()}"
    a, b, off = _fresh_key(), _fresh_key(), _fresh_key()
    for key in (a, b, off):
        await T.create(key=key, name=f"随办结出具{key}", html="<p>{{ case.number }}</p>", sample={},
                       case_type=case_type, actor=admin)
    await T.set_enabled(off, enabled=False, version=None, actor=admin)
    # A later version that no longer names the case type takes the template out.
    moved = _fresh_key()
    await T.create(key=moved, name="改为不随办结", html="<p>x</p>", sample={}, case_type=case_type, actor=admin)
    await T.save_version(moved, name=None, html="<p>x</p>", sample={}, case_type=None, actor=admin)
    assert await T.keys_for_case_type(case_type) == sorted([a, b])
    async with uow() as tx:
        docs = await service.issue_for_case_type(case_type, {"case": {"number": "BX-1"}}, issuer_org_id=admin.org_id,
                                                 case_id=None, actor=admin, using=tx)
    assert sorted(d.template_key for d in docs) == sorted([a, b])
    for d in docs:
        assert support.signature_valid(support.pdfsig(await _pdf(d)))
