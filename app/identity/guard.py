"""Route access: every handler declares a permission code or is explicitly public.

The request middleware resolves the bearer token to an Actor and checks the handler's
declaration before the handler runs. A handler with no declaration is refused (fail closed).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache, partial

from sanic import Request

from app.core.context import current_actor, current_ip
from app.core.errors import Forbidden, Unauthorized
from app.identity import sessions
from app.identity.models import Account
from app.identity.permissions import PERMISSIONS, effective
from app.identity.scope import Actor, scope_of
from app.config import get_settings

ACCESS_ATTR = "__arh_access__"


def _mark(kind: str, code: str | None = None) -> Callable:
    def deco(fn: Callable) -> Callable:
        setattr(fn, ACCESS_ATTR, (kind, code))
        return fn
    return deco


def perm(code: str, *alternatives: str) -> Callable:
    """Staff holding `code` (or any one of the alternatives)."""
    for c in (code, *alternatives):
        if c not in PERMISSIONS:
            raise ValueError(f"unknown permission {c}")
    return _mark("perm", code if not alternatives else (code, *alternatives))


public = _mark("public")            # anyone, token optional
staff = _mark("staff")              # any logged-in staff account
person = _mark("person")            # a logged-in person (SELF scope)
authenticated = _mark("authenticated")  # any logged-in account


def before_password_change(fn: Callable) -> Callable:
    """Still reachable while the account must change its first or reset password."""
    fn.__arh_pw_ok__ = True
    return fn


def access_of(handler: Callable) -> tuple[str, str | None] | None:
    if isinstance(handler, partial) and handler.args:
        handler = handler.args[0]  # Sanic wraps a websocket handler: partial(app._websocket_handler, handler)
    return getattr(handler, ACCESS_ATTR, None)


# Browsers cannot set headers on a websocket; the admin offers its token as a subprotocol
# `arh.token.<token>` instead of in the URL, which proxies write to their access logs.
WS_TOKEN_PREFIX = "arh.token."


def bearer(request: Request) -> str | None:
    h = request.headers.get("authorization", "")
    if h[:7].lower() == "bearer " and len(h) < 200:
        return h[7:].strip() or None
    if request.route is not None and getattr(request.route.extra, "websocket", False):
        for p in request.headers.get("sec-websocket-protocol", "").split(","):
            p = p.strip()
            if p.startswith(WS_TOKEN_PREFIX) and len(p) < 200:
                return p[len(WS_TOKEN_PREFIX):] or None
    return None


async def build_actor(account_id: int) -> dict | None:
    acc = await Account.filter(id=account_id).select_related("org").first()
    if acc is None or not acc.enabled or acc.locked or acc.left_on is not None:
        return None
    org = acc.org
    if org is not None and not org.enabled:
        return None
    perms: set[str] = set()
    if acc.kind == "STAFF" and org is not None:
        for role in await acc.roles.all():
            perms |= set(role.permissions)
        perms = effective(perms, org.kind)
    return {
        "account_id": acc.id, "kind": acc.kind, "name": acc.name,
        "scope": scope_of(acc.kind, org.kind if org else None, org.level if org else None),
        "org_id": org.id if org else None, "org_name": org.name if org else None,
        "org_kind": org.kind if org else None, "district_code": org.district_code if org else None,
        "position": acc.position, "permissions": sorted(perms),
        "must_change_password": acc.must_change_password,
    }


@lru_cache(maxsize=2048)
def _actor_from_json(raw: str) -> Actor:
    # Keyed by the cached JSON itself: any change to the account gives new JSON (or no cache).
    data = json.loads(raw)
    return Actor(**{**data, "permissions": frozenset(data["permissions"])})


async def resolve(request: Request) -> Actor | None:
    token = bearer(request)
    if not token:
        return None
    live = await sessions.touch(token)
    if live is None:
        return None
    aid, _, epoch, raw = live
    if raw is None:
        data = await build_actor(aid)
        if data is None:
            await sessions.revoke(token)
            return None
        raw = await sessions.cache_put(aid, epoch, data)
    return _actor_from_json(raw)


def client_ip(request: Request) -> str:
    if get_settings().trust_forwarded_for:
        fwd = request.headers.get("x-forwarded-for")
        if fwd:
            return fwd.split(",")[0].strip()[:64]
    return (request.ip or "")[:64]


async def authorize(request: Request) -> None:
    route = request.route
    if route is None:
        return
    access = access_of(route.handler)
    if access is None:
        raise Forbidden("该接口未声明访问权限")
    current_ip.set(client_ip(request))
    actor = await resolve(request)
    request.ctx.actor = actor
    current_actor.set(actor)
    kind, code = access
    if kind == "public":
        return
    if actor is None:
        raise Unauthorized("登录已失效，请重新登录")
    if actor.must_change_password and not getattr(route.handler, "__arh_pw_ok__", False):
        raise Forbidden("首次登录或密码已被重置，请先修改密码", code="PASSWORD_CHANGE_REQUIRED")
    if kind == "authenticated":
        return
    if kind == "person":
        if actor.kind != "PERSON":
            raise Forbidden("仅个人用户可用")
        return
    if actor.kind != "STAFF":
        raise Forbidden()
    codes = code if isinstance(code, tuple) else (code,)
    if kind == "perm" and not any(actor.has(c) for c in codes):
        raise Forbidden(f"无权执行此操作（需要权限：{'或'.join(PERMISSIONS[c].title for c in codes)}）")


def actor_of(request: Request) -> Actor:
    actor = getattr(request.ctx, "actor", None)
    if actor is None:
        raise Unauthorized()
    return actor
