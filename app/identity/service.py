"""Identity use cases: login, sessions, person self-service, and org/role/staff/account admin."""
from __future__ import annotations

import datetime as dt
import secrets
import string
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from app.config import get_settings
from app.core import audit
from app.core.cache import redis
from app.core.db import uow
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, TooMany
from app.core.idcard import id_number_error, normalize_id_number
from app.core.pii import blind_index
from app.identity import second_factor, sessions, sms_codes
from app.identity.models import Account, Org, Role
from app.identity.passwords import hash_password, policy_error, verify_password
from app.identity.permissions import PERMISSIONS, unknown_or_forbidden
from app.identity.schemas import (
    CaIn, ChangePassword, ChangePhone, LeaveIn, PasswordReset, Register, RoleIn, StaffAccountIn,
    StaffIn, StaffUpdate,
)
from app.identity.scope import Actor, ensure_in_scope, get_scoped

ACCOUNT_AUDIT = ["login_name", "name", "org_id", "position", "phone", "id_number", "enabled", "locked",
                 "ca_cert_sn", "ca_cert_subject", "ca_valid_to", "ca_enabled", "hired_on", "left_on",
                 "is_org_main", "must_change_password", "second_factor"]
ROLE_AUDIT = ["org_id", "name", "description", "permissions", "second_factor"]
BAD_LOGIN = "账号或密码错误"
LOGIN_SUMMARY = {"password": "登录成功", "sms": "登录成功（短信验证码二次验证）", "ca": "登录成功（CA证书二次验证）"}


class AccountLocked(AppError):
    status, code = 429, "ACCOUNT_LOCKED"


# ---- login protection -------------------------------------------------------------------

def _lock_keys(realm: str, login: str) -> tuple[str, str]:
    ident = blind_index(f"{realm}:{login}")
    return f"loginfail:{ident}", f"loginlock:{ident}"


async def _guard_locked(realm: str, login: str) -> None:
    _, lock = _lock_keys(realm, login)
    ttl = await redis().ttl(lock)
    if ttl and ttl > 0:
        # Same message whether or not the account exists.
        raise AccountLocked(f"登录失败次数过多，请{max(1, (ttl + 59) // 60)}分钟后再试")


async def _record_failure(realm: str, login: str) -> None:
    s = get_settings()
    fail, lock = _lock_keys(realm, login)
    r = redis()
    n = await r.incr(fail)
    if n == 1:
        await r.expire(fail, s.login_failure_window_minutes * 60)
    if n >= s.login_max_failures:
        await r.set(lock, 1, ex=s.login_lock_minutes * 60)
        await r.delete(fail)
        await audit.record("auth.lockout", "login", None, summary=f"连续{n}次登录失败，锁定{s.login_lock_minutes}分钟",
                           after={"realm": realm})
        raise AccountLocked(f"登录失败次数过多，账号已锁定{s.login_lock_minutes}分钟")


async def _check_password(realm: str, login: str, password: str, account: Account | None) -> Org | None:
    """The first factor, with the lockout and the account's state; returns the account's org."""
    await _guard_locked(realm, login)
    ok = await verify_password(account.password_hash if account else None, password)
    if not ok or account is None:
        await _fail(realm, login, account, "登录失败")
        raise AppError(BAD_LOGIN, code="BAD_CREDENTIALS", status=401)
    return await _usable(account)


async def _fail(realm: str, login: str, account: Account | None, summary: str, factor: str = "password") -> None:
    """A failed factor counts towards the lockout, whichever factor it was."""
    await audit.record("auth.login_failed", "account", account.id if account else None,
                       summary=summary, only_changes=False, after={"realm": realm, "factor": factor})
    await _record_failure(realm, login)


async def _usable(account: Account) -> Org | None:
    if not account.enabled or account.left_on is not None:
        raise AppError("账号已停用，请联系管理员", code="ACCOUNT_DISABLED", status=403)
    if account.locked:
        raise AppError("账号已被管理员锁定，请联系管理员", code="ACCOUNT_LOCKED_BY_ADMIN", status=403)
    org = await Org.filter(id=account.org_id).first() if account.org_id else None
    if org is not None and not org.enabled:
        raise AppError("所属单位已停用", code="ORG_DISABLED", status=403)
    return org


async def _open_session(realm: str, login: str, account: Account, org: Org | None, factor: str) -> str:
    await redis().delete(_lock_keys(realm, login)[0])
    account.last_login_at = dt.datetime.now(dt.timezone.utc)
    await Account.filter(id=account.id).update(last_login_at=account.last_login_at)
    token = await sessions.create(account.id, account.kind)
    await audit.record("auth.login", "account", account.id, summary=LOGIN_SUMMARY[factor], only_changes=False,
                       after={"factor": factor}, actor=_as_actor(account, org.name if org else None))
    return token


