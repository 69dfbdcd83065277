"""National crypto primitives, PII at rest, ID-number rules and the password policy: pure functions."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import crypto, idcard, pii
from app.identity.passwords import policy_error

pytestmark = pytest.mark.feature("PUB-01-02", "MOB-01-01")


# ---- GB/T 32905 SM3, GB/T 32907 SM4 --------------------------------------------------------

def test_sm3_standard_vectors():
    assert crypto.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_standard_single_block():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert crypto.sm4_ecb_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_hmac_sm3_depends_on_key_and_data():
    a = crypto.hmac_sm3(b"k1", b"data")
    assert len(a) == 32
    assert a == crypto.hmac_sm3(b"k1", b"data")
    assert a != crypto.hmac_sm3(b"k2", b"data")
    assert a != crypto.hmac_sm3(b"k1", b"datA")
    assert a != crypto.sm3(b"data")


def test_sm4_gcm_round_trip_and_tamper_detection():
    key = bytes(range(16))
    msg = "江门市蓬江区 440703199001011239".encode()
    blob = crypto.sm4_gcm_encrypt(key, msg, aad=b"ctx")
    assert len(blob) == crypto.NONCE_LEN + len(msg) + crypto.TAG_LEN
    assert msg not in blob
    assert crypto.sm4_gcm_decrypt(key, blob, aad=b"ctx") == msg
    # a fresh nonce each time: same plaintext, different ciphertext
    assert crypto.sm4_gcm_encrypt(key, msg, aad=b"ctx") != blob
    for i in (0, crypto.NONCE_LEN, len(blob) - 1):  # nonce, body, tag
        bad = bytearray(blob)
        bad[i] ^= 0x01
        with pytest.raises(crypto.DecryptError):
            crypto.sm4_gcm_decrypt(key, bytes(bad), aad=b"ctx")
    with pytest.raises(crypto.DecryptError):
        crypto.sm4_gcm_decrypt(key, blob, aad=b"other")
    with pytest.raises(crypto.DecryptError):
        crypto.sm4_gcm_decrypt(key, blob)
    with pytest.raises(crypto.DecryptError):
        crypto.sm4_gcm_decrypt(bytes(16), blob, aad=b"ctx")
    with pytest.raises(crypto.DecryptError):
        crypto.sm4_gcm_decrypt(key, blob[:20], aad=b"ctx")


# ---- PII --------------------------------------------------------------------------------------

def test_pii_encrypt_round_trip():
    v = "44070319900101123X"
    blob = pii.encrypt(v)
    assert isinstance(blob, bytes) and v.encode() not in blob
    assert blob[0] == 1  # key id byte
    assert pii.decrypt(blob) == v
    assert pii.encrypt(v) != blob
    assert pii.encrypt(None) is None and pii.decrypt(None) is None
    bad = bytearray(blob)
    bad[-1] ^= 0x80
    with pytest.raises(crypto.DecryptError):
        pii.decrypt(bytes(bad))


def test_blind_index_deterministic_and_case_insensitive():
    a = pii.blind_index("44070319900101123X")
    assert a == pii.blind_index("44070319900101123X")
    assert a == pii.blind_index("44070319900101123x")
    assert a == pii.blind_index(" 44070319900101123x ")
    assert len(a) == 64 and int(a, 16) >= 0
    assert a != pii.blind_index("440703199001011239")
    # keyed: not a bare hash of the value
    assert a != crypto.sm3(b"44070319900101123X").hex()
    assert pii.blind_index("") is None and pii.blind_index(None) is None


def test_masks():
    assert pii.mask_id_number("440703199001011234") == "4407**********1234"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_bank_account("6222020200112233445") == "6222 **** **** 3445"
    assert pii.mask_name("陈明") == "陈*"
    assert pii.mask_name("欧阳小明") == "欧**明"
    assert pii.mask_name("王小明") == "王*明"
    assert pii.mask_name("李") == "李*"
    for f in (pii.mask_phone, pii.mask_id_number, pii.mask_name, pii.mask_bank_account):
        assert f(None) is None and f("") == ""
    assert pii.mask_phone("12345") == "*****"


def test_phone_format():
    assert pii.phone_error("13912345678") is None
    for bad in ("12912345678", "1391234567", "139123456789", "+8613912345678", "", None):
        assert pii.phone_error(bad) == "手机号码格式有误，应为11位大陆手机号"


# ---- GB 11643 ID numbers ------------------------------------------------------------------

_PROVINCES = sorted(idcard._PROVINCES)


@st.composite
def valid_id_numbers(draw) -> str:  # noqa: ANN001
    prov = draw(st.sampled_from(_PROVINCES))
    rest = draw(st.integers(101, 9999))  # city/county part; never "00" as the city code
    if rest // 100 == 0:
        rest += 100
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()))
    seq = draw(st.integers(0, 999))
    first17 = f"{prov}{rest:04d}{born:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_digit(first17)


@given(valid_id_numbers())
def test_any_valid_id_number_passes(v: str):
    assert idcard.id_number_error(v) is None
    assert idcard.id_number_error(v.lower()) is None  # a lower-case x is accepted
    assert idcard.birth_date(v) <= dt.date.today()


@given(valid_id_numbers(), st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_fails(v: str, pos: int, shift: int):
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    old = alphabet.index(v[pos])
    new = alphabet[(old + shift) % len(alphabet)]
    if new == v[pos]:
        return
    changed = v[:pos] + new + v[pos + 1:]
    assert idcard.id_number_error(changed) is not None


def test_id_number_reasons():
    ok = "440703199001011239"
    assert idcard.id_number_error(ok) is None
    assert idcard.id_number_error(ok[:-1] + "0") == "身份证号码校验位错误"
    assert idcard.id_number_error(ok[:17]) == "身份证号码应为18位，前17位为数字，末位为数字或X"
    assert idcard.id_number_error("44070319900101123A") == "身份证号码应为18位，前17位为数字，末位为数字或X"

    def with_check(first17: str) -> str:
        return first17 + idcard.check_digit(first17)
    assert idcard.id_number_error(with_check("99070319900101123")) == "身份证号码的地区码无效"
    assert idcard.id_number_error(with_check("44000019900101123")) == "身份证号码的地区码无效"
    assert idcard.id_number_error(with_check("11000019900101123")) is None  # Beijing: municipality
    assert idcard.id_number_error(with_check("44070319900230123")) == "身份证号码的出生日期无效"
    assert idcard.id_number_error(with_check("44070318991231123")) == "身份证号码的出生日期无效"
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert idcard.id_number_error(with_check(f"440703{tomorrow:%Y%m%d}123")) == "身份证号码的出生日期无效"
    assert idcard.id_number_error(with_check("44070320000229123")) is None  # leap day
    assert idcard.gender("440703199001011239") == "M"
    assert idcard.gender("440704198506150025") == "F"
    assert idcard.normalize_id_number(" 44070319900101123x ") == "44070319900101123X"


# ---- password policy ----------------------------------------------------------------------

def test_password_policy():
    assert policy_error("Abc@2026x") is None
    assert policy_error("abc2026xy!") is None  # lower + digit + symbol
    assert policy_error("Ab@1") == "密码长度至少8位"
    assert policy_error("A" * 30 + "a" * 30 + "1" * 5) == "密码长度不能超过64位"
    three = "密码需包含大写字母、小写字母、数字、特殊字符中的至少三类"
    assert policy_error("abcdefgh1") == three
    assert policy_error("ABCDEFGH!") == three
    assert policy_error("12345678") == three
    same = "密码不能与用户名、身份证号或手机号相同"
    assert policy_error("Clerk_2026", login="clerk_2026") == same
    assert policy_error("Clerk_2026", login="other") is None
    # an ID number or phone is digits (and X): never three classes, so refused either way
    assert policy_error("440703199001011239", id_number="440703199001011239") is not None
    assert policy_error("13912345678", phone="13912345678") is not None
    assert policy_error(None) == "密码长度至少8位"  # type: ignore[arg-type]
