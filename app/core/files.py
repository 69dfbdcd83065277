"""Files: type sniffed by content, size limited, EXIF stripped, thumbnails, content-addressed storage."""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from app.config import get_settings
from app.core import audit
from app.core.db import uow
from app.core.errors import AppError, InvalidInput
from app.core.models import StoredFile

ALLOWED = {
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "application/pdf": "pdf",
    "application/msword": "doc", "application/vnd.ms-excel": "xls", "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/x-ole-storage": "doc",
}
THUMB_PX = 320


class TooLarge(AppError):
    status, code = 413, "FILE_TOO_LARGE"


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key[2:4] / key

    async def put(self, key: str, data: bytes) -> None:
        p = self._path(key)
        if p.exists():
            return  # content-addressed: same key, same bytes
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".{uuid.uuid4().hex}.tmp")
        await asyncio.to_thread(tmp.write_bytes, data)
        os.replace(tmp, p)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return self._path(key).exists()


class S3Storage:
    """Any S3-compatible object store (MinIO, OSS/COS S3 endpoints) via aioboto3."""

    def __init__(self, endpoint: str, bucket: str, access_key: str, secret_key: str, region: str):
        import aioboto3
        self.session = aioboto3.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                        region_name=region)
        self.endpoint, self.bucket = endpoint or None, bucket

    def _client(self):  # noqa: ANN202
        return self.session.client("s3", endpoint_url=self.endpoint)

    async def put(self, key: str, data: bytes) -> None:
        async with self._client() as c:
            await c.put_object(Bucket=self.bucket, Key=key, Body=data)

    async def get(self, key: str) -> bytes:
        async with self._client() as c:
            obj = await c.get_object(Bucket=self.bucket, Key=key)
            return await obj["Body"].read()

    async def exists(self, key: str) -> bool:
        async with self._client() as c:
            try:
                await c.head_object(Bucket=self.bucket, Key=key)
                return True
            except c.exceptions.ClientError:
                return False


@lru_cache
def storage() -> Storage:
    s = get_settings()
    if s.file_storage == "s3":
        return S3Storage(s.s3_endpoint, s.s3_bucket, s.s3_access_key, s.s3_secret_key, s.s3_region)
    return LocalStorage(s.file_root)


def sniff(data: bytes) -> str:
    kind = filetype.guess(data[:8192] if len(data) > 8192 else data)
    if kind is None and data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "application/x-ole-storage"  # legacy Office compound file
    if kind is None or kind.mime not in ALLOWED:
        raise InvalidInput("文件类型不支持，仅支持图片（JPG/PNG/GIF/WEBP）、PDF 和 Office 文档",
                           code="FILE_TYPE_NOT_ALLOWED", fields={"file": "文件类型不支持"})
    return kind.mime


def _clean_image(data: bytes, mime: str) -> tuple[bytes, bytes, int, int]:
    """Re-encode without metadata (drops EXIF/GPS), and make a JPEG thumbnail."""
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError) as e:
        raise InvalidInput("图片已损坏，无法读取", code="FILE_CORRUPT", fields={"file": "图片已损坏"}) from e
    img.info.pop("comment", None)  # Pillow's JPEG save copies a comment (free text, GPS notes) over
    if mime == "image/gif":
        clean = data  # animated GIFs carry no EXIF; keep frames intact
    else:
        img = ImageOps.exif_transpose(img)
        out = io.BytesIO()
        fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[mime]
        save_img = img.convert("RGB") if fmt == "JPEG" and img.mode not in ("RGB", "L") else img
        save_img.save(out, format=fmt, **({"quality": 92} if fmt in ("JPEG", "WEBP") else {}))
        clean = out.getvalue()
    thumb = img.convert("RGB")
    thumb.thumbnail((THUMB_PX, THUMB_PX))
    tb = io.BytesIO()
    thumb.save(tb, format="JPEG", quality=80)
    return clean, tb.getvalue(), img.width, img.height


async def save_upload(actor, upload) -> StoredFile:  # noqa: ANN001
    if upload is None or not getattr(upload, "body", None):
        raise InvalidInput("请选择要上传的文件", fields={"file": "必填"})
    data: bytes = upload.body
    limit = get_settings().upload_max_mb * 1024 * 1024
    if len(data) > limit:
        raise TooLarge(f"文件超过大小限制（最大{get_settings().upload_max_mb}MB）")
    mime = sniff(data)
    thumb = None
    width = height = None
    if mime.startswith("image/"):
        data, thumb, width, height = await asyncio.to_thread(_clean_image, data, mime)
    sha = hashlib.sha256(data).hexdigest()
    st = storage()
    await st.put(sha, data)
    thumb_sha = None
    if thumb:
        thumb_sha = hashlib.sha256(thumb).hexdigest()
        await st.put(thumb_sha, thumb)
    name = os.path.basename(getattr(upload, "name", "") or "file")[:255]
    async with uow() as tx:
        f = await StoredFile.create(
            id=uuid.uuid4(), sha256=sha, size=len(data), mime=mime, ext=ALLOWED[mime], original_name=name,
            thumb_sha256=thumb_sha, width=width, height=height, owner_id=actor.account_id, org_id=actor.org_id,
            district_code=actor.district_code, using_db=tx)
        await audit.record("file.upload", "file", f.id, using=tx, only_changes=False,
                           after={"name": name, "sha256": sha, "size": len(data), "mime": mime})
    return f


def file_out(f: StoredFile) -> dict:
    base = f"/api/v1/files/{f.id}"
    return {"id": str(f.id), "name": f.original_name, "mime": f.mime, "ext": f.ext, "size": f.size,
            "sha256": f.sha256, "width": f.width, "height": f.height, "url": base + "/content",
            "thumbnail_url": base + "/thumbnail" if f.thumb_sha256 else None,
            "created_at": f.created_at.isoformat()}


def download_headers(f: StoredFile) -> dict:
    disp = "inline" if f.mime.startswith("image/") or f.mime == "application/pdf" else "attachment"
    return {"Content-Disposition": f"{disp}; filename*=UTF-8''{quote(f.original_name)}",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