async def _login(realm: str, login: str, password: str, account: Account | None) -> str:
    org = await _check_password(realm, login, password, account)
    return await _open_session(realm, login, account, org, "password")


def _as_actor(acc: Account, org_name: str | None = None):  # noqa: ANN202
    return Actor(account_id=acc.id, kind=acc.kind, name=acc.name, scope="SELF", org_id=acc.org_id,
                 org_name=org_name)


async def needs_second_factor(acc: Account) -> bool:
    return acc.second_factor or await acc.roles.filter(second_factor=True).exists()


@dataclass
class StaffLogin:
    """Either a session (`token`) or a challenge the second factor must answer."""
    account: Account
    token: str | None = None
    challenge_token: str | None = None
    challenge: second_factor.Challenge | None = None
    factor: str = "password"


async def login_staff(username: str, password: str, cert: second_factor.ClientCert | None = None,
                      provider=None) -> StaffLogin:  # noqa: ANN001
    """Password first; then, for an account whose role (or own choice) asks for it, the bound CA
    certificate nginx verified on this connection, or else a code sent to the phone on file."""
    login = username.lower()
    acc = await Account.filter(login_name=username, kind="STAFF").first()
    org = await _check_password("staff", login, password, acc)
    if not await needs_second_factor(acc):
        return StaffLogin(acc, await _open_session("staff", login, acc, org, "password"))
    if cert is not None:
        why = second_factor.cert_matches(cert, acc.ca_cert_sn, acc.ca_enabled, acc.ca_valid_to,
                                         dt.datetime.now(dt.timezone.utc))
        if why is not None:
            await _fail("staff", login, acc, f"CA证书验证失败：{why}", "ca")
            raise AppError(f"{why}，登录未完成", code="CA_CERT_MISMATCH", status=401)
        return StaffLogin(acc, await _open_session("staff", login, acc, org, "ca"), factor="ca")
    if acc.ca_enabled and acc.ca_cert_sn and get_settings().login_ca_required_when_bound:
        raise AppError("该账号须使用绑定的CA证书登录，请插入证书介质后通过证书登录地址访问",
                       code="CA_CERT_REQUIRED", status=401)
    if not acc.phone:
        raise AppError("该账号登录需要短信验证，但未登记手机号，请联系管理员设置手机号",
                       code="NO_PHONE_FOR_SECOND_FACTOR", status=403)
    token, ch = await second_factor.open_challenge(acc.id, login)
    await _send_login_code(acc, ch, provider)
    await audit.record("auth.login_challenge", "account", acc.id, summary="密码验证通过，已发送登录短信验证码",
                       only_changes=False, after={"factor": "sms", "ref": ch.ref},
                       actor=_as_actor(acc, org.name if org else None))
    return StaffLogin(acc, challenge_token=token, challenge=ch, factor="sms")


async def _send_login_code(acc: Account, ch: second_factor.Challenge, provider) -> None:  # noqa: ANN001
    now = int(time.time())
    await sms_codes.send_login_code(ch.digest, acc.id, acc.phone, ch.ref, provider)
    await second_factor.mark_sent(ch, now)


async def _live_challenge(challenge_token: str) -> second_factor.Challenge:
    ch = await second_factor.load_challenge(challenge_token)
    if ch is None:
        raise AppError("登录验证已超时，请重新输入账号和密码", code="LOGIN_CHALLENGE_EXPIRED", status=401)
    return ch


async def resend_login_code(challenge_token: str, provider) -> second_factor.Challenge:  # noqa: ANN001
    s = get_settings()
    ch = await _live_challenge(challenge_token)
    await _guard_locked("staff", ch.login)
    wait = ch.last_sent + s.login_code_resend_seconds - int(time.time())
    if wait > 0:
        raise TooMany(f"验证码已发送，请{wait}秒后再获取")
    if ch.sends >= s.login_code_max_sends:
        raise TooMany("本次登录获取验证码次数已达上限，请重新输入账号和密码")
    acc = await Account.get(id=ch.account_id)
    await _usable(acc)
    await _send_login_code(acc, ch, provider)
    await audit.record("auth.login_code_resend", "account", acc.id, summary="重新发送登录短信验证码",
                       only_changes=False, after={"ref": ch.ref}, actor=_as_actor(acc))
    return await _live_challenge(challenge_token)


async def verify_login_code(challenge_token: str, code: str) -> tuple[str, Account]:
    """The second step: the code for this challenge opens the session; a wrong one counts towards
    the same lockout as a wrong password."""
    ch = await _live_challenge(challenge_token)
    try:
        await _guard_locked("staff", ch.login)
    except AccountLocked:
        await second_factor.close_challenge(ch)
        raise
    acc = await Account.get(id=ch.account_id)
    try:
        await sms_codes.consume_login_code(ch.digest, code)
    except sms_codes.CodeExpired:
        raise
    except InvalidInput:
        try:
            await _fail("staff", ch.login, acc, "登录短信验证码错误", "sms")
        except AccountLocked:
            await second_factor.close_challenge(ch)
            await sms_codes.drop_login_code(ch.digest)
            raise
        raise
    await second_factor.close_challenge(ch)
    org = await _usable(acc)  # it may have been disabled or locked since the password step
    return await _open_session("staff", ch.login, acc, org, "sms"), acc


