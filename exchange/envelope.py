"""The envelope every partner message travels in.

header (plaintext, bound as AAD) + body (JSON, SM4-GCM under the partner's data key)
+ SM2 signature over SM3(canonical header || ciphertext) with the sender's key.
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

from app.core.crypto import DecryptError, sm3, sm4_gcm_decrypt, sm4_gcm_encrypt
from app.core.ids import uuid7
from exchange.keys import Keyring, KeyError_

WINDOW_SECONDS = 300
VERSION = 1


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
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def seal(header: Header, body: dict[str, Any], keyring: Keyring) -> bytes:
    """Encrypt and sign; returns the wire bytes."""
    data_key = keyring.data_key(header.partner, header.key_id)
    aad = header.canonical()
    ct = sm4_gcm_encrypt(data_key, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), aad=aad)
    digest = sm3(aad + ct)
    sig = gmssl_pyx.sm2_sign_sm3_digest(keyring.sign_private(header.sender), digest)
    return json.dumps({"header": asdict(header), "ciphertext": _b64(ct), "signature": _b64(sig)},
                      ensure_ascii=False, separators=(",", ":")).encode()


def peek(raw: bytes) -> Header:
    """The header without any checks, for logging a rejected message."""
    return Header(**json.loads(raw)["header"])


def parse(raw: bytes) -> tuple[Header, bytes, bytes]:
    try:
        env = json.loads(raw)
        header = Header(**env["header"])
        if header.v != VERSION or not all(isinstance(x, str) and x for x in
                                          (header.sender, header.receiver, header.partner, header.type,
                                           header.key_id, header.message_id, header.nonce)):
            raise ValueError("bad header")
        if not isinstance(header.sent_at, int):
            raise ValueError("bad time")
        return header, base64.b64decode(env["ciphertext"], validate=True), \
            base64.b64decode(env["signature"], validate=True)
    except (ValueError, KeyError, TypeError) as e:
        raise EnvelopeRejected("MALFORMED", "报文格式错误") from e


async def open_(raw: bytes, keyring: Keyring, *, receiver: str, replay=None,  # noqa: ANN001
                now: float | None = None) -> tuple[Header, dict[str, Any]]:
    """Verify and decrypt. `replay(sender, nonce)` returns False when the nonce was seen."""
    header, ct, sig = parse(raw)
    if header.receiver != receiver:
        raise EnvelopeRejected("WRONG_RECEIVER", "报文接收方不符")
    if header.partner not in (header.sender, header.receiver):
        raise EnvelopeRejected("MALFORMED", "报文伙伴标识不符")
    now = time.time() if now is None else now
    if abs(now - header.sent_at) > WINDOW_SECONDS:
        raise EnvelopeRejected("STALE", "报文时间戳超出允许范围（±300秒）")
    try:
        pub = keyring.sign_public(header.sender)
        data_key = keyring.data_key(header.partner, header.key_id)
    except KeyError_ as e:
        raise EnvelopeRejected("UNKNOWN_KEY", "未知的发送方或密钥编号") from e
    aad = header.canonical()
    try:
        ok = gmssl_pyx.sm2_verify_sm3_digest(pub, sm3(aad + ct), sig)
    except gmssl_pyx.GmsslInnerError:
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
