"""PII at rest: SM4-GCM ciphertext plus an HMAC-SM3 blind index for exact lookup; masking for display."""
from __future__ import annotations

import re
from functools import lru_cache

from tortoise import fields

from app.config import get_settings
from app.core.crypto import hmac_sm3, sm4_gcm_decrypt, sm4_gcm_encrypt


@lru_cache
def _keys() -> tuple[int, dict[int, bytes], bytes]:
    s = get_settings()
    return s.pii_key_id, {s.pii_key_id: bytes.fromhex(s.pii_key)}, bytes.fromhex(s.pii_index_key)


def encrypt(value: str | None) -> bytes | None:
    if value is None:
        return None
    kid, keys, _ = _keys()
    # The key id byte lets old rows decrypt after a key rotation.
    return bytes([kid]) + sm4_gcm_encrypt(keys[kid], value.encode(), aad=b"arh-pii")


def decrypt(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    _, keys, _ = _keys()
    return sm4_gcm_decrypt(keys[blob[0]], bytes(blob[1:]), aad=b"arh-pii").decode()


def blind_index(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    _, _, ikey = _keys()
    return hmac_sm3(ikey, value.strip().upper().encode()).hex()


class EncryptedField(fields.BinaryField):
    """A text value stored SM4-GCM encrypted; Python code sees plaintext."""

    def to_db_value(self, value, instance):  # noqa: ANN001
        if isinstance(value, (bytes, bytearray, memoryview)) or value is None:
            return value
        return encrypt(str(value))

    def to_python_value(self, value):  # noqa: ANN001
        if isinstance(value, (bytes, bytearray, memoryview)):
            return decrypt(bytes(value))
        return value


def mask_phone(v: str | None) -> str | None:
    if not v:
        return v
    return v[:3] + "****" + v[-4:] if len(v) >= 7 else "*" * len(v)


def mask_id_number(v: str | None) -> str | None:
    if not v:
        return v
    return v[:4] + "*" * (len(v) - 8) + v[-4:] if len(v) > 8 else "*" * len(v)


def mask_bank_account(v: str | None) -> str | None:
    if not v:
        return v
    return v[:4] + " **** **** " + v[-4:] if len(v) > 8 else "*" * len(v)


def mask_name(v: str | None) -> str | None:
    """陈明 -> 陈*, 欧阳小明 -> 欧**明: public notices never show full names."""
    if not v:
        return v
    if len(v) <= 2:
        return v[0] + "*"
    return v[0] + "*" * (len(v) - 2) + v[-1]


PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def phone_error(v: str | None) -> str | None:
    return None if v and PHONE_RE.match(v) else "手机号码格式有误，应为11位大陆手机号"