async def login_person(id_number: str, password: str) -> tuple[str, Account]:
    idn = normalize_id_number(id_number)
    acc = None
    if id_number_error(idn) is None:
        acc = await Account.filter(id_number_idx=blind_index(idn), kind="PERSON").first()
    token = await _login("person", idn, password, acc)
    return token, acc


async def logout(token: str) -> None:
    await sessions.revoke(token)
    await audit.record("auth.logout", "session", None, summary="退出登录")


async def set_own_second_factor(actor: Actor, enabled: bool) -> Account:
    """A staff member opts in to (or out of) the second factor; a role that asks for it still does."""
    async with uow() as tx:
        acc = await Account.filter(id=actor.account_id).using_db(tx).select_for_update().first()
        if enabled and not acc.phone:
            raise InvalidInput("请先登记手机号，才能开启登录短信验证", fields={"enabled": "未登记手机号"})
        before = audit.snapshot(acc, ["second_factor"])
        acc.second_factor = enabled
        await acc.save(using_db=tx, update_fields=["second_factor"])
        await audit.record("account.second_factor", "account", acc.id, using=tx, before=before,
                           after=audit.snapshot(acc, ["second_factor"]),
                           summary="开启登录二次验证" if enabled else "关闭登录二次验证（本人）")
    return acc


# ---- person self-service ------------------------------------------------------------------

async def register_person(p: Register) -> Account:
    if err := policy_error(p.password, id_number=p.id_number, phone=p.phone):
        raise InvalidInput(err, fields={"password": err})
    if await Account.filter(kind="PERSON", id_number_idx=blind_index(p.id_number)).exists():
        raise Conflict("该身份证号已注册，请直接登录或找回密码", code="ID_NUMBER_REGISTERED")
    if await Account.filter(kind="PERSON", phone_idx=blind_index(p.phone)).exists():
        raise Conflict("该手机号已被其他账号绑定", code="PHONE_REGISTERED")
    await sms_codes.consume_code(p.phone, "register", p.sms_code)
    pw = await hash_password(p.password)
    try:
        async with uow() as tx:
            acc = Account(kind="PERSON", name=p.name, id_number=p.id_number, phone=p.phone,
                          password_hash=pw, password_changed_at=dt.datetime.now(dt.timezone.utc))
            await acc.save(using_db=tx)
            await audit.record("person.register", "account", acc.id, using=tx, actor=_as_actor(acc),
                               after=audit.snapshot(acc, ["name", "id_number", "phone"]), only_changes=False)
    except IntegrityError as e:
        raise Conflict("该身份证号或手机号已注册", code="ID_NUMBER_REGISTERED") from e
    return acc


async def send_public_code(phone: str, purpose: str, ip: str, provider) -> None:  # noqa: ANN001
    # An unknown phone gets the same answers and limits as a real one, so numbers cannot be probed.
    deliver = purpose != "reset_password" or await Account.filter(
        kind="PERSON", phone_idx=blind_index(phone), enabled=True).exists()
    await sms_codes.send_code(phone, purpose, ip, provider, deliver=deliver)


async def send_me_code(actor: Actor, purpose: str, phone: str | None, ip: str, provider) -> None:  # noqa: ANN001
    acc = await Account.get(id=actor.account_id)
    if purpose == "change_phone_new":
        if not phone:
            raise InvalidInput("请输入新手机号", fields={"phone": "必填"})
        if phone == acc.phone:
            raise InvalidInput("新手机号不能与原手机号相同", fields={"phone": "与原手机号相同"})
        target = phone
    else:
        if not acc.phone:
            raise InvalidInput("账号未绑定手机号")
        target = acc.phone
    await sms_codes.send_code(target, purpose, ip, provider)


async def _set_password(acc: Account, new: str, action: str, tx) -> None:  # noqa: ANN001
    if err := policy_error(new, login=acc.login_name, id_number=acc.id_number, phone=acc.phone):
        raise InvalidInput(err, fields={"new_password": err})
    acc.password_hash = await hash_password(new)
    acc.password_changed_at = dt.datetime.now(dt.timezone.utc)
    acc.must_change_password = False
    await acc.save(using_db=tx, update_fields=["password_hash", "password_changed_at", "must_change_password"])
    await audit.record(action, "account", acc.id, using=tx, summary="修改密码", only_changes=False)


