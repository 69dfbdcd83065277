"""SM3withSM2 by a second, independent implementation: the pure-Python `gmssl` package.

The platform signs and verifies with gmssl-pyx (GmSSL's C code). Here everything the standard
asks for is done with `gmssl` (its own SM3 and SM2 arithmetic) and pycryptodomex's DER coder, so a
test that passes both ways shows the two agree on Z_A, e and the DER signature.

Mind the encodings: gmssl-pyx takes and returns a DER SEQUENCE { r, s }; `gmssl` works on raw
r || s (64 hex digits each) unless built with asn1=True. `gmssl`'s own `sign_with_sm3` and
`verify_with_sm3` hash Z_A with the default id only, so a custom id goes through `za()` here.
"""
from __future__ import annotations

import secrets

from Cryptodome.Util.asn1 import DerInteger, DerSequence
from gmssl import func
from gmssl import sm2 as gsm2
from gmssl import sm3 as gsm3

DEFAULT_ID = b"1234567812345678"
_T = gsm2.default_ecc_table


def sm3(data: bytes) -> bytes:
    return bytes.fromhex(gsm3.sm3_hash(func.bytes_to_list(data)))


def za(public_key: bytes, signer_id: bytes = DEFAULT_ID) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) (GB/T 32918.2 §5.5)."""
    entl = (len(signer_id) * 8).to_bytes(2, "big")
    return sm3(entl + signer_id + bytes.fromhex(_T["a"] + _T["b"] + _T["g"]) + public_key)


def digest(public_key: bytes, message: bytes, signer_id: bytes = DEFAULT_ID) -> bytes:
    """e = SM3(Z_A || M)."""
    return sm3(za(public_key, signer_id) + message)


def _crypt(private_key: bytes | None, public_key: bytes) -> gsm2.CryptSM2:
    c = gsm2.CryptSM2(private_key.hex() if private_key else None, public_key.hex())
    # The constructor strips a "04" prefix with lstrip("04"), which also eats leading 0 and 4
    # digits of x: set the key as it is.
    c.public_key = public_key.hex()
    return c


def to_der(raw_rs_hex: str) -> bytes:
    r, s = int(raw_rs_hex[:64], 16), int(raw_rs_hex[64:], 16)
    return DerSequence([DerInteger(r), DerInteger(s)]).encode()


def from_der(der: bytes) -> tuple[int, int]:
    seq = DerSequence()
    seq.decode(der, strict=True)
    return int(seq[0]), int(seq[1])


def sign_digest(private_key: bytes, public_key: bytes, e: bytes, k: str | None = None) -> bytes:
    """DER signature of the digest e; `k` (64 hex digits) only for reproducible examples."""
    c = _crypt(private_key, public_key)
    while True:
        raw = c.sign(e, k or secrets.token_hex(32))
        if raw:
            return to_der(raw)
        if k:
            raise ValueError("this k gives no signature")


def sign(private_key: bytes, public_key: bytes, message: bytes, signer_id: bytes = DEFAULT_ID) -> bytes:
    if signer_id == DEFAULT_ID:  # the library's own SM3withSM2, default id
        return to_der(_crypt(private_key, public_key).sign_with_sm3(message))
    return sign_digest(private_key, public_key, digest(public_key, message, signer_id))


def verify(public_key: bytes, message: bytes, der: bytes, signer_id: bytes = DEFAULT_ID) -> bool:
    r, s = from_der(der)
    raw = f"{r:064x}{s:064x}"
    c = _crypt(None, public_key)
    if signer_id == DEFAULT_ID:
        return bool(c.verify_with_sm3(raw, message))
    return bool(c.verify(raw, digest(public_key, message, signer_id)))
