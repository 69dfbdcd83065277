"""The envelope every partner message travels in.

header (plaintext, bound as AAD) + body (JSON, SM4-GCM under the partner's data key)
+ standard SM3withSM2 signature (GB/T 32918.2, GM/T 0009: e = SM3(Z_A || M), Z_A from the signer id)
over M = canonical header || ciphertext, with the sender's key.
The receiver checks, in order: shape, known sender and key id, timestamp window,
signature, decryption, and only then burns the nonce, so unsigned junk cannot
use up nonces. See docs/exchange.md.
"""
from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import gmssl_pyx

from app.core.crypto import DecryptError, sm4_gcm_decrypt, sm4_gcm_encrypt
from app.core.ids import uuid7
from exchange.keys import Keyring, KeyError_

WINDOW_SECONDS = 300
# 2: the signature is standard SM3withSM2 with Z_A (version 1 signed SM3(M) directly, without Z_A).
VERSION = 2


class EnvelopeRejected(Exception):
    """Why an inbound envelope was refused; `reason` is a stable code, `message` is Chinese."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Header:
    sender: str
    receiver: str
    partner: str  # the partner system this exchange is with (sender or receiver)
    type: str
    key_id: str
    message_id: str = field(default_factory=lambda: str(uuid7()))
    sent_at: int = field(default_factory=lambda: int(time.time()))
    nonce: str = field(default_factory=lambda: os.urandom(16).hex())
    correlation_id: str | None = None
    business_no: str | None = None
    v: int = VERSION

    def canonical(self) -> bytes:
        """The header's bytes that are authenticated (AAD) and signed; docs/exchange.md §2.2 defines them
        without reference to Python: fixed key order, no whitespace, JSON string escapes, UTF-8."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def seal(header: Header, body: dict[str, Any], keyring: Keyring) -> bytes:
    """Encrypt and sign; returns the wire bytes."""
    data_key = keyring.data_key(header.partner, header.key_id)
    aad = header.canonical()
    ct = sm4_gcm_encrypt(data_key, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), aad=aad)
    sig = gmssl_pyx.sm2_sign(keyring.sign_private(header.sender), keyring.sign_public(header.sender), aad + ct,
                             keyring.signer_id(header.sender, header.partner))
    return json.dumps({"header": asdict(header), "ciphertext": _b64(ct), "signature": _b64(sig)},
                      ensure_ascii=False, separators=(",", ":")).encode()


def peek(raw: bytes) -> Header:
    """The header without any checks, for logging a rejected message."""
    return Header(**json.loads(raw)["header"])


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)  # JSON true is not the integer 1


def parse(raw: bytes) -> tuple[Header, bytes, bytes, bytes]:
    """Header, canonical header bytes, ciphertext and signature; MALFORMED when the shape is wrong."""
    try:
        env = json.loads(raw)
        header = Header(**env["header"])
        if _is_int(header.v) and header.v != VERSION:
            raise EnvelopeRejected("MALFORMED", f"报文版本不受支持（应为 {VERSION}）")
        if not _is_int(header.v) or not all(isinstance(x, str) and x for x in
                                            (header.sender, header.receiver, header.partner, header.type,
                                             header.key_id, header.message_id, header.nonce)):
            raise ValueError("bad header")
        if not all(x is None or isinstance(x, str) for x in (header.correlation_id, header.business_no)):
            raise ValueError("bad optional field")
        if not _is_int(header.sent_at):
            raise ValueError("bad time")
        aad = header.canonical()  # a lone surrogate cannot be encoded: UnicodeEncodeError is a ValueError
        return header, aad, base64.b64decode(env["ciphertext"], validate=True), \
            base64.b64decode(env["signature"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise EnvelopeRejected("MALFORMED", "报文格式错误") from e


async def open_(raw: bytes, keyring: Keyring, *, receiver: str, replay=None,  # noqa: ANN001
                now: float | None = None) -> tuple[Header, dict[str, Any]]:
    """Verify and decrypt. `replay(sender, nonce)` returns False when the nonce was seen."""
    header, aad, ct, sig = parse(raw)
    if header.receiver != receiver:
        raise EnvelopeRejected("WRONG_RECEIVER", "报文接收方不符")
    if header.partner not in (header.sender, header.receiver):
        raise EnvelopeRejected("MALFORMED", "报文伙伴标识不符")
    now = time.time() if now is None else now
    if abs(now - header.sent_at) > WINDOW_SECONDS:
        raise EnvelopeRejected("STALE", "报文时间戳超出允许范围（±300秒）")
    try:
        pub = keyring.sign_public(header.sender)
        signer_id = keyring.signer_id(header.sender, header.partner)
        data_key = keyring.data_key(header.partner, header.key_id)
    except KeyError_ as e:
        raise EnvelopeRejected("UNKNOWN_KEY", "未知的发送方或密钥编号") from e
    try:
        ok = gmssl_pyx.sm2_verify(pub, aad + ct, sig, signer_id)
    except gmssl_pyx.GmsslInnerError:  # not DER, or not a point: a bad signature all the same
        ok = False
    if not ok:
        raise EnvelopeRejected("BAD_SIGNATURE", "报文签名验证失败")
    try:
        body = json.loads(sm4_gcm_decrypt(data_key, ct, aad=aad))
    except (DecryptError, ValueError) as e:
        raise EnvelopeRejected("UNDECRYPTABLE", "报文无法解密") from e
    if not isinstance(body, dict):
        raise EnvelopeRejected("MALFORMED", "报文内容格式错误")
    if replay is not None and not await replay(header.sender, header.nonce):
        raise EnvelopeRejected("REPLAY", "重复的报文（随机数已使用）")
    return header, body


def redis_replay_guard(redis):  # noqa: ANN001, ANN201
    """Nonces are kept for twice the window, so any message still inside it is caught."""
    async def check(sender: str, nonce: str) -> bool:
        return bool(await redis.set(f"xnonce:{sender}:{nonce}", 1, nx=True, ex=2 * WINDOW_SECONDS))
    return check
