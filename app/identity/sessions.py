"""Opaque bearer tokens held in Redis, with idle and absolute timeouts."""
from __future__ import annotations

import hashlib
import json
import secrets
import time

from app.config import get_settings
from app.core.cache import redis

EPOCH_KEY = "authz:epoch"


def _key(token: str) -> str:
    return "sess:" + hashlib.sha256(token.encode()).hexdigest()


async def alive(token: str) -> bool:
    """The session exists; unlike touch(), this does not extend it (an open push socket must not
    keep an idle session alive)."""
    return bool(await redis().exists(_key(token)))


async def create(account_id: int, kind: str) -> str:
    s = get_settings()
    token = secrets.token_urlsafe(32)
    now = int(time.time())
    key = _key(token)
    r = redis()
    async with r.pipeline(transaction=True) as p:
        p.hset(key, mapping={"aid": account_id, "kind": kind, "created": now})
        p.expire(key, s.session_idle_minutes * 60)
        p.sadd(f"acct:{account_id}:sess", key)
        p.expire(f"acct:{account_id}:sess", s.session_absolute_hours * 3600)
        await p.execute()
    return token


# One round trip per request: read the session, slide its idle timer, and fetch the cached actor
# of the current authz epoch. (The actor key is derived from the session, so this script reads a
# key it was not given; fine on a single Redis, not on a cluster.)
_TOUCH = """
local d = redis.call('HMGET', KEYS[1], 'aid', 'kind', 'created')
if not d[1] then return false end
redis.call('EXPIRE', KEYS[1], ARGV[1])
local epoch = redis.call('GET', KEYS[2]) or '0'
local actor = redis.call('GET', 'actor:' .. d[1] .. ':' .. epoch)
return {d[1], d[2], d[3], epoch, actor}
"""
_touch_script = None


async def touch(token: str) -> tuple[int, str, str, str | None] | None:
    """(account id, kind, authz epoch, cached actor JSON or None) for a live session; slides its idle timer."""
    global _touch_script
    s = get_settings()
    key = _key(token)
    r = redis()
    if _touch_script is None or _touch_script.registered_client is not r:
        _touch_script = r.register_script(_TOUCH)
    res = await _touch_script(keys=[key, EPOCH_KEY], args=[s.session_idle_minutes * 60])
    if not res:
        return None
    aid, kind, created, epoch = res[:4]
    actor = res[4] if len(res) > 4 else None
    remaining = int(created) + s.session_absolute_hours * 3600 - int(time.time())
    if remaining <= 0:
        await r.delete(key)
        return None
    if remaining < s.session_idle_minutes * 60:
        await r.expire(key, remaining)  # never past the absolute limit
    return int(aid), kind, epoch or "0", actor or None


async def revoke(token: str) -> None:
    key = _key(token)
    r = redis()
    aid = await r.hget(key, "aid")
    await r.delete(key)
    if aid:
        await r.srem(f"acct:{aid}:sess", key)


async def revoke_all(account_id: int) -> None:
    r = redis()
    keys = await r.smembers(f"acct:{account_id}:sess")
    if keys:
        await r.delete(*keys)
    await r.delete(f"acct:{account_id}:sess")
    # The account changed (password, lock, leave): its cached actor must not outlive the sessions.
    await r.delete(f"actor:{account_id}:{await r.get(EPOCH_KEY) or '0'}")


async def bump_authz() -> None:
    """Any change to roles, accounts or orgs invalidates every cached actor."""
    await redis().incr(EPOCH_KEY)


async def cache_put(account_id: int, epoch: str, data: dict) -> str:
    raw = json.dumps(data, ensure_ascii=False)
    await redis().set(f"actor:{account_id}:{epoch}", raw, ex=600)
    return raw
