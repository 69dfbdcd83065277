"""Stand-in for the trusted timestamp service: it takes the platform's audit chain anchors and
pushes back a signed receipt (serial number, time, the anchored hash).

It checks the platform's signature first, as a real service would refuse to stamp a forged anchor;
the receipt is signed with the service's own key from the keyring.
"""
from __future__ import annotations

import functools
import hashlib

from exchange.adapters import timestamp as ts
from exchange.keys import Keyring
from exchange.partners import PLATFORM

from .config import SandboxConfig
from .partners import Ctx, PartnerFault, handles

RECEIPT_DELAY_SECONDS = 0.2


@functools.cache
def _keyring(path: str) -> Keyring:
    return Keyring.load(path)


def receipt_for(keyring: Keyring, anchor: ts.AnchorCopy, ctx: Ctx) -> dict:
    """The signed receipt for an anchor whose platform signature holds."""
    text = ts.anchor_text(anchor.head_id, anchor.head_hash, anchor.row_count, anchor.anchored_at)
    if text != anchor.signed_text or not ts.verify(keyring.sign_public(PLATFORM), text, anchor.signature):
        raise PartnerFault("BAD_ANCHOR_SIGNATURE", "锚点签名验证失败，不予加盖时间戳")
    at = ctx.now.replace(microsecond=0)
    serial = "TSA" + hashlib.sha256(f"{anchor.anchor_id}:{anchor.head_hash}:{at.isoformat()}".encode()) \
        .hexdigest()[:20].upper()
    signed = ts.receipt_text(serial, at, anchor.anchor_id, anchor.head_hash)
    return {"anchor_id": anchor.anchor_id, "head_hash": anchor.head_hash, "serial_no": serial,
            "timestamped_at": at.isoformat(), "signed_text": signed,
            "signature": ts.sign(keyring.sign_private(ts.PARTNER), keyring.sign_public(ts.PARTNER), signed)}


@handles(ts.PARTNER, ts.T_ANCHOR, ts.AnchorCopy)
async def _stamp(ctx: Ctx, partner: str, anchor: ts.AnchorCopy) -> None:
    receipt = receipt_for(_keyring(SandboxConfig.from_env().exchange_keyring), anchor, ctx)
    if ctx.later is not None:
        ctx.later(RECEIPT_DELAY_SECONDS, ts.PARTNER, ts.T_RECEIPT, receipt, f"ANCHOR-{anchor.anchor_id}")
    return None
