"""The trusted timestamp service (时间戳服务): a copy of each audit chain anchor goes out through the
outbox, and the service pushes back a signed receipt saying it saw that chain head at that time.

Both signatures are standard SM3withSM2 (GB/T 32918.2: Z_A from the default signer id, then SM3)
over a fixed text, so anyone holding the public keys can check them without our code:

    anchor:  "ARH-AUDIT-ANCHOR|<head_id>|<head_hash>|<row_count>|<anchored_at ISO-8601>"
    receipt: "ARH-TSA-RECEIPT|<serial_no>|<timestamped_at ISO-8601>|<anchor_id>|<head_hash>"
"""
from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import gmssl_pyx
from pydantic import Field

from .base import Message, Reply, push

PARTNER = "timestamp"
T_ANCHOR = "audit.anchor"
T_RECEIPT = "timestamp.receipt"
SIGNER_ID = gmssl_pyx.SM2_DEFAULT_SIGNER_ID
HASH = Field(pattern=r"^[0-9a-f]{64}$", description="SM3 哈希（64位十六进制）")


class AnchorCopy(Message):
    anchor_id: int = Field(ge=1, description="平台锚点编号")
    head_id: int = Field(ge=0, description="锚定时审计链最后一条记录的编号")
    head_hash: str = HASH
    row_count: int = Field(ge=0, description="锚定时审计链的记录数")
    anchored_at: datetime
    signed_text: str = Field(max_length=400, description="平台签名的原文")
    signature: str = Field(max_length=200, description="平台 SM2 签名（DER，Base64）")


class Receipt(Reply):
    anchor_id: int = Field(ge=1)
    head_hash: str = HASH
    serial_no: str = Field(min_length=1, max_length=64, description="时间戳序列号")
    timestamped_at: datetime
    signed_text: str = Field(max_length=400)
    signature: str = Field(max_length=200, description="时间戳服务 SM2 签名（DER，Base64）")


def anchor_text(head_id: int, head_hash: str, row_count: int, anchored_at: datetime) -> str:
    return f"ARH-AUDIT-ANCHOR|{head_id}|{head_hash}|{row_count}|{anchored_at.isoformat()}"


def receipt_text(serial_no: str, timestamped_at: datetime, anchor_id: int, head_hash: str) -> str:
    return f"ARH-TSA-RECEIPT|{serial_no}|{timestamped_at.isoformat()}|{anchor_id}|{head_hash}"


def sign(private_key: bytes, public_key: bytes, text: str) -> str:
    return base64.b64encode(gmssl_pyx.sm2_sign(private_key, public_key, text.encode(), SIGNER_ID)).decode()


def verify(public_key: bytes, text: str, signature: str) -> bool:
    try:
        return bool(gmssl_pyx.sm2_verify(public_key, text.encode(), base64.b64decode(signature, validate=True),
                                         SIGNER_ID))
    except (ValueError, gmssl_pyx.GmsslInnerError, gmssl_pyx.InvalidValueError):
        return False


async def send_anchor(tx: Any, anchor: AnchorCopy) -> Any:
    """Queue the anchor's copy for the timestamp service in the caller's transaction."""
    return await push(tx, PARTNER, T_ANCHOR, anchor, business_no=f"ANCHOR-{anchor.anchor_id}")
