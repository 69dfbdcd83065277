"""docs/exchange.md is the partner's specification: its worked example and its canonical-header
grammar are read from the page and checked against the implementation (issue 10).

Every intermediate value is recomputed: the canonical header by the envelope code and by the
grammar written out here from the prose, SM4-GCM with the example's IV, Z_A and e with an
independent SM3 (the pure-Python gmssl), r and s from the example's fixed k, the DER bytes, and
the final envelope opened by the platform.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict
from pathlib import Path

import gmssl_pyx
import pytest

from app.core.crypto import sm4_gcm_decrypt, sm4_gcm_encrypt
from exchange.envelope import VERSION, EnvelopeRejected, Header, open_, parse, seal
from exchange.keys import Keyring
from tests.exchange import independent_sm2 as indep

pytestmark = pytest.mark.feature("SYS-10", "INT-14")

DOC = (Path(__file__).resolve().parents[2] / "docs" / "exchange.md").read_text(encoding="utf-8")
# A k that signs the example's message as a 69-byte DER (s has 31 bytes).
SHORT_K = "3a628026ccf6f7c711df59b36d20ff7040a37363f53a455819828c134e36cc96"


def block(name: str) -> str:
    """The fenced block right after `<!-- example:NAME -->` in the doc."""
    m = re.search(rf"<!-- example:{name} -->\n```[a-z]*\n(.*?)\n```", DOC, re.S)
    assert m, f"docs/exchange.md has no example block {name}"
    return m.group(1)


def values(name: str) -> dict[str, str]:
    out = {}
    for line in block(name).splitlines():
        key, _, value = line.partition(" = ")
        out[key.strip()] = value.strip()
    return out


V = values("values")
X = values("intermediate")
CANONICAL = block("canonical_header").encode()
BODY = block("body").encode()
ENVELOPE = block("envelope").encode()
ENV = json.loads(ENVELOPE)


def keyring() -> Keyring:
    """The receiving platform's keyring for the example, built from the documented values only."""
    return Keyring({"parties": {
        "arh": {"sign_public": V["signer_public_key"]},  # the platform's own key plays no part here
        "access_control": {"sign_public": V["signer_public_key"], "sign_private": V["signer_private_key"],
                           "data_keys": {V["data_key_id"]: V["data_key"]}, "active_key": V["data_key_id"]},
    }})


# ---- the canonical header, from the grammar of §2.2 (not from json.dumps)

_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_ORDER = ("business_no", "correlation_id", "key_id", "message_id", "nonce", "partner", "receiver", "sender",
          "sent_at", "type", "v")


