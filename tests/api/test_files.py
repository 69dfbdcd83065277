"""Uploads: type sniffed from content, size limit, EXIF stripped, thumbnails, content-addressed storage,
and downloads limited to the uploader's data scope.

A shared mechanism with no feature ID of its own: every "scan and upload the documents" feature uses it.
"""
from __future__ import annotations

import asyncio
import io
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from PIL import Image

from app.core.models import AuditLog, StoredFile
from app.identity.models import Account
from tests.conftest import fresh_phone, make_id_number

ROOT = Path(os.environ["FILE_ROOT"])


def _object_path(sha: str) -> Path:
    return ROOT / sha[:2] / sha[2:4] / sha


def _jpeg_with_metadata(w: int = 1200, h: int = 800) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"          # Make
    exif[0x0110] = "EOS R5 ARHTEST"  # Model
    exif[0x0112] = 6                 # Orientation: rotate 90° to display
    exif[0x8825] = {1: "N", 2: (22.0, 35.0, 10.0), 3: "E", 4: (113.0, 4.0, 30.0)}  # GPS
    img = Image.new("RGB", (w, h), (200, 30, 30))
    for x in range(0, w, 7):  # some detail, so the picture is not one flat colour
        img.putpixel((x, (x * 3) % h), (secrets.randbelow(256), 0, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, comment=b"GPS 22.58N 113.08E ARHTEST home address")
    return out.getvalue()


def _pdf(tag: str = "") -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%" + tag.encode() + b"\n%%EOF\n")


async def _upload(api, token: str, name: str, data: bytes, mime: str = "application/octet-stream"):  # noqa: ANN001
    return await api.post("/api/v1/files/", token, files={"file": (name, data, mime)})


async def test_jpeg_is_stored_without_exif_and_with_a_thumbnail(api, token):
    t = await token("builder_admin")
    data = _jpeg_with_metadata()
    r = await _upload(api, t, "现场照片.jpg", data, "image/jpeg")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["mime"] == "image/jpeg" and body["ext"] == "jpg" and body["name"] == "现场照片.jpg"
    # the EXIF orientation was applied before it was dropped
    assert (body["width"], body["height"]) == (800, 1200)
    assert body["url"] == f"/api/v1/files/{body['id']}/content"
    assert body["thumbnail_url"] == f"/api/v1/files/{body['id']}/thumbnail"

    r = await api.get(body["url"], t)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["content-disposition"] == "inline; filename*=UTF-8''" + quote("现场照片.jpg")
    stored = r.content
    assert len(stored) == body["size"]
    img = Image.open(io.BytesIO(stored))
    assert img.format == "JPEG" and img.size == (800, 1200)
    assert len(img.getexif()) == 0
    assert "exif" not in img.info and "comment" not in img.info
    for secret in (b"Canon", b"ARHTEST", b"Exif\x00\x00"):
        assert secret not in stored

    r = await api.get(body["thumbnail_url"], t)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    th = Image.open(io.BytesIO(r.content))
    assert th.format == "JPEG" and max(th.size) <= 320 and th.size == (213, 320)
    assert len(th.getexif()) == 0 and "comment" not in th.info

    f = await StoredFile.get(id=body["id"])
    acc = await Account.get(login_name="builder_admin")
    assert (f.sha256, f.size, f.owner_id, f.org_id) == (body["sha256"], len(stored), acc.id, acc.org_id)
    assert f.district_code == "440703" and f.thumb_sha256
    assert _object_path(f.sha256).read_bytes() == stored
    assert _object_path(f.thumb_sha256).exists()

    log = await AuditLog.filter(action="file.upload", object_id=str(f.id)).first()
    assert log is not None
    assert log.actor_id == acc.id and log.org_id == acc.org_id
    assert log.after == {"name": "现场照片.jpg", "sha256": f.sha256, "size": f.size, "mime": "image/jpeg"}


async def test_cmyk_jpeg_is_cleaned_too(api, token):
    t = await token("builder_admin")
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    Image.new("CMYK", (640, 480), (0, 80, 80, 10)).save(out, "JPEG", exif=exif, comment=b"ARHTEST CMYK note")
    r = await _upload(api, t, "cmyk.jpg", out.getvalue(), "image/jpeg")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["width"], body["height"]) == (640, 480)
    for url in (body["url"], body["thumbnail_url"]):
        got = (await api.get(url, t)).content
        img = Image.open(io.BytesIO(got))
        assert img.mode == "RGB" and len(img.getexif()) == 0 and "comment" not in img.info
        assert b"ARHTEST" not in got and b"Canon" not in got


async def test_pdf_is_accepted_byte_for_byte(api, token):
    t = await token("builder_admin")
    data = _pdf(secrets.token_hex(4))
    r = await _upload(api, t, "营业执照.pdf", data, "application/pdf")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["mime"] == "application/pdf" and body["ext"] == "pdf" and body["size"] == len(data)
    assert body["thumbnail_url"] is None and body["width"] is None
    r = await api.get(body["url"], t)
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline;")
    assert r.headers["x-content-type-options"] == "nosniff"
    r = await api.get(f"/api/v1/files/{body['id']}/thumbnail", t)
    assert r.status_code == 404 and r.json()["error"]["message"] == "该文件没有缩略图"
    meta = await api.get(f"/api/v1/files/{body['id']}", t)
    assert meta.status_code == 200 and meta.json() == body
    assert await AuditLog.filter(action="file.upload", object_id=body["id"]).exists()


