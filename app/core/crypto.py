"""National crypto primitives: SM3 digest, HMAC-SM3 and SM4-GCM (GB/T 32905, GB/T 32907)."""
from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

NONCE_LEN = 12
TAG_LEN = 16


def sm3(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    h = hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


def sm4_ecb_block(key: bytes, block: bytes) -> bytes:
    """One raw SM4 block; only used to check the GB/T 32907 vector."""
    e = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"", nonce: bytes | None = None) -> bytes:
    """Returns nonce || ciphertext || tag."""
    nonce = nonce or os.urandom(NONCE_LEN)
    e = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        e.authenticate_additional_data(aad)
    ct = e.update(plaintext) + e.finalize()
    return nonce + ct + e.tag


class DecryptError(Exception):
    pass


def sm4_gcm_decrypt(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    if len(blob) < NONCE_LEN + TAG_LEN:
        raise DecryptError("ciphertext too short")
    nonce, ct, tag = blob[:NONCE_LEN], blob[NONCE_LEN:-TAG_LEN], blob[-TAG_LEN:]
    d = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        d.authenticate_additional_data(aad)
    try:
        return d.update(ct) + d.finalize()
    except InvalidTag as e:
        raise DecryptError("authentication failed") from e
