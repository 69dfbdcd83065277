"""SMS verification codes: 6 digits, 5 minutes, single use, stored hashed, rate limited."""
from __future__ import annotations

import datetime as dt
import secrets

from app.config import get_settings
from app.core.cache import redis
from app.core.crypto import hmac_sm3
from app.core.errors import AppError, InvalidInput, TooMany
from app.core.pii import blind_index, phone_error

PURPOSES = {
    "register": "注册",
    "reset_password": "重置密码",
    "change_password": "修改密码",
    "change_phone_old": "更换手机号（原手机号）",
    "change_phone_new": "更换手机号（新手机号）",
}
MAX_TRIES = 5

# Compare-and-delete in one step, so a code can be used once even under racing requests.
_CONSUME = """
local v = redis.call('GET', KEYS[1])
if not v then return -1 end
if v == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) return 1 end
local n = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
if n >= tonumber(ARGV[3]) then redis.call('DEL', KEYS[1], KEYS[2]) end
return 0
"""


def _digest(subject: str, code: str) -> str:
    return hmac_sm3(get_settings().pii_index_key.encode(), f"{subject}:{code}".encode()).hex()


def _keys(purpose: str, phone: str) -> tuple[str, str]:
    idx = blind_index(phone)
    return f"smscode:{purpose}:{idx}", f"smstries:{purpose}:{idx}"


class SmsFailed(AppError):
    status, code, message = 502, "SMS_SEND_FAILED", "短信发送失败，请稍后再试"


class CodeExpired(InvalidInput):
    """No live code: expired, used, or dropped after too many wrong tries (not a wrong guess)."""


async def send_code(phone: str, purpose: str, ip: str | None, provider, deliver: bool = True) -> None:  # noqa: ANN001
    """`deliver=False` counts the limits as a real send but sends nothing (a reset for an unknown phone)."""
    s = get_settings()
    if purpose not in PURPOSES:
        raise InvalidInput("验证码用途有误", fields={"purpose": "取值不在允许范围内"})
    if err := phone_error(phone):
        raise InvalidInput(err, fields={"phone": err})
    r = redis()
    now = dt.datetime.now()
    idx = blind_index(phone)
    ip_key = f"smsip:{ip}:{now:%Y%m%d%H}"
    if await r.incr(ip_key) > s.sms_per_ip_hourly:
        raise TooMany("本IP获取验证码过于频繁，请1小时后再试")
    await r.expire(ip_key, 3600)
    if not await r.set(f"smsrl:{idx}", 1, nx=True, ex=s.sms_per_phone_interval_seconds):
        raise TooMany(f"验证码已发送，请{s.sms_per_phone_interval_seconds}秒后再获取")
    day_key = f"smsday:{idx}:{now:%Y%m%d}"
    if await r.incr(day_key) > s.sms_per_phone_daily:
        raise TooMany("该手机号今日获取验证码次数已达上限，请明日再试")
    await r.expire(day_key, 86400)
    if not deliver:
        return
    key, tries = _keys(purpose, phone)
    try:
        await _deliver(key, tries, phone, phone, provider)
    except SmsFailed:
        await r.delete(f"smsrl:{idx}")
        raise


async def _deliver(key: str, tries: str, subject: str, phone: str, provider, template: str = "verify_code",  # noqa: ANN001
                   extra: dict[str, str] | None = None) -> None:
    """A fresh code stored hashed under `key` (replacing any earlier one), then sent to `phone`."""
    r = redis()
    code = f"{secrets.randbelow(1_000_000):06d}"
    await r.set(key, _digest(subject, code), ex=get_settings().sms_code_ttl_seconds)
    await r.delete(tries)
    try:
        await provider.send(phone, template, {"code": code, **(extra or {})})
    except Exception as e:  # noqa: BLE001 - any provider failure means no usable code
        await r.delete(key)
        raise SmsFailed() from e


async def _consume(key: str, tries: str, subject: str, code: str | None, field: str) -> None:
    if not code or not code.isdigit() or len(code) != 6:
        raise InvalidInput("验证码应为6位数字", fields={field: "验证码应为6位数字"})
    ttl = get_settings().sms_code_ttl_seconds
    res = await redis().eval(_CONSUME, 2, key, tries, _digest(subject, code), ttl, MAX_TRIES)
    if int(res) == 1:
        return
    if int(res) == -1:
        raise CodeExpired("验证码已失效，请重新获取", fields={field: "验证码已失效"})
    raise InvalidInput("验证码错误", fields={field: "验证码错误"})


async def consume_code(phone: str, purpose: str, code: str | None, field: str = "sms_code") -> None:
    """Raises unless `code` is the live code for phone+purpose; a right code works once."""
    key, tries = _keys(purpose, phone)
    await _consume(key, tries, phone, code, field)


# ---- the second factor of a staff login: one code per login challenge, not per phone ----------

def _login_keys(challenge: str) -> tuple[str, str]:
    return f"smscode:login:{challenge}", f"smstries:login:{challenge}"


async def send_login_code(challenge: str, account_id: int, phone: str, ref: str, provider) -> None:  # noqa: ANN001
    """A login code for one challenge (a digest of the challenge token). Only a right password
    gets here, so the public per-phone limits do not apply; a per-account hourly cap stops an
    attacker who holds the password from flooding the phone."""
    s = get_settings()
    r = redis()
    hour_key = f"smslogin:{account_id}:{dt.datetime.now():%Y%m%d%H}"
    if await r.incr(hour_key) > s.login_code_per_account_hourly:
        raise TooMany("登录验证码发送过于频繁，请1小时后再试")
    await r.expire(hour_key, 3600)
    key, tries = _login_keys(challenge)
    await _deliver(key, tries, challenge, phone, provider, "login_code", {"ref": ref})


async def consume_login_code(challenge: str, code: str | None) -> None:
    key, tries = _login_keys(challenge)
    await _consume(key, tries, challenge, code, "code")


async def drop_login_code(challenge: str) -> None:
    await redis().delete(*_login_keys(challenge))
