"""The envelope: SM3withSM2 per GB/T 32918.2 (checked by an independent library both ways), round trip,
and every rejection (issues 4 and 10)."""
from __future__ import annotations

import base64
import json
import time

import gmssl_pyx
import pytest

from app.core.crypto import sm3, sm4_gcm_encrypt
from exchange.envelope import EnvelopeRejected, Header, open_, parse, seal
from exchange.keys import DEFAULT_SIGNER_ID, Keyring, KeyError_, generate
from tests.exchange import independent_sm2 as indep

pytestmark = pytest.mark.feature("SYS-10")


def _der(r: int, s: int) -> bytes:
    def i(x: int) -> bytes:
        b = x.to_bytes(32, "big")
        b = b"\x00" + b if b[0] & 0x80 else b
        return b"\x02" + bytes([len(b)]) + b
    body = i(r) + i(s)
    return b"\x30" + bytes([len(body)]) + body


def test_sm2_passes_the_gb_t_32918_2_example():
    # GB/T 32918.2-2016 example A.2: key pair, ID 1234567812345678, message "message digest", (r, s).
    pub = bytes.fromhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                        "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
    r = int("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3", 16)
    s = int("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA", 16)
    assert gmssl_pyx.sm2_verify(pub, b"message digest", _der(r, s), b"1234567812345678")
    assert not gmssl_pyx.sm2_verify(pub, b"message digesT", _der(r, s), b"1234567812345678")
    assert not gmssl_pyx.sm2_verify(pub, b"message digest", _der(r, s + 1), b"1234567812345678")
    priv = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
    sig = gmssl_pyx.sm2_sign(priv, pub, b"message digest", b"1234567812345678")
    assert gmssl_pyx.sm2_verify(pub, b"message digest", sig, b"1234567812345678")


KR = Keyring(generate())
BODY = {"id_number": "440703199001011239", "name": "陈明", "months": 12}


def _header(**kw) -> Header:
    return Header(**{"sender": "arh", "receiver": "tax", "partner": "tax", "type": "income.query",
                     "key_id": "k1", **kw})


def _replay():
    seen: set = set()

    async def check(sender: str, nonce: str) -> bool:
        if (sender, nonce) in seen:
            return False
        seen.add((sender, nonce))
        return True
    return check


def _mutate(raw: bytes, fn) -> bytes:  # noqa: ANN001
    env = json.loads(raw)
    fn(env)
    return json.dumps(env).encode()


async def test_round_trip_and_key_rotation():
    h, body = await open_(seal(_header(business_no="BZSQ-20261126-0001"), BODY, KR), KR, receiver="tax")
    assert body == BODY and h.business_no == "BZSQ-20261126-0001" and h.message_id[14] == "7"  # UUIDv7
    kr = Keyring(json.loads(json.dumps(KR.data)))
    old = seal(_header(), BODY, kr)
    new_id = kr.rotate("tax")
    assert new_id == "k2" and kr.active_key_id("tax") == "k2"
    await open_(old, kr, receiver="tax")  # old key ids still open
    await open_(seal(_header(key_id="k2"), BODY, kr), kr, receiver="tax")


def _flip_ct(env: dict) -> None:
    ct = bytearray(base64.b64decode(env["ciphertext"]))
    ct[20] ^= 1
    env["ciphertext"] = base64.b64encode(bytes(ct)).decode()


@pytest.mark.parametrize("mutate,reason", [
    (_flip_ct, "BAD_SIGNATURE"),
    (lambda e: e["header"].update(type="income.other"), "BAD_SIGNATURE"),
    (lambda e: e["header"].update(business_no="X-1"), "BAD_SIGNATURE"),
    (lambda e: e["header"].update(key_id="k9"), "UNKNOWN_KEY"),
    (lambda e: e["header"].update(sender="police"), "BAD_SIGNATURE"),
    (lambda e: e.update(signature="@@@"), "MALFORMED"),
    (lambda e: e.pop("ciphertext"), "MALFORMED"),
    (lambda e: e["header"].update(receiver="police"), "WRONG_RECEIVER"),
])
async def test_tampering_is_rejected(mutate, reason):
    raw = _mutate(seal(_header(), BODY, KR), mutate)
    with pytest.raises(EnvelopeRejected) as e:
        await open_(raw, KR, receiver="tax")
    assert e.value.reason == reason and e.value.message