def grammar_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u00{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def grammar_canonical(h: dict) -> bytes:
    def value(v: object) -> str:
        if v is None:
            return "null"
        if isinstance(v, int):
            return str(v)
        return grammar_string(v)
    return ("{" + ",".join(f'"{k}":{value(h[k])}' for k in _ORDER) + "}").encode("utf-8")


def test_the_example_header_builds_the_documented_canonical_bytes():
    h = Header(**ENV["header"])
    assert h.v == VERSION == 2
    assert h.canonical() == CANONICAL == grammar_canonical(ENV["header"])
    assert len(CANONICAL) == int(X["canonical_header_length"])
    # The envelope's header object is what seal() writes for these values.
    assert ENV["header"] == asdict(h)


@pytest.mark.parametrize("text", [
    "ZD-20261126-0001", '保障 "A"', "a\\b", "line\nbreak", "\u0001\u001b\u001f\u007f", "tab\there\r\f\b",
    "a/b", "\u2028\u2029", "𠀀😀", "",
])
def test_the_canonical_header_follows_the_documented_escaping(text):
    fields = dict(ENV["header"], business_no=text, correlation_id=text or None)
    assert Header(**fields).canonical() == grammar_canonical(fields)


def test_the_documented_escaping_examples():
    assert grammar_string('保障 "A"').encode() == bytes.fromhex("22e4bf9de99a9c205c22415c2222")
    assert "`保障 \"A\"` → `\"保障 \\\"A\\\"\"` (UTF-8 bytes `22 e4 bf 9d e9 9a 9c 20 5c 22 41 5c 22 22`)" in DOC
    assert grammar_string("a\\b") == '"a\\\\b"' and grammar_string("\n") == '"\\n"'
    assert grammar_string("\u0001") == '"\\u0001"' and grammar_string("\u001b") == '"\\u001b"'


def test_sm4_gcm_gives_the_documented_ciphertext_and_tag():
    key, iv = bytes.fromhex(V["data_key"]), bytes.fromhex(V["gcm_iv"])
    assert len(BODY) == int(X["body_length"])
    blob = sm4_gcm_encrypt(key, BODY, aad=CANONICAL, nonce=iv)
    assert blob == iv + bytes.fromhex(X["encrypted_body"]) + bytes.fromhex(X["gcm_tag"])
    assert base64.b64encode(blob).decode() == X["ciphertext"] == ENV["ciphertext"]
    # A second SM4-GCM implementation (GmSSL's) agrees.
    ct, tag = gmssl_pyx.sm4_gcm_encrypt(key, iv, CANONICAL, BODY)
    assert (ct.hex(), tag.hex()) == (X["encrypted_body"], X["gcm_tag"])
    assert sm4_gcm_decrypt(key, blob, aad=CANONICAL) == BODY


def test_z_a_e_and_the_signature_are_the_documented_ones():
    pub, priv = bytes.fromhex(V["signer_public_key"]), bytes.fromhex(V["signer_private_key"])
    sid = V["signer_id"].encode()
    assert sid.hex() == X["signer_id_hex"] and (len(sid) * 8).to_bytes(2, "big").hex() == X["entl"]
    m = CANONICAL + base64.b64decode(X["ciphertext"])
    assert len(m) == int(X["signed_message_length"])
    za = indep.za(pub, sid)
    assert za.hex() == X["za"]
    e = indep.sm3(za + m)
    assert e.hex() == X["e"]

    der = bytes.fromhex(X["signature_der"])
    assert len(der) == int(X["signature_der_length"]) and base64.b64encode(der).decode() == X["signature"]
    assert ENV["signature"] == X["signature"]
    assert indep.from_der(der) == (int(X["r"], 16), int(X["s"], 16))
    # r and s follow from the fixed k (the independent library accepts one; the platform's does not).
    assert indep.sign_digest(priv, pub, e, V["k"]) == der
    # The platform's library: the whole SM3withSM2 over M, and the raw SM2 check over our e.
    assert gmssl_pyx.sm2_verify(pub, m, der, sid)
    assert gmssl_pyx.sm2_verify_sm3_digest(pub, e, der)
    assert indep.verify(pub, m, der, sid)


async def test_the_documented_envelope_opens_on_the_platform():
    kr = keyring()
    now = ENV["header"]["sent_at"]
    header, body = await open_(ENVELOPE, kr, receiver="arh", now=now)
    assert body == json.loads(BODY) and header.business_no == "MJ-20261126-0001"
    _, aad, ct, sig = parse(ENVELOPE)
    assert (aad, ct, sig) == (CANONICAL, base64.b64decode(X["ciphertext"]), bytes.fromhex(X["signature_der"]))

    # The same message signed with another k is a 69-byte DER: just as valid.
    pub, priv = bytes.fromhex(V["signer_public_key"]), bytes.fromhex(V["signer_private_key"])
    short = indep.sign_digest(priv, pub, bytes.fromhex(X["e"]), SHORT_K)
    assert len(short) == 69
    env = dict(ENV, signature=base64.b64encode(short).decode())
    _, body = await open_(json.dumps(env, ensure_ascii=False).encode(), kr, receiver="arh", now=now)
    assert body == json.loads(BODY)

    # The receiver checks the time window and the signature against these values.
    with pytest.raises(EnvelopeRejected) as e:
        await open_(ENVELOPE, kr, receiver="arh", now=now + 301)
    assert e.value.reason == "STALE"
    kr.data["parties"]["access_control"]["sign_id"] = "JMMJ-0001"
    with pytest.raises(EnvelopeRejected) as e:
        await open_(ENVELOPE, kr, receiver="arh", now=now)
    assert e.value.reason == "BAD_SIGNATURE"


async def test_sealing_the_example_values_again_gives_an_envelope_the_independent_library_verifies():
    """seal() draws its own IV and k, so its bytes differ from the example's; what it signs and
    encrypts is the same canonical header and body."""
    kr = keyring()
    h = Header(**ENV["header"])
    raw = seal(h, json.loads(BODY), kr)
    _, aad, ct, sig = parse(raw)
    assert aad == CANONICAL and ct != base64.b64decode(X["ciphertext"])
    assert sm4_gcm_decrypt(bytes.fromhex(V["data_key"]), ct, aad=aad) == BODY
    assert indep.verify(bytes.fromhex(V["signer_public_key"]), aad + ct, sig)
    _, body = await open_(raw, kr, receiver="arh", now=h.sent_at)
    assert body == json.loads(BODY)
