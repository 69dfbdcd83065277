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


async def touch(token: str) -> tuple[int, str, str] | None:
    """Returns (account id, kind, authz epoch) for a live session and slides its idle timer."""
    s = get_settings()
    key = _key(token)
    r = redis()
    # One round trip: read the session and slide its idle timer (EXPIRE on a missing key is a no-op).
    async with r.pipeline(transaction=False) as p:
        p.hgetall(key)
        p.get(EPOCH_KEY)
        p.expire(key, s.session_idle_minutes * 60)
        data, epoch, _ = await p.execute()
    if not data:
        return None
    remaining = int(data["created"]) + s.session_absolute_hours * 3600 - int(time.time())
    if remaining <= 0:
        await r.delete(key)
        return None
    if remaining < s.session_idle_minutes * 60:
        await r.expire(key, remaining)  # never past the absolute limit
    return int(data["aid"]), data["kind"], epoch or "0"


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


async def cache_get(account_id: int, epoch: str) -> dict | None:
    raw = await redis().get(f"actor:{account_id}:{epoch}")
    return json.loads(raw) if raw else None


async def cache_put(account_id: int, epoch: str, data: dict) -> None:
    await redis().set(f"actor:{account_id}:{epoch}", json.dumps(data, ensure_ascii=False), ex=600)