async def reset_password(p: PasswordReset) -> None:
    acc = await Account.filter(kind="PERSON", phone_idx=blind_index(p.phone)).first()
    if err := policy_error(p.new_password, phone=p.phone, id_number=acc.id_number if acc else None):
        raise InvalidInput(err, fields={"new_password": err})
    await sms_codes.consume_code(p.phone, "reset_password", p.sms_code)
    if acc is None:
        raise InvalidInput("验证码已失效，请重新获取", fields={"sms_code": "验证码已失效"})
    async with uow() as tx:
        await _set_password(acc, p.new_password, "person.password_reset", tx)
    await sessions.revoke_all(acc.id)


async def change_password(actor: Actor, p: ChangePassword) -> None:
    acc = await Account.get(id=actor.account_id)
    if p.old_password:
        if not await verify_password(acc.password_hash, p.old_password):
            raise InvalidInput("原密码错误", fields={"old_password": "原密码错误"})
        if p.old_password == p.new_password:
            raise InvalidInput("新密码不能与原密码相同", fields={"new_password": "与原密码相同"})
    elif p.sms_code and acc.phone:
        if err := policy_error(p.new_password, login=acc.login_name, id_number=acc.id_number, phone=acc.phone):
            raise InvalidInput(err, fields={"new_password": err})
        await sms_codes.consume_code(acc.phone, "change_password", p.sms_code)
    else:
        raise InvalidInput("请输入原密码或手机验证码", fields={"old_password": "必填"})
    async with uow() as tx:
        await _set_password(acc, p.new_password, "account.password_change", tx)
    await sessions.revoke_all(acc.id)


async def change_phone(actor: Actor, p: ChangePhone) -> None:
    acc = await Account.get(id=actor.account_id)
    if p.new_phone == acc.phone:
        raise InvalidInput("新手机号不能与原手机号相同", fields={"new_phone": "与原手机号相同"})
    if await Account.filter(kind="PERSON", phone_idx=blind_index(p.new_phone)).exclude(id=acc.id).exists():
        raise Conflict("该手机号已被其他账号绑定", code="PHONE_REGISTERED")
    if p.old_code:
        await sms_codes.consume_code(acc.phone, "change_phone_old", p.old_code, field="old_code")
    elif p.password:
        if not await verify_password(acc.password_hash, p.password):
            raise InvalidInput("密码错误", fields={"password": "密码错误"})
    else:
        raise InvalidInput("请输入原手机号验证码或当前密码", fields={"old_code": "必填"})
    await sms_codes.consume_code(p.new_phone, "change_phone_new", p.new_code, field="new_code")
    async with uow() as tx:
        before = audit.snapshot(acc, ["phone"])
        acc.phone = p.new_phone
        try:
            await acc.save(using_db=tx, update_fields=["phone"])
        except IntegrityError as e:
            raise Conflict("该手机号已被其他账号绑定", code="PHONE_REGISTERED") from e
        await audit.record("account.phone_change", "account", acc.id, using=tx, before=before,
                           after=audit.snapshot(acc, ["phone"]))


# ---- admin: lock state and unlock -------------------------------------------------------------

def _lock_subject(acc: Account) -> tuple[str, str] | None:
    """(realm, login) the login lockout counts this account under."""
    if acc.kind == "STAFF" and acc.login_name:
        return "staff", acc.login_name.lower()
    if acc.kind == "PERSON" and acc.id_number:
        return "person", normalize_id_number(acc.id_number)
    return None


async def login_locks(accounts: list[Account]) -> dict[int, dt.datetime]:
    """Until when each account is locked out by failed logins (one Redis round trip for a page)."""
    subjects = [(a.id, sub) for a in accounts if (sub := _lock_subject(a))]
    if not subjects:
        return {}
    async with redis().pipeline(transaction=False) as p:
        for _, (realm, login) in subjects:
            p.ttl(_lock_keys(realm, login)[1])
        ttls = await p.execute()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return {aid: now + dt.timedelta(seconds=t) for (aid, _), t in zip(subjects, ttls) if t and t > 0}


async def _clear_login_lock(acc: Account) -> None:
    if sub := _lock_subject(acc):
        await redis().delete(*_lock_keys(*sub))


async def unlock_account(actor: Actor, account_id: int) -> Account:
    """Lift both kinds of lock from a staff account in scope: the lockout after failed logins
    and an administrator's lock."""
    async with uow() as tx:
        acc = await get_scoped(Account, actor, account_id, for_update=True, using=tx)
        if acc.kind != "STAFF":
            raise InvalidInput("只能解锁单位员工账号")
        until = (await login_locks([acc])).get(acc.id)
        if not acc.locked and until is None:
            raise Conflict("该账号未被锁定", code="NOT_LOCKED")
        before = {"locked": acc.locked, "locked_until": until.isoformat() if until else None}
        acc.locked = False
        await acc.save(using_db=tx, update_fields=["locked"])
        await audit.record("account.unlock", "account", acc.id, using=tx, before=before,
                           after={"locked": False, "locked_until": None}, only_changes=False,
                           summary=f"解锁账号 {acc.login_name or acc.name}")
    await _clear_login_lock(acc)
    await sessions.bump_authz()
    return acc


