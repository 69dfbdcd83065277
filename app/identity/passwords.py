"""Password hashing (argon2id) and the password policy (MLPS level 3)."""
from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import get_settings


@lru_cache
def _hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib,
                          parallelism=s.argon2_parallelism, type=Type.ID)


@lru_cache
def _dummy_hash() -> str:
    return _hasher().hash("arh-dummy-password-for-timing")


async def hash_password(pw: str) -> str:
    # argon2 takes ~50 ms of CPU: keep it off the event loop.
    return await asyncio.to_thread(_hasher().hash, pw)


def _verify(h: str | None, pw: str) -> bool:
    try:
        return _hasher().verify(h or _dummy_hash(), pw) and h is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(h: str | None, pw: str) -> bool:
    """Also spends the hashing time when there is no account, so timing reveals nothing."""
    return await asyncio.to_thread(_verify, h, pw)


def policy_error(pw: str, *, login: str | None = None, id_number: str | None = None,
                 phone: str | None = None) -> str | None:
    if not isinstance(pw, str) or len(pw) < 8:
        return "密码长度至少8位"
    if len(pw) > 64:
        return "密码长度不能超过64位"
    classes = sum([any(c.islower() for c in pw), any(c.isupper() for c in pw),
                   any(c.isdigit() for c in pw), any(not c.isalnum() for c in pw)])
    if classes < 3:
        return "密码需包含大写字母、小写字母、数字、特殊字符中的至少三类"
    low = pw.lower()
    for v in (login, id_number, phone):
        if v and low == v.lower():
            return "密码不能与用户名、身份证号或手机号相同"
    return None