async def test_executables_and_html_named_pdf_are_refused(api, token):
    t = await token("builder_admin")
    bodies = {
        "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
        "elf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200,
        "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 200,
    }
    for kind, data in bodies.items():
        name = f"合同-{kind}-{secrets.token_hex(3)}.pdf"
        r = await _upload(api, t, name, data, "application/pdf")
        assert r.status_code == 422, (kind, r.text)
        err = r.json()["error"]
        assert err["code"] == "FILE_TYPE_NOT_ALLOWED"
        assert err["message"].startswith("文件类型不支持")
        assert err["fields"] == {"file": "文件类型不支持"}
        assert not await StoredFile.filter(original_name=name).exists()
        assert not await AuditLog.filter(action="file.upload", after__contains={"name": name}).exists()


async def test_corrupt_image_and_missing_file(api, token):
    t = await token("builder_admin")
    name = f"坏图-{secrets.token_hex(3)}.jpg"
    r = await _upload(api, t, name, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(500), "image/jpeg")
    assert r.status_code == 422 and r.json()["error"]["code"] == "FILE_CORRUPT"
    assert r.json()["error"]["message"] == "图片已损坏，无法读取"
    assert not await StoredFile.filter(original_name=name).exists()
    r = await api.post("/api/v1/files/", t, files={"other": ("x.pdf", _pdf(), "application/pdf")})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"file": "必填"}
    r = await _upload(api, t, "empty.pdf", b"")
    assert r.status_code == 422


async def test_file_over_the_limit_is_refused(api, token):
    t = await token("builder_admin")
    name = f"超大-{secrets.token_hex(3)}.png"
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(int(2.5 * 1024 * 1024))
    r = await _upload(api, t, name, data, "image/png")
    assert r.status_code == 413, r.text
    assert r.json()["error"] == {"code": "FILE_TOO_LARGE", "message": "文件超过大小限制（最大2MB）", "fields": {}}
    assert not await StoredFile.filter(original_name=name).exists()
    # just under the limit is fine
    pdf = _pdf(secrets.token_hex(4))
    small = pdf + b"%" + b"0" * (2 * 1024 * 1024 - len(pdf) - 2) + b"\n"
    assert len(small) == 2 * 1024 * 1024
    r = await _upload(api, t, "刚好2MB.pdf", small, "application/pdf")
    assert r.status_code == 201, r.text


async def test_same_bytes_twice_two_rows_one_object(api, token):
    t = await token("builder_admin")
    data = _pdf(secrets.token_hex(8))
    a = await _upload(api, t, "a.pdf", data)
    b = await _upload(api, t, "b.pdf", data)
    assert a.status_code == b.status_code == 201
    a, b = a.json(), b.json()
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    rows = await StoredFile.filter(sha256=a["sha256"])
    assert sorted(r.original_name for r in rows) == ["a.pdf", "b.pdf"]
    folder = _object_path(a["sha256"]).parent
    assert [p.name for p in folder.iterdir() if p.name.startswith(a["sha256"])] == [a["sha256"]]
    assert _object_path(a["sha256"]).read_bytes() == data
    # racing uploads of the same new bytes: every row, still one object and no temp files left
    data2 = _pdf(secrets.token_hex(8))
    rs = await asyncio.gather(*[_upload(api, t, f"c{i}.pdf", data2) for i in range(6)])
    assert [r.status_code for r in rs] == [201] * 6
    sha = rs[0].json()["sha256"]
    assert {r.json()["sha256"] for r in rs} == {sha}
    assert await StoredFile.filter(sha256=sha).count() == 6
    folder = _object_path(sha).parent
    assert [p.name for p in folder.iterdir() if p.name.startswith(sha)] == [sha]
    assert not [p for p in folder.iterdir() if p.suffix == ".tmp"]


async def test_download_follows_data_scope(api, token, new_staff):
    owner = await token("builder_admin")
    r = await _upload(api, owner, "施工许可证.jpg", _jpeg_with_metadata(400, 300), "image/jpeg")
    assert r.status_code == 201
    f = r.json()
    paths = [f"/api/v1/files/{f['id']}", f["url"], f["thumbnail_url"]]
    # another builder and an operator: as if the file did not exist
    for other in ("hs_builder_admin", "operator_admin"):
        ot = await token(other)
        for p in paths:
            r = await api.get(p, ot)
            assert r.status_code == 404, (other, p)
            assert r.json()["error"]["code"] == "NOT_FOUND"
    # a colleague in the uploader's org, with no role permissions at all
    login, password, _ = await new_staff(admin="builder_admin")
    ct = await api.login(login, password)
    for p in paths:
        assert (await api.get(p, ct)).status_code == 200, p
    assert (await api.get(f["url"], ct)).content == (await api.get(f["url"], owner)).content
    # the city housing bureau sees every file; the district bureau sees its district's
    assert (await api.get(f["url"], await token("gov_admin"))).status_code == 200
    assert (await api.get(f["url"], await token("pj_clerk"))).status_code == 200
    # no token at all
    assert (await api.get(f["url"])).status_code == 401


async def test_person_cannot_upload(api, sms):
    phone, idn, pw = fresh_phone(), make_id_number(born="19880808"), "Tenant@2026"
    r = await api.client.post("/api/public/sms/codes", json={"phone": phone, "purpose": "register"})
    assert r.status_code == 200, r.text
    r = await api.client.post("/api/public/auth/register", json={
        "name": "租户甲", "id_number": idn, "phone": phone, "sms_code": await sms(phone), "password": pw})
    assert r.status_code == 201, r.text
    pt = await api.person_login(idn, pw)
    name = f"person-{secrets.token_hex(3)}.pdf"
    r = await _upload(api, pt, name, _pdf())
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    assert not await StoredFile.filter(original_name=name).exists()