# ---- admin: never leave an org without an account that can manage roles ------------------------

MANAGE_ROLES = "identity.role.write"
_ROLE_MANAGERS_LOCK = 7342
_COUNT_ROLE_MANAGERS = """
SELECT count(DISTINCT a.id) AS n FROM account a
  JOIN org o ON o.id = a.org_id AND o.enabled
  JOIN account_role ar ON ar.account_id = a.id
  JOIN role r ON r.id = ar.role_id AND r.org_id = a.org_id
 WHERE a.org_id = ANY($1::bigint[]) AND a.kind = 'STAFF' AND a.enabled AND NOT a.locked
   AND a.left_on IS NULL AND a.login_name IS NOT NULL AND r.permissions::jsonb ? $2
"""


async def _org_chain(org_id: int, tx) -> list[int]:  # noqa: ANN001
    """The org and the orgs above it (whose role managers can also manage its roles)."""
    chain: list[int] = []
    cur: int | None = org_id
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = (await Org.filter(id=cur).using_db(tx).values_list("parent_id", flat=True) or [None])[0]
    return chain


async def _count_role_managers(chain: list[int], tx) -> int:  # noqa: ANN001
    rows = await tx.execute_query_dict(_COUNT_ROLE_MANAGERS, [chain, MANAGE_ROLES])
    return int(rows[0]["n"])


@asynccontextmanager
async def _keeps_role_managers(org_id: int | None, tx, kinds: tuple[str, ...] | None = None):  # noqa: ANN001, ANN202
    """Wraps a change to roles or accounts: refused (and rolled back with the transaction) when it
    would leave the org (with the orgs above it) with no enabled account able to manage roles,
    where it had one. `kinds`: check only orgs of these kinds (a housing bureau admin who disables
    or locks a builder's or operator's account can always enable or unlock it again)."""
    org = await Org.filter(id=org_id).using_db(tx).first() if org_id is not None else None
    if org is None or (kinds is not None and org.kind not in kinds):
        yield
        return
    chain = await _org_chain(org_id, tx)
    # Two admins taking each other's roles at once: one waits for the other, then counts again.
    await tx.execute_query("SELECT pg_advisory_xact_lock($1, ($2::bigint % 2147483647)::int)",
                           [_ROLE_MANAGERS_LOCK, chain[-1]])
    before = await _count_role_managers(chain, tx)
    yield
    if before and not await _count_role_managers(chain, tx):
        raise Conflict("此操作会使本单位没有任何可维护角色的启用账号，已拒绝。请先把含“角色维护”权限的角色分配给另一个启用的账号",
                       code="LAST_ROLE_MANAGER")


# ---- admin: roles ----------------------------------------------------------------------------

def _temp_password() -> str:
    # Always meets the policy: upper, lower, digit and a symbol.
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(9))
    return secrets.choice(string.ascii_uppercase) + core + secrets.choice("@#%") + str(secrets.randbelow(10)) \
        + secrets.choice(string.ascii_lowercase)


async def _writable_org(actor: Actor, org_id: int | None, tx) -> Org:  # noqa: ANN001
    """An org whose roles/staff the actor may change: in scope and of the actor's own kind."""
    org = await get_scoped(Org, actor, org_id or actor.org_id, using=tx)
    if org.kind != actor.org_kind:
        raise Forbidden("只能维护本类单位的角色和员工")
    return org


def _ensure_holds(actor: Actor, codes, refusal: str = "不能授予本人未拥有的权限") -> None:  # noqa: ANN001
    """Nobody hands out a permission they lack: a staff manager could otherwise give itself
    the 系统管理员 role, or take over a stronger account by resetting its password."""
    missing = sorted((set(codes) & PERMISSIONS.keys()) - actor.permissions)
    if missing:
        raise Forbidden(f"{refusal}：{'、'.join(PERMISSIONS[c].title for c in missing)}")


def _check_perms(codes: list[str], org_kind: str) -> list[str]:
    codes = sorted(set(codes))
    if bad := unknown_or_forbidden(codes, org_kind):
        raise InvalidInput(f"以下权限不存在或不能授予该类单位：{'、'.join(bad)}", fields={"permissions": "含无效权限"})
    return codes


