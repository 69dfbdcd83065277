"""The envelope: SM2 per GB/T 32918, round trip, and every rejection (issue 4)."""
from __future__ import annotations

import base64
import json
import time

import gmssl_pyx
import pytest

from exchange.envelope import EnvelopeRejected, Header, open_, seal
from exchange.keys import Keyring, generate

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
