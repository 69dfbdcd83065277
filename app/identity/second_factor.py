"""The second factor of a staff login: which accounts need one, login challenges, and the
client certificate nginx vouches for.

A staff account needs a second factor when one of its roles says so (`Role.second_factor`, on by
default for roles that administer accounts or approve) or the account opted in. After the right
password it gets a challenge: an opaque token, valid as long as an SMS code, that only the code
(or, behind nginx client-certificate TLS, the account's bound CA certificate) turns into a session.
See docs/identity.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from app.config import get_settings
from app.core.cache import redis

# A role granting any of these administers accounts or approves cases: it asks for a second
# factor unless the admin who creates it says otherwise.
SECOND_FACTOR_CODES = frozenset({
    "identity.org.manage", "identity.role.write", "identity.staff.write", "identity.account.manage",
    "identity.staff.unlock", "case.work.approve", "case.work.supervise",
})
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a phone screen


def second_factor_by_default(codes: list[str] | set[str]) -> bool:
    return bool(SECOND_FACTOR_CODES & set(codes))


# ---- challenges ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Challenge:
    digest: str        # sha256 of the token: the only form stored
    account_id: int
    login: str         # the lowercased login name the lockout counts under
    ref: str
    sends: int
    last_sent: int


def _key(digest: str) -> str:
    return f"login2fa:{digest}"


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_challenge(account_id: int, login: str) -> tuple[str, Challenge]:
    token = secrets.token_urlsafe(32)
    ref = "".join(secrets.choice(REF_ALPHABET) for _ in range(4))
    ch = Challenge(digest_of(token), account_id, login, ref, 0, 0)
    await redis().hset(_key(ch.digest), mapping={"aid": account_id, "login": login, "ref": ref,
                                                 "sends": 0, "last": 0})
    await redis().expire(_key(ch.digest), get_settings().sms_code_ttl_seconds)
    return token, ch


async def load_challenge(token: str | None) -> Challenge | None:
    if not token or len(token) > 128:
        return None
    d = digest_of(token)
    raw = await redis().hgetall(_key(d))
    if not raw:
        return None
    return Challenge(d, int(raw["aid"]), raw["login"], raw["ref"], int(raw["sends"]), int(raw["last"]))


async def mark_sent(ch: Challenge, now: int) -> None:
    """A (re)sent code gives the challenge a full code lifetime again."""
    r = redis()
    await r.hset(_key(ch.digest), mapping={"sends": ch.sends + 1, "last": now})
    await r.expire(_key(ch.digest), get_settings().sms_code_ttl_seconds)


async def close_challenge(ch: Challenge) -> None:
    await redis().delete(_key(ch.digest))


# ---- the client certificate behind nginx -------------------------------------------------------

@dataclass(frozen=True)
class ClientCert:
    serial: str            # upper-case hex, no separators, no leading zeros
    subject: str
    not_after: dt.datetime
    sha256: str


def normalize_serial(sn: str) -> str:
    return sn.replace(":", "").replace(" ", "").upper().lstrip("0") or "0"


def trusted_peer(peer: str | None, trusted: str) -> bool:
    """`peer` (the TCP peer, never a forwarded header) is one of the configured proxies."""
    if not peer or not trusted.strip():
        return False
    try:
        ip = ipaddress.ip_address(peer)
    except ValueError:
        return False
    for item in trusted.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            if ip in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


def parse_client_cert(escaped_pem: str) -> ClientCert | None:
    """nginx's `$ssl_client_escaped_cert`: the URL-encoded PEM of the verified certificate."""
    try:
        cert = x509.load_pem_x509_certificate(unquote(escaped_pem).encode())
    except ValueError:
        return None
    return ClientCert(serial=normalize_serial(f"{cert.serial_number:X}"), subject=cert.subject.rfc4514_string(),
                      not_after=cert.not_valid_after_utc, sha256=cert.fingerprint(hashes.SHA256()).hex().upper())


def client_cert_from(headers, peer: str | None) -> ClientCert | None:  # noqa: ANN001
    """The certificate nginx verified for this connection, or None. The headers count only from a
    trusted proxy, and only when nginx says the verification succeeded."""
    s = get_settings()
    if not trusted_peer(peer, s.client_cert_trusted_proxies):
        return None
    if (headers.get(s.client_cert_verify_header) or "").strip() != "SUCCESS":
        return None
    raw = headers.get(s.client_cert_header) or ""
    if not raw or len(raw) > 16384:
        return None
    return parse_client_cert(raw)


def cert_matches(cert: ClientCert, ca_cert_sn: str | None, ca_enabled: bool, ca_valid_to: dt.date | None,
                 now: dt.datetime) -> str | None:
    """None when `cert` is the account's bound, enabled, unexpired certificate; else why not."""
    if not ca_cert_sn or not ca_enabled:
        return "该账号未绑定或未启用CA证书"
    if normalize_serial(ca_cert_sn) != cert.serial:
        return "所用CA证书与账号绑定的证书不一致"
    if cert.not_after < now or (ca_valid_to is not None and ca_valid_to < now.date()):
        return "CA证书已过期"
    return None