async def create_role(actor: Actor, p: RoleIn) -> Role:
    async with uow() as tx:
        org = await _writable_org(actor, p.org_id, tx)
        perms = _check_perms(p.permissions, org.kind)
        _ensure_holds(actor, perms)
        if await Role.filter(org_id=org.id, name=p.name).using_db(tx).exists():
            raise Conflict("本单位已有同名角色", code="ROLE_NAME_TAKEN", fields={"name": "已存在"})
        sf = p.second_factor if p.second_factor is not None else second_factor.second_factor_by_default(perms)
        role = await Role.create(org_id=org.id, name=p.name, description=p.description,
                                 permissions=perms, second_factor=sf, using_db=tx)
        await ensure_in_scope(role, actor, using=tx)
        await audit.record("role.create", "role", role.id, using=tx, after=audit.snapshot(role, ROLE_AUDIT),
                           summary=f"新增角色 {role.name}", only_changes=False)
    await sessions.bump_authz()
    return role


async def update_role(actor: Actor, role_id: int, p: RoleIn) -> Role:
    async with uow() as tx:
        role = await get_scoped(Role, actor, role_id, for_update=True, using=tx)
        org = await _writable_org(actor, role.org_id, tx)
        before = audit.snapshot(role, ROLE_AUDIT)
        if await Role.filter(org_id=org.id, name=p.name).exclude(id=role.id).using_db(tx).exists():
            raise Conflict("本单位已有同名角色", code="ROLE_NAME_TAKEN", fields={"name": "已存在"})
        role.name, role.description = p.name, p.description
        role.permissions = _check_perms(p.permissions, org.kind)
        if p.second_factor is not None:
            role.second_factor = p.second_factor
        _ensure_holds(actor, set(role.permissions) - set(before["permissions"]))
        async with _keeps_role_managers(org.id, tx):
            await role.save(using_db=tx)
        await audit.record("role.update", "role", role.id, using=tx, before=before,
                           after=audit.snapshot(role, ROLE_AUDIT), summary=f"修改角色 {role.name}")
    await sessions.bump_authz()
    return role


async def delete_role(actor: Actor, role_id: int) -> None:
    async with uow() as tx:
        role = await get_scoped(Role, actor, role_id, for_update=True, using=tx)
        await _writable_org(actor, role.org_id, tx)
        if role.builtin:
            raise Conflict("内置角色不能删除", code="ROLE_BUILTIN")
        n = await role.accounts.all().using_db(tx).count()
        if n:
            raise Conflict(f"该角色仍有{n}个账号在使用，请先取消分配", code="ROLE_IN_USE")
        before = audit.snapshot(role, ROLE_AUDIT)
        await role.delete(using_db=tx)
        await audit.record("role.delete", "role", role_id, using=tx, before=before,
                           summary=f"删除角色 {before['name']}", only_changes=False)
    await sessions.bump_authz()


async def _assign_roles(actor: Actor, acc: Account, role_ids: list[int], tx) -> list[int]:  # noqa: ANN001
    ids = sorted(set(role_ids))
    roles = await Role.filter(id__in=ids, org_id=acc.org_id).using_db(tx) if ids else []
    if len(roles) != len(ids):
        raise InvalidInput("只能分配账号所属单位的角色", fields={"role_ids": "含无效角色"})
    held = set(await acc.roles.all().using_db(tx).values_list("id", flat=True))
    _ensure_holds(actor, {c for r in roles if r.id not in held for c in r.permissions})
    await acc.roles.clear(using_db=tx)
    if roles:
        await acc.roles.add(*roles, using_db=tx)
    return ids


# ---- admin: staff --------------------------------------------------------------------------

async def _staff_for_write(actor: Actor, account_id: int, tx) -> Account:  # noqa: ANN001
    acc = await get_scoped(Account, actor, account_id, for_update=True, using=tx)
    if acc.kind != "STAFF":
        raise InvalidInput("该账号不是单位员工")
    await _writable_org(actor, acc.org_id, tx)
    return acc


async def create_staff(actor: Actor, p: StaffIn) -> Account:
    async with uow() as tx:
        org = await _writable_org(actor, p.org_id, tx)
        acc = Account(kind="STAFF", org_id=org.id, name=p.name, phone=p.phone, id_number=p.id_number,
                      position=p.position, hired_on=p.hired_on, enabled=True)
        await acc.save(using_db=tx)
        await ensure_in_scope(acc, actor, using=tx)
        await audit.record("staff.hire", "account", acc.id, using=tx, after=audit.snapshot(acc, ACCOUNT_AUDIT),
                           summary=f"登记入职 {acc.name}", only_changes=False)
    return acc


async def update_staff(actor: Actor, account_id: int, p: StaffUpdate) -> Account:
    async with uow() as tx:
        acc = await _staff_for_write(actor, account_id, tx)
        before = audit.snapshot(acc, ACCOUNT_AUDIT)
        for k, v in p.model_dump(exclude_unset=True).items():
            if v is not None:
                setattr(acc, k, v)
        await acc.save(using_db=tx)
        await audit.record("staff.update", "account", acc.id, using=tx, before=before,
                           after=audit.snapshot(acc, ACCOUNT_AUDIT), summary=f"修改员工 {acc.name}")
    await sessions.bump_authz()
    return acc


