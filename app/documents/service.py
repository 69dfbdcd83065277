"""Issuing, revoking and previewing documents.

`issue()` is what completion hooks call: latest enabled template version -> HTML (with the
verify QR code) -> PDF -> e-seal with the issuer's certificate -> file store -> numbered
`issued_document` row and audit entry, all in the caller's transaction.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
import uuid
from functools import lru_cache
from typing import Any

from cryptography import x509

from app.core import audit
from app.core.db import uow
from app.core.errors import AppError, Conflict, InvalidInput, NotFound
from app.core.files import storage
from app.core.ids import CN, next_number, uuid7
from app.core.models import StoredFile
from app.documents import access  # noqa: F401 - revoke() reads through the data scope
from app.documents import ca, pdf, sealimage, templates
from app.documents.context import PREVIEW_ID, NUMBER_TYPE, preview_context, today, verify_url  # noqa: F401 - PREVIEW_ID, verify_url: the service's public names
from app.documents.models import IssuedDocument, SigningCertificate
from app.documents.seal import SealMaterial, image_stamp_style, qr_svg, seal_pdf
from app.identity import scope
from app.identity.models import Org
_DOC_FIELDS = ["number", "template_key", "title", "case_id", "issuer_org_id", "issuer_org_name", "sha256",
               "status", "revoked_reason"]


class TemplateDisabled(AppError):
    status, code, message = 409, "TEMPLATE_DISABLED", "文书模板已停用，不能出具"


def _org_ctx(org: Any) -> dict:
    return {"id": org.id, "name": org.name, "credit_code": org.credit_code, "district_code": org.district_code,
            "address": org.address}


_BODY_END = re.compile(r"</body\s*>", re.I)


def _ensure_qr(html: str, document: dict) -> str:
    """Every document carries its verify QR code; a template that does not place one gets it at the
    bottom left of each page."""
    if document["qr"] in html:
        return html
    block = ('<div style="position:fixed;left:0;bottom:-22mm;width:60mm;font-size:8pt;line-height:1.3;'
             'font-family:\'Noto Sans CJK SC\',sans-serif;color:#333">'
             f'<img src="{document["qr"]}" style="width:18mm;height:18mm;float:left;margin-right:2mm" alt="">'
             f'扫码核验真伪<br>编号：{document["number"]}</div>')
    m = _BODY_END.search(html)
    return html[:m.start()] + block + html[m.start():] if m else html + block


def _build(source: str, ctx: dict, material: SealMaterial) -> bytes:
    html = _ensure_qr(templates.render(source, ctx), ctx["document"])
    rendered = pdf.render_pdf(html)
    return seal_pdf(rendered.pdf, rendered.seal, material)


async def _material(cert: SigningCertificate, org_name: str) -> SealMaterial:
    ca_pem = b""
    ca_key, ca_cert = await asyncio.to_thread(ca.load_ca)
    if x509.load_pem_x509_certificate(cert.cert_pem.encode()).issuer == ca_cert.subject:
        ca_pem = ca.ca_cert_pem().encode()  # the chain travels in the signature
    if not cert.seal_png_sha256:
        raise AppError("该单位的电子印章图片缺失", code="SEAL_IMAGE_MISSING", status=500)
    png = await storage().get(cert.seal_png_sha256)
    return SealMaterial(cert_pem=cert.cert_pem.encode(), key_der=ca.decrypt_key(cert.key_encrypted, cert.serial),
                        ca_pem=ca_pem, seal_png=png, signer_name=org_name)


async def issue(template_key: str, context: dict, *, issuer_org_id: int, case_id: int | None, actor,  # noqa: ANN001
                using=None) -> IssuedDocument:  # noqa: ANN001
    """Render, seal, store and number a document from the latest enabled version of a template.

    `context` is what the template sees (e.g. `{"case": {...}}`); `org` defaults to the issuer,
    `today` to today's date, and `document` (number, verify_url, qr) is always filled here.
    Runs in `using` (the caller's transaction) or in a transaction of its own.
    """
    if using is None:
        async with uow() as tx:
            return await issue(template_key, context, issuer_org_id=issuer_org_id, case_id=case_id, actor=actor,
                               using=tx)
    if not isinstance(context, dict):
        raise InvalidInput("文书数据应为对象", fields={"context": "应为对象"})
    tpl = await templates.active(template_key, using=using)
    if tpl is None:
        if await templates.latest(template_key, using=using) is None:
            raise NotFound(f"文书模板“{template_key}”不存在")
        raise TemplateDisabled(f"文书模板“{template_key}”已停用，不能出具")
    org = await Org.filter(id=issuer_org_id).using_db(using).first()
    if org is None:
        raise NotFound("出具单位不存在")
    cert = await ca.org_certificate(org.id, using=using, actor=actor)
    material = await _material(cert, org.name)

    doc_id = uuid7()
    number = await next_number(NUMBER_TYPE, using=using)
    now = dt.datetime.now(dt.timezone.utc)
    url = verify_url(doc_id)
    ctx = dict(context)
    ctx.setdefault("org", _org_ctx(org))
    ctx.setdefault("today", today())
    ctx["issuer"] = _org_ctx(org)
    ctx["document"] = {"id": str(doc_id), "number": number, "verify_url": url, "qr": qr_svg(url),
                       "issued_at": now.astimezone(CN).isoformat(), "preview": False}
    sealed = await asyncio.to_thread(_build, tpl.html, ctx, material)

    sha = hashlib.sha256(sealed).hexdigest()
    await storage().put(sha, sealed)
    f = await StoredFile.create(
        id=uuid.uuid4(), sha256=sha, size=len(sealed), mime="application/pdf", ext="pdf",
        original_name=f"{tpl.name}-{number}.pdf"[:255], owner_id=getattr(actor, "account_id", None), org_id=org.id,
        district_code=org.district_code, using_db=using)
    doc = await IssuedDocument.create(
        id=doc_id, number=number, template_id=tpl.id, template_key=tpl.key, title=tpl.name, case_id=case_id,
        issuer_org_id=org.id, issuer_org_name=org.name, certificate_id=cert.id, file_id=f.id, sha256=sha,
        status="valid", issued_by_id=getattr(actor, "account_id", None), issued_at=now, using_db=using)
    await audit.record("document.issue", "issued_document", doc.id, using=using, actor=actor, only_changes=False,
                       summary=f"出具电子文书 {tpl.name} {number}",
                       after=audit.snapshot(doc, _DOC_FIELDS) | {"template_version": tpl.version,
                                                                 "certificate_serial": cert.serial})
    return doc


async def issue_for_case_type(case_type: str, context: dict, *, issuer_org_id: int, case_id: int | None,
                              actor, using=None) -> list[IssuedDocument]:  # noqa: ANN001
    """Issue every document whose template is set to be issued when a case of `case_type` completes."""
    if using is None:
        async with uow() as tx:
            return await issue_for_case_type(case_type, context, issuer_org_id=issuer_org_id, case_id=case_id,
                                             actor=actor, using=tx)
    return [await issue(key, context, issuer_org_id=issuer_org_id, case_id=case_id, actor=actor, using=using)
            for key in await templates.keys_for_case_type(case_type, using=using)]


async def revoke(doc_id: Any, reason: str, actor, using=None) -> IssuedDocument:  # noqa: ANN001
    """Mark a document revoked (作废); the verify page then says so, with the reason.

    A staff actor can only revoke documents in their data scope; the system (hooks) any."""
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 255:
        raise InvalidInput("请填写作废原因（2-255个字）", fields={"reason": "必填，2-255个字"})
    if using is None:
        async with uow() as tx:
            return await revoke(doc_id, reason, actor, using=tx)
    if isinstance(actor, scope.Actor):
        doc = await scope.get_scoped(IssuedDocument, actor, doc_id, for_update=True, using=using)
    else:
        doc = await IssuedDocument.filter(id=doc_id).using_db(using).select_for_update().first()
        if doc is None:
            raise NotFound("文书不存在")
    if doc.status == "revoked":
        raise Conflict("该文书已作废", code="DOCUMENT_REVOKED")
    before = audit.snapshot(doc, _DOC_FIELDS)
    doc.status, doc.revoked_at, doc.revoked_reason = "revoked", dt.datetime.now(dt.timezone.utc), reason
    await doc.save(using_db=using, update_fields=["status", "revoked_at", "revoked_reason"])
    if isinstance(actor, scope.Actor):
        await scope.ensure_in_scope(doc, actor, using=using)
    await audit.record("document.revoke", "issued_document", doc.id, using=using, actor=actor,
                       before=before, after=audit.snapshot(doc, _DOC_FIELDS),
                       summary=f"作废电子文书 {doc.title} {doc.number}：{reason}"[:255])
    return doc


@lru_cache(maxsize=32)
def _specimen_seal(org_name: str) -> bytes:
    return sealimage.draw(org_name, use="样章 仅供预览")


def _stamp_specimen(pdf_bytes: bytes, box: pdf.SealBox, org_name: str) -> bytes:
    """Put a specimen seal where the real one will go, so the editor sees the layout; no signature."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    style = image_stamp_style(_specimen_seal(org_name), opacity=0.8)
    size = round(box.size)
    stamp = style.create_stamp(writer, layout.BoxConstraints(width=size, height=size), {})
    stamp.apply(box.page, round(box.x), round(box.y))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def preview(html: str, context: dict) -> bytes:
    """PDF of a template as edited (not saved), unsigned, with a specimen seal: the editor's live view."""
    templates.check_sample(context)
    ctx = preview_context(context)
    org = ctx.get("org")
    org_name = str(org.get("name") if isinstance(org, dict) and org.get("name") else "（出具单位）")[:24]

    def run() -> bytes:
        out = _ensure_qr(templates.render(html, ctx), ctx["document"])
        rendered = pdf.render_pdf(out)
        return _stamp_specimen(rendered.pdf, rendered.seal, org_name)
    return await asyncio.to_thread(run)