async def test_wrong_data_key_cannot_decrypt():
    other = Keyring(json.loads(json.dumps(KR.data)))
    other.data["parties"]["tax"]["data_keys"]["k1"] = "00" * 16
    with pytest.raises(EnvelopeRejected) as e:
        await open_(seal(_header(), BODY, KR), other, receiver="tax")
    assert e.value.reason == "UNDECRYPTABLE"


async def test_stale_and_future_timestamps_are_rejected():
    for skew in (-301, 301):
        raw = seal(_header(sent_at=int(time.time()) + skew), BODY, KR)
        with pytest.raises(EnvelopeRejected) as e:
            await open_(raw, KR, receiver="tax")
        assert e.value.reason == "STALE"
    await open_(seal(_header(sent_at=int(time.time()) - 290), BODY, KR), KR, receiver="tax")


async def test_a_replayed_nonce_is_rejected_but_junk_does_not_burn_nonces():
    replay = _replay()
    raw = seal(_header(), BODY, KR)
    forged = _mutate(raw, _flip_ct)
    with pytest.raises(EnvelopeRejected):
        await open_(forged, KR, receiver="tax", replay=replay)
    await open_(raw, KR, receiver="tax", replay=replay)  # the forgery used the nonce but did not burn it
    with pytest.raises(EnvelopeRejected) as e:
        await open_(raw, KR, receiver="tax", replay=replay)
    assert e.value.reason == "REPLAY"


# ---------------------------------------------------------------- standard SM3withSM2, independently checked

def _signed_message(raw: bytes) -> tuple[dict, bytes, bytes]:
    """The header, M = canonical header || ciphertext, and the DER signature of a sealed envelope."""
    header, aad, ct, sig = parse(raw)
    return json.loads(raw)["header"], aad + ct, sig


def _with_ids(arh: str | None = None, tax: str | None = None, platform_for_tax: str | None = None) -> Keyring:
    kr = Keyring(json.loads(json.dumps(KR.data)))
    for party, field, value in (("arh", "sign_id", arh), ("tax", "sign_id", tax),
                                ("tax", "platform_sign_id", platform_for_tax)):
        if value is not None:
            kr.data["parties"][party][field] = value
    return kr


def _partner_envelope(kr: Keyring, header: Header, body: dict, signature_of) -> bytes:  # noqa: ANN001
    """An envelope built by hand, as a partner would from docs/exchange.md, signed by `signature_of(M)`."""
    aad = header.canonical()
    ct = sm4_gcm_encrypt(kr.data_key(header.partner, header.key_id),
                         json.dumps(body, ensure_ascii=False).encode(), aad=aad)
    hd = {k: getattr(header, k) for k in ("v", "sender", "receiver", "partner", "type", "key_id", "message_id",
                                          "sent_at", "nonce", "correlation_id", "business_no")}
    return json.dumps({"header": hd, "ciphertext": base64.b64encode(ct).decode(),
                       "signature": base64.b64encode(signature_of(aad + ct)).decode()}).encode()


@pytest.mark.feature("SYS-10", "INT-02")
@pytest.mark.parametrize("platform_id", [None, "JMZJ-ARH-签名"])
async def test_outbound_platform_signature_verifies_with_the_independent_library(platform_id):
    kr = _with_ids(platform_for_tax=platform_id)
    raw = seal(_header(business_no="BZSQ-20261126-0001"), BODY, kr)
    _, m, sig = _signed_message(raw)
    pub = kr.sign_public("arh")
    sid = (platform_id or DEFAULT_SIGNER_ID).encode()
    assert indep.verify(pub, m, sig, sid)
    # Standard, not the old digest signature: without Z_A, or with another id, it does not verify.
    assert not indep.verify(pub, m, sig, b"1234567812345679")
    r, s = indep.from_der(sig)
    assert not indep._crypt(None, pub).verify(f"{r:064x}{s:064x}", sm3(m))
    if platform_id:
        assert not indep.verify(pub, m, sig)  # the default id is not the one agreed with this partner
    # and the partner's side of the platform opens it
    h, body = await open_(raw, kr, receiver="tax")
    assert body == BODY and h.v == 2