async def open_staff_account(actor: Actor, account_id: int, p: StaffAccountIn) -> Account:
    async with uow() as tx:
        acc = await _staff_for_write(actor, account_id, tx)
        if acc.login_name:
            raise Conflict("该员工已开通账号", code="ACCOUNT_EXISTS")
        if acc.left_on:
            raise Conflict("该员工已离职，不能开通账号", code="STAFF_LEFT")
        if err := policy_error(p.password, login=p.login_name, id_number=acc.id_number, phone=acc.phone):
            raise InvalidInput(err, fields={"password": err})
        if await Account.filter(login_name=p.login_name).using_db(tx).exists():
            raise Conflict("登录名已被使用", code="LOGIN_NAME_TAKEN", fields={"login_name": "已被使用"})
        before = audit.snapshot(acc, ACCOUNT_AUDIT)
        acc.login_name = p.login_name
        acc.password_hash = await hash_password(p.password)
        acc.must_change_password = True
        try:
            await acc.save(using_db=tx)
        except IntegrityError as e:
            raise Conflict("登录名已被使用", code="LOGIN_NAME_TAKEN", fields={"login_name": "已被使用"}) from e
        roles = await _assign_roles(actor, acc, p.role_ids, tx)
        await audit.record("staff.account_open", "account", acc.id, using=tx, before=before,
                           after={**audit.snapshot(acc, ACCOUNT_AUDIT), "role_ids": roles},
                           summary=f"开通账号 {acc.login_name}")
    await sessions.bump_authz()
    return acc


async def set_staff_roles(actor: Actor, account_id: int, role_ids: list[int]) -> Account:
    async with uow() as tx:
        acc = await _staff_for_write(actor, account_id, tx)
        before = sorted(r.id for r in await acc.roles.all().using_db(tx))
        async with _keeps_role_managers(acc.org_id, tx):
            after = await _assign_roles(actor, acc, role_ids, tx)
        await audit.record("staff.roles", "account", acc.id, using=tx, before={"role_ids": before},
                           after={"role_ids": after}, summary=f"分配角色 {acc.name}")
    await sessions.bump_authz()
    return acc


async def reset_staff_password(actor: Actor, account_id: int) -> str:
    async with uow() as tx:
        acc = await _staff_for_write(actor, account_id, tx)
        _ensure_holds(actor, {c for r in await acc.roles.all().using_db(tx) for c in r.permissions},
                      "不能重置权限多于本人的账号的密码，该账号拥有本人未拥有的权限")
        return await _reset_to_temp(acc, tx)


async def _reset_to_temp(acc: Account, tx) -> str:  # noqa: ANN001
    if not acc.login_name:
        raise Conflict("该员工尚未开通账号", code="NO_ACCOUNT")
    pw = _temp_password()
    acc.password_hash = await hash_password(pw)
    acc.must_change_password = True
    acc.password_changed_at = dt.datetime.now(dt.timezone.utc)
    await acc.save(using_db=tx, update_fields=["password_hash", "must_change_password", "password_changed_at"])
    await audit.record("account.password_reset", "account", acc.id, using=tx, summary=f"重置密码 {acc.login_name}",
                       only_changes=False)
    await sessions.revoke_all(acc.id)
    return pw


async def staff_leave(actor: Actor, account_id: int, p: LeaveIn) -> Account:
    async with uow() as tx:
        acc = await _staff_for_write(actor, account_id, tx)
        if acc.id == actor.account_id:
            raise InvalidInput("不能为自己登记离职")
        if acc.left_on:
            raise Conflict("该员工已登记离职", code="STAFF_LEFT")
        if acc.hired_on and p.left_on < acc.hired_on:
            raise InvalidInput("离职日期不能早于入职日期", fields={"left_on": "早于入职日期"})
        before = audit.snapshot(acc, ACCOUNT_AUDIT)
        acc.left_on, acc.enabled = p.left_on, False
        async with _keeps_role_managers(acc.org_id, tx):
            await acc.save(using_db=tx)
        await audit.record("staff.leave", "account", acc.id, using=tx, before=before,
                           after=audit.snapshot(acc, ACCOUNT_AUDIT), summary=f"登记离职 {acc.name}")
    await sessions.revoke_all(acc.id)
    await sessions.bump_authz()
    return acc


# ---- admin: org main accounts and accounts ---------------------------------------------------

async def _main_account(actor: Actor, org_id: int, tx) -> Account:  # noqa: ANN001
    org = await get_scoped(Org, actor, org_id, using=tx)
    acc = await Account.filter(org_id=org.id, is_org_main=True).using_db(tx).select_for_update().first()
    if acc is None:
        raise Conflict("该单位尚未开通主账号", code="NO_MAIN_ACCOUNT")
    return acc


