"""What every document's template sees besides its own data: today, its number, verify URL and QR.

Shared by the service (issuing) and the template editor (validating a template against its
sample), so neither imports the other for it.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from app.config import get_settings
from app.core.ids import CN
from app.documents.seal import qr_svg

NUMBER_TYPE = "DZWS"  # 电子文书
PREVIEW_ID = "00000000-0000-0000-0000-000000000000"


def verify_url(doc_id: Any) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/verify/{doc_id}"


def today() -> str:
    return dt.datetime.now(CN).date().isoformat()


@lru_cache(maxsize=4)
def _preview_qr(url: str) -> str:
    return qr_svg(url)


def preview_context(sample: dict) -> dict:
    """The context a template sees in the editor: the sample data plus placeholder document fields."""
    ctx = dict(sample or {})
    ctx.setdefault("today", today())
    ctx.setdefault("org", {"name": "（出具单位）"})
    url = verify_url(PREVIEW_ID)
    ctx["document"] = {"id": PREVIEW_ID, "number": f"{NUMBER_TYPE}-{dt.datetime.now(CN):%Y%m%d}-0000",
                       "verify_url": url, "qr": _preview_qr(url), "issued_at": dt.datetime.now(CN).isoformat(),
                       "preview": True}
    return ctx