@pytest.mark.feature("SYS-10", "INT-02")
@pytest.mark.parametrize("tax_id", [None, "JMTAX-0001"])
async def test_inbound_signature_made_by_the_independent_library_verifies_on_the_platform(tax_id):
    kr = _with_ids(tax=tax_id)
    sid = (tax_id or DEFAULT_SIGNER_ID).encode()
    priv, pub = kr.sign_private("tax"), kr.sign_public("tax")
    header = Header(sender="tax", receiver="arh", partner="tax", type="income.query.reply", key_id="k1",
                    correlation_id="019ac0a1-5f3e-7c2a-9b41-2f0d6c1e8a77", business_no="BZSQ-20261126-0001")
    body = {"ok": True, "data": {"annual_income_fen": 4_800_000, "name": "陈明"}}
    raw = _partner_envelope(kr, header, body, lambda m: indep.sign(priv, pub, m, sid))
    h, got = await open_(raw, kr, receiver="arh")
    assert got == body and h.correlation_id == header.correlation_id

    # The same partner signing with an id the platform does not expect is refused.
    other = b"JMTAX-0002" if tax_id else b"JMTAX-0001"
    raw = _partner_envelope(kr, header, body, lambda m: indep.sign(priv, pub, m, other))
    with pytest.raises(EnvelopeRejected) as e:
        await open_(raw, kr, receiver="arh")
    assert e.value.reason == "BAD_SIGNATURE"


async def test_the_old_version_1_signature_is_refused():
    """Version 1 signed SM3(M) directly. As version 1 it is refused for its version; relabelled as
    version 2 its signature does not verify, since the platform now hashes Z_A first."""
    priv = KR.sign_private("tax")

    def old_way(m: bytes) -> bytes:
        return gmssl_pyx.sm2_sign_sm3_digest(priv, sm3(m))

    for v, reason, text in ((1, "MALFORMED", "版本"), (2, "BAD_SIGNATURE", "签名")):
        header = Header(sender="tax", receiver="arh", partner="tax", type="income.query.reply", key_id="k1", v=v)
        raw = _partner_envelope(KR, header, {"ok": True, "data": {}}, old_way)
        with pytest.raises(EnvelopeRejected) as e:
            await open_(raw, KR, receiver="arh")
        assert e.value.reason == reason and text in e.value.message


@pytest.mark.parametrize("mutate", [
    lambda e: e["header"].update(v=True),
    lambda e: e["header"].update(sent_at=True),
    lambda e: e["header"].update(sent_at=float(e["header"]["sent_at"])),
    lambda e: e["header"].update(business_no=7),
    lambda e: e["header"].update(extra="x"),
    lambda e: e.update(header=["x"]),
])
async def test_header_values_of_the_wrong_type_are_malformed(mutate):
    raw = _mutate(seal(_header(), BODY, KR), mutate)
    with pytest.raises(EnvelopeRejected) as e:
        await open_(raw, KR, receiver="tax")
    assert e.value.reason == "MALFORMED"


async def test_an_unpaired_surrogate_in_the_header_is_malformed_not_a_crash():
    raw = seal(_header(), BODY, KR).replace(b'"business_no":null', rb'"business_no":"\ud800"')
    assert rb'"\ud800"' in raw
    with pytest.raises(EnvelopeRejected) as e:
        await open_(raw, KR, receiver="tax")
    assert e.value.reason == "MALFORMED"


def test_signer_ids_come_from_the_keyring_and_default_to_the_standard_one():
    kr = _with_ids()
    assert kr.signer_id("arh", "tax") == kr.signer_id("tax", "tax") == b"1234567812345678"
    kr = _with_ids(arh="JMZJ-ARH", tax="JMTAX-0001")
    assert (kr.signer_id("arh", "tax"), kr.signer_id("arh", "police")) == (b"JMZJ-ARH", b"JMZJ-ARH")
    assert kr.signer_id("tax", "tax") == b"JMTAX-0001"
    kr = _with_ids(arh="JMZJ-ARH", platform_for_tax="税务分配-01")
    assert kr.signer_id("arh", "tax") == "税务分配-01".encode() and kr.signer_id("arh", "police") == b"JMZJ-ARH"
    kr.data["parties"]["police"]["sign_id"] = 12
    with pytest.raises(KeyError_):
        kr.signer_id("police", "police")


def test_keyring_init_adds_new_partners_and_keeps_existing_keys(tmp_path):
    import json

    from exchange.keys import PARTNERS, PLATFORM, init
    path = tmp_path / "exchange.json"
    assert init(path) == "written"
    ring = json.loads(path.read_text())
    old_platform = ring["parties"][PLATFORM]
    dropped = PARTNERS[-1] if isinstance(PARTNERS, (list, tuple)) else sorted(PARTNERS)[-1]
    del ring["parties"][dropped]  # a keyring made before this partner was registered
    path.write_text(json.dumps(ring))
    assert init(path) == f"added: {dropped}"
    again = json.loads(path.read_text())
    assert again["parties"][PLATFORM] == old_platform and dropped in again["parties"]
    assert init(path) == "exists"