async def lock_main_account(actor: Actor, org_id: int, locked: bool) -> Account:
    async with uow() as tx:
        acc = await _main_account(actor, org_id, tx)
        if locked and acc.id == actor.account_id:
            raise InvalidInput("不能锁定自己的账号")
        before = audit.snapshot(acc, ["locked"])
        acc.locked = locked
        async with _keeps_role_managers(acc.org_id, tx, kinds=("GOV",)):
            await acc.save(using_db=tx, update_fields=["locked"])
        await audit.record("org.main_account_lock" if locked else "org.main_account_unlock", "account", acc.id,
                           using=tx, before=before, after=audit.snapshot(acc, ["locked"]),
                           summary=("锁定" if locked else "解锁") + f"单位主账号 {acc.login_name}")
    if locked:
        await sessions.revoke_all(acc.id)
    else:
        await _clear_login_lock(acc)  # unlocking also lifts a lockout after failed logins
    await sessions.bump_authz()
    return acc


async def reset_main_password(actor: Actor, org_id: int) -> str:
    async with uow() as tx:
        acc = await _main_account(actor, org_id, tx)
        return await _reset_to_temp(acc, tx)


async def set_main_roles(actor: Actor, org_id: int, role_ids: list[int]) -> Account:
    async with uow() as tx:
        acc = await _main_account(actor, org_id, tx)
        before = sorted(r.id for r in await acc.roles.all().using_db(tx))
        async with _keeps_role_managers(acc.org_id, tx):
            after = await _assign_roles(actor, acc, role_ids, tx)
        await audit.record("org.main_account_roles", "account", acc.id, using=tx, before={"role_ids": before},
                           after={"role_ids": after}, summary=f"设置单位主账号角色 {acc.login_name}")
    await sessions.bump_authz()
    return acc


async def _account_change(actor: Actor, account_id: int, action: str, summary: str, change) -> Account:  # noqa: ANN001
    async with uow() as tx:
        acc = await get_scoped(Account, actor, account_id, for_update=True, using=tx)
        before = audit.snapshot(acc, ACCOUNT_AUDIT)
        change(acc)
        async with _keeps_role_managers(acc.org_id, tx, kinds=("GOV",)):
            try:
                await acc.save(using_db=tx)
            except IntegrityError as e:
                raise Conflict("该手机号已被其他账号绑定", code="PHONE_REGISTERED") from e
        await ensure_in_scope(acc, actor, using=tx)
        await audit.record(action, "account", acc.id, using=tx, before=before,
                           after=audit.snapshot(acc, ACCOUNT_AUDIT), summary=f"{summary} {acc.login_name or acc.name}")
    await sessions.bump_authz()
    return acc


async def set_account_enabled(actor: Actor, account_id: int, enabled: bool) -> Account:
    if account_id == actor.account_id and not enabled:
        raise InvalidInput("不能停用自己的账号")
    acc = await _account_change(actor, account_id, "account.enable" if enabled else "account.disable",
                                "启用账号" if enabled else "停用账号", lambda a: setattr(a, "enabled", enabled))
    if not enabled:
        await sessions.revoke_all(acc.id)
    return acc


async def set_account_phone(actor: Actor, account_id: int, phone: str) -> Account:
    return await _account_change(actor, account_id, "account.phone", "设置手机号",
                                 lambda a: setattr(a, "phone", phone))


async def bind_ca(actor: Actor, account_id: int, p: CaIn) -> Account:
    if p.ca_valid_to < dt.date.today():
        raise InvalidInput("证书已过期，不能绑定", fields={"ca_valid_to": "已过期"})

    def change(a: Account) -> None:
        a.ca_cert_sn, a.ca_cert_subject, a.ca_valid_to = p.ca_cert_sn.upper(), p.ca_cert_subject, p.ca_valid_to
        a.ca_enabled, a.ca_bound_at = True, dt.datetime.now(dt.timezone.utc)
    return await _account_change(actor, account_id, "account.ca_bind", "绑定CA证书", change)


async def set_ca_enabled(actor: Actor, account_id: int, enabled: bool) -> Account:
    def change(a: Account) -> None:
        if not a.ca_cert_sn:
            raise Conflict("该账号未绑定CA证书", code="NO_CA_CERT")
        a.ca_enabled = enabled
    return await _account_change(actor, account_id, "account.ca_enable" if enabled else "account.ca_disable",
                                 "启用CA证书" if enabled else "停用CA证书", change)


async def unbind_ca(actor: Actor, account_id: int) -> Account:
    def change(a: Account) -> None:
        if not a.ca_cert_sn:
            raise Conflict("该账号未绑定CA证书", code="NO_CA_CERT")
        a.ca_cert_sn = a.ca_cert_subject = a.ca_valid_to = a.ca_bound_at = None
        a.ca_enabled = False
    return await _account_change(actor, account_id, "account.ca_unbind", "解绑CA证书", change)
